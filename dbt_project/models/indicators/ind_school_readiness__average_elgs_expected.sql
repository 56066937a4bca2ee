-- Average number of the 17 ELGs at the expected level per child (0 to 17).
{{ indicator_over_children(
    indicator_id='average_elgs_expected',
    value_type='mean',
    score='elgs_at_expected',
    children=ref('int_children_joined'),
) }}
