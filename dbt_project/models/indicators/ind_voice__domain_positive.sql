-- % of all answers to a domain's items that are positive, by area.
{{ indicator_over_rows(
    indicator_id='voice_domain_positive',
    value_type='proportion',
    rows=ref('int_voice_answers_joined'),
    numerator=count_where('is_positive'),
    breakdown="'Voice domain'",
    group='domain',
) }}
