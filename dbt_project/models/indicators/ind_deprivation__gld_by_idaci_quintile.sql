-- % of children at a Good Level of Development by the IDACI 2025 national quintile of their
-- home LSOA (1 most deprived), by authority only: the cells the slope index of inequality is
-- computed from after disclosure control. Not by neighbourhood: a neighbourhood's children live
-- in one or two quintiles, so its quintile cells are small and their suppression hid whole
-- neighbourhoods' GLD (the same children) with them.
{{ indicator_over_rows(
    indicator_id='gld_by_idaci_quintile',
    value_type='proportion',
    rows=ref('int_children_deprivation'),
    numerator=count_where('is_gld'),
    total_group='All children',
    levels=['Local authority'],
    groupings=[("'IDACI quintile of home'", 'idaci_quintile_group', ['Local authority'])],
) }}
