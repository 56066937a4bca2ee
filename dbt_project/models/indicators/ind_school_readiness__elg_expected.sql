-- % of children at the expected level in each of the 17 ELGs (seeds/eyfsp_early_learning_goals.csv).
{{ indicator_over_rows(
    indicator_id='elg_expected',
    value_type='proportion',
    rows=ref('int_children_goals'),
    numerator=count_where('is_expected'),
    breakdown="'Early learning goal'",
    group='elg',
) }}
