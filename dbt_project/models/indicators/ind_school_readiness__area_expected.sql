-- % of children at the expected level in every goal of each of the 7 areas of learning
-- (seeds/eyfsp_early_learning_goals.csv).
{{ indicator_over_rows(
    indicator_id='area_expected',
    value_type='proportion',
    rows=ref('int_children_areas'),
    numerator=count_where('is_area_expected'),
    breakdown="'Area of learning'",
    group='area',
) }}
