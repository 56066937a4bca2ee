-- % of children at a Good Level of Development by the IDACI 2025 national quintile of their
-- home LSOA (1 most deprived), in each neighbourhood and the authority: the cells the slope
-- index of inequality is computed from after disclosure control.
{{ indicator_over_rows(
    indicator_id='gld_by_idaci_quintile',
    value_type='proportion',
    rows=ref('int_children_deprivation'),
    numerator=count_where('is_gld'),
    total_group='All children',
    groupings=[("'IDACI quintile of home'", 'idaci_quintile_group', ['Neighbourhood', 'Local authority'])],
) }}
