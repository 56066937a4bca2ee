-- The reception cohort's children with their home LSOA (int_children_lsoas) and its Census
-- 2021 household deprivation (TS011): the share of its households deprived in two or more
-- dimensions; null where the LSOA is not known or not in the landed table.
with children as (
    select * from {{ ref('int_children_lsoas') }}
),

households as (
    select * from {{ ref('int_lsoa_household_deprivation') }}
)

select
    children.*,
    cast(households.households_deprived_two_plus as double precision) / nullif(households.households, 0)
        as lsoa_share_deprived_two_plus
from children
left join households
    on children.lsoa_code = households.lsoa_code
    and children.time_period = households.time_period
