-- Census 2021 household deprivation (TS011) of each LSOA placed in a neighbourhood, per
-- academic year it was landed for: one row per LSOA, households and those deprived in two
-- or more of the four dimensions. LSOAs of the table outside the LA's lookup are left out.
with households as (
    select * from {{ ref('stg_household_deprivation__lsoas') }}
),

placed as (
    select * from {{ ref('int_lsoa_neighbourhoods') }}
)

select
    households.time_period,
    households.lsoa_code,
    placed.neighbourhood_code,
    placed.neighbourhood_name,
    placed.new_la_code,
    placed.la_name,
    households.households,
    households.deprived_2 + households.deprived_3 + households.deprived_4
        as households_deprived_two_plus
from households
inner join placed
    on households.time_period = placed.time_period
    and households.lsoa_code = placed.lsoa_code
