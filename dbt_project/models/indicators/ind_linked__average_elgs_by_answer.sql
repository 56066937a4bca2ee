-- On the consented linked subset: average ELGs at expected, by the parent's answer.
{{ indicator_over_rows(
    indicator_id='linked_average_elgs_by_answer',
    value_type='mean',
    rows=ref('int_voice_answers_linked'),
    score='elgs_at_expected',
    breakdown="'Voice item: ' || item_id",
    group="case when is_positive then 'Positive answer' else 'Other answers' end",
    levels=['Local authority'],
) }}
