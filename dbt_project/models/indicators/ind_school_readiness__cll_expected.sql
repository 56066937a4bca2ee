-- % of children at the expected level in all 5 communication and language and literacy ELGs.
{{ indicator_over_children(
    indicator_id='cll_expected',
    numerator=count_where('is_cll_expected'),
    value_type='proportion',
    children=ref('int_children_joined'),
) }}
