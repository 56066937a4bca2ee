-- % of children in the reception cohort whose first language is other than English
-- (school census): the cohort share to set beside EAL families' share of respondents.
{{ indicator_over_children(
    indicator_id='cohort_eal_share',
    value_type='proportion',
    numerator=count_where("first_language = 'Other than English'"),
    children=ref('int_children_joined'),
    breakdowns=false,
) }}
