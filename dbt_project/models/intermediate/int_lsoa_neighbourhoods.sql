-- Each 2021 LSOA of the postcode-to-LSOA lookup, per academic year, in the neighbourhood
-- holding most of its postcodes (a postcode's sector places it: seeds/neighbourhood_lookup.csv;
-- a tie goes to the lower neighbourhood code), with the neighbourhood's authority. An LSOA
-- none of whose postcodes lies in a listed sector is in no neighbourhood and is left out.
-- `postcodes` and `postcodes_in_lsoa` show how cleanly the LSOA nests (equal: wholly inside).
with postcodes as (
    select * from {{ ref('stg_postcode_lsoa__postcodes') }}
),

neighbourhoods as (
    select * from {{ ref('stg_reference__neighbourhoods') }}
),

authorities as (
    select * from {{ ref('int_neighbourhood_authorities') }}
),

lsoa_sizes as (
    select time_period, lsoa_code, count(*) as postcodes_in_lsoa
    from postcodes
    group by time_period, lsoa_code
),

counted as (
    select
        postcodes.time_period,
        postcodes.lsoa_code,
        neighbourhoods.neighbourhood_code,
        count(*) as postcodes
    from postcodes
    inner join neighbourhoods
        on postcodes.postcode_sector = neighbourhoods.postcode_sector
    group by postcodes.time_period, postcodes.lsoa_code, neighbourhoods.neighbourhood_code
),

ranked as (
    select
        *,
        row_number() over (
            partition by time_period, lsoa_code
            order by postcodes desc, neighbourhood_code
        ) as place
    from counted
)

select
    ranked.time_period,
    ranked.lsoa_code,
    ranked.neighbourhood_code,
    authorities.neighbourhood_name,
    authorities.new_la_code,
    authorities.la_name,
    ranked.postcodes,
    lsoa_sizes.postcodes_in_lsoa
from ranked
inner join lsoa_sizes
    on ranked.time_period = lsoa_sizes.time_period
    and ranked.lsoa_code = lsoa_sizes.lsoa_code
inner join authorities
    on ranked.neighbourhood_code = authorities.neighbourhood_code
where ranked.place = 1
