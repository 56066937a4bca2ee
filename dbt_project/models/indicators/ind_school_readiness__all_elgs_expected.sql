-- % of children at the expected level in all 17 ELGs.
{{ indicator_over_children(
    indicator_id='all_elgs_expected',
    numerator=count_where('is_all_elgs_expected'),
    value_type='proportion',
    children=ref('int_children_joined'),
) }}
