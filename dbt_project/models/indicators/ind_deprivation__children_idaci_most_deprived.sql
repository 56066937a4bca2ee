-- % of the reception cohort's children whose home postcode lies in an LSOA of England's most
-- deprived IDACI 2025 quintile (deciles 1 and 2), through the postcode-to-LSOA lookup.
{{ indicator_over_children(
    indicator_id='children_idaci_most_deprived',
    value_type='proportion',
    numerator=count_where('idaci_quintile = 1'),
    children=ref('int_children_deprivation'),
    breakdowns=false,
) }}
