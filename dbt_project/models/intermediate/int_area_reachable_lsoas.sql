-- Every 2021 LSOA a child of each neighbourhood could live in, from public inputs alone: the
-- LSOAs of the landed postcode-to-LSOA lookup's postcodes in the neighbourhood's postcode
-- sectors (seeds/neighbourhood_lookup.csv: a child's neighbourhood is its postcode's
-- sector's), per academic year, with each LSOA's IDACI 2025 quintile and its share of
-- households deprived in two or more Census 2021 dimensions (null where the landed files do
-- not rank it). Nothing here reads a child's record; fct_known_zeros reads it.
with postcodes as (
    select * from {{ ref('stg_postcode_lsoa__postcodes') }}
),

neighbourhoods as (
    select * from {{ ref('stg_reference__neighbourhoods') }}
),

idaci as (
    select * from {{ ref('stg_idaci__lsoas') }}
),

households as (
    select * from {{ ref('stg_household_deprivation__lsoas') }}
),

reachable as (
    select distinct
        postcodes.time_period,
        neighbourhoods.neighbourhood_code,
        postcodes.lsoa_code
    from postcodes
    inner join neighbourhoods
        on postcodes.postcode_sector = neighbourhoods.postcode_sector
    where postcodes.lsoa_code is not null
)

select
    reachable.time_period,
    reachable.neighbourhood_code,
    reachable.lsoa_code,
    idaci.idaci_quintile,
    cast(households.deprived_2 + households.deprived_3 + households.deprived_4 as double precision)
        / nullif(households.households, 0) as share_deprived_two_plus
from reachable
left join idaci
    on reachable.lsoa_code = idaci.lsoa_code
    and reachable.time_period = idaci.time_period
left join households
    on reachable.lsoa_code = households.lsoa_code
    and reachable.time_period = households.time_period
