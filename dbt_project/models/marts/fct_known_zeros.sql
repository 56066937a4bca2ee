-- Counts anyone can work out are 0 from public inputs alone (the postcode-to-LSOA lookup,
-- the neighbourhoods' postcode sectors, IDACI 2025 and Census 2021 TS011), one row per
-- count: a neighbourhood none of whose LSOAs (int_area_reachable_lsoas) is in an IDACI
-- quintile has no child in it, nor in the most deprived quintile, and one with no LSOA where
-- a fifth of households are deprived in two or more dimensions has no child counted by
-- child_mdh_local. Disclosure control publishes such a count as 0 (hiding it as small
-- protects no one), never hides it to protect another, audits as a reader who knows it, and
-- knows an authority's count is 0 where all its neighbourhoods' are (primary.known_zeros).
with reachable as (
    select * from {{ ref('int_area_reachable_lsoas') }}
),

neighbourhoods as (
    select distinct neighbourhood_code from {{ ref('stg_reference__neighbourhoods') }}
),

-- only the years whose postcode lookup and index (IDACI, or TS011) were landed: without the
-- index, no child's LSOA has a quintile and every count would be a 0 that says nothing
landed as (
    select distinct time_period, 'idaci' as landed_index from {{ ref('stg_idaci__lsoas') }}
    union
    select distinct time_period, 'ts011' from {{ ref('stg_household_deprivation__lsoas') }}
),

areas as (
    select
        landed.time_period, landed.landed_index, neighbourhoods.neighbourhood_code as area_code
    from landed
    cross join neighbourhoods
    where landed.time_period in (
        select time_period from {{ ref('stg_postcode_lsoa__postcodes') }}
    )
),

quintiles as (
    select idaci_quintile from (values (1), (2), (3), (4), (5)) as q (idaci_quintile)
),

empty_quintiles as (
    select areas.time_period, areas.area_code, quintiles.idaci_quintile
    from areas cross join quintiles
    where areas.landed_index = 'idaci' and not exists (
        select 1 from reachable
        where reachable.time_period = areas.time_period
            and reachable.neighbourhood_code = areas.area_code
            and reachable.idaci_quintile = quintiles.idaci_quintile
    )
),

no_deprived_lsoa as (
    select areas.time_period, areas.area_code
    from areas
    where areas.landed_index = 'ts011' and not exists (
        select 1 from reachable
        where reachable.time_period = areas.time_period
            and reachable.neighbourhood_code = areas.area_code
            and reachable.share_deprived_two_plus >= {{ child_mdh_lsoa_share() }}
    )
),

declared as (
    select
        'children_idaci_most_deprived' as indicator_id, time_period, area_code,
        'All' as breakdown, 'All children' as "group", 'numerator' as count,
        'No LSOA of the area is in IDACI 2025 quintile 1' as why
    from empty_quintiles
    where idaci_quintile = 1
    union all
    select
        'gld_by_idaci_quintile', time_period, area_code, 'IDACI quintile of home',
        'Quintile ' || idaci_quintile, count,
        'No LSOA of the area is in IDACI 2025 quintile ' || idaci_quintile
    from empty_quintiles
    cross join (values ('numerator'), ('denominator')) as counts (count)
    union all
    select
        'child_mdh_local', time_period, area_code, 'All', 'All children', 'numerator',
        'No LSOA of the area has a fifth of households deprived in two or more dimensions'
    from no_deprived_lsoa
)

select * from declared
order by indicator_id, time_period, area_code, breakdown, "group", count
