-- % of households deprived in two or more of the four Census 2021 dimensions (education,
-- employment, health, housing: ONS TS011), summed over the LSOAs placed in each
-- neighbourhood (int_lsoa_neighbourhoods) and the authority.
{{ indicator_over_rows(
    indicator_id='households_deprived_two_plus',
    value_type='proportion',
    rows=ref('int_lsoa_household_deprivation'),
    numerator='sum(households_deprived_two_plus)',
    denominator='sum(households)',
    total_group='All households',
) }}
