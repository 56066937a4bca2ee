-- A local analogue of the Child-MDH (children in multidimensionally disadvantaged
-- households), not the national index: % of the reception cohort's children who are eligible
-- for free school meals (the income dimension, child by child) and live in an LSOA where at
-- least one household in five is deprived in two or more Census 2021 dimensions (education,
-- employment, health, housing: TS011), about England and Wales's share in 2021 (18%).
{{ indicator_over_children(
    indicator_id='child_mdh_local',
    value_type='proportion',
    numerator=count_where("fsm_eligibility = 'Eligible' and lsoa_share_deprived_two_plus >= " ~ child_mdh_lsoa_share()),
    children=ref('int_children_household_deprivation'),
    breakdowns=false,
) }}
