-- % of respondents answering each co-designed item positively (the item bank says which
-- answers count as positive), by neighbourhood and authority.
{{ indicator_over_rows(
    indicator_id='voice_item_positive',
    value_type='proportion',
    rows=ref('int_voice_answers_joined'),
    numerator=count_where('is_positive'),
    breakdown="'Voice item'",
    group='item_id',
) }}
