-- Mean answer to each scaled item (agree 1-5, how often 1-5, 0-10), by area.
{{ indicator_over_rows(
    indicator_id='voice_item_mean',
    value_type='mean',
    rows="(select * from " ~ ref('int_voice_answers_joined') ~ " where score is not null and response_scale <> 'yesno')",
    score='score',
    breakdown="'Voice item'",
    group='item_id',
) }}
