-- On the consented linked subset: % of children at a good level of development, by whether
-- their parent answered each item positively (e.g. daily reading at home or not).
{{ indicator_over_rows(
    indicator_id='linked_gld_by_answer',
    value_type='proportion',
    rows=ref('int_voice_answers_linked'),
    numerator=count_where('is_gld'),
    breakdown="'Voice item: ' || item_id",
    group="case when is_positive then 'Positive answer' else 'Other answers' end",
    levels=['Local authority'],
) }}
