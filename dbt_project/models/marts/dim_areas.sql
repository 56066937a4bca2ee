-- Every area Chorus publishes for: authorities (each within its combined authority or
-- region, where an indicator publishes that area), those areas, and neighbourhoods, teams
-- and districts with their authority. Disclosure control uses the parent to know which
-- areas add up to which total (each level on its own: an authority's neighbourhoods, and
-- its teams; a combined authority's authorities).
with neighbourhood_authorities as (
    select * from {{ ref('int_neighbourhood_authorities') }}
),

listed_authorities as (
    select * from {{ ref('stg_reference__local_authorities') }}
),

-- The LA's teams and districts (seeds/teams.csv, seeds/districts.csv), each in an
-- authority of the LA list. A team's parent is its district when teams.csv gives one of
-- the same authority (stg_reference__team_districts), so teams add up to their district and
-- districts to the authority; else the authority.
team_areas as (
    select distinct
        'Team' as geographic_level,
        teams.team_code as area_code,
        teams.team_name as area_name,
        coalesce(team_districts.district_code, teams.new_la_code) as parent_area_code,
        listed_authorities.la_code
    from {{ ref('stg_reference__teams') }} as teams
    inner join listed_authorities
        on teams.new_la_code = listed_authorities.new_la_code
    left join {{ ref('stg_reference__team_districts') }} as team_districts
        on teams.team_code = team_districts.team_code
),

district_areas as (
    select distinct
        'Local authority district' as geographic_level,
        districts.district_code as area_code,
        districts.district_name as area_name,
        districts.new_la_code as parent_area_code,
        listed_authorities.la_code
    from {{ ref('stg_reference__districts') }} as districts
    inner join listed_authorities
        on districts.new_la_code = listed_authorities.new_la_code
),

-- The areas above authorities that some indicator publishes (a combined authority, a
-- region: indicator_over_rows adds one up where every authority seeds/authority_areas.csv
-- puts in it has rows), as listed; each authority of the run lies within the nearest of
-- them it is listed in (its combined authority, else its region), if any.
published_above as (
    select distinct geographic_level, area_code
    from {{ ref('int_indicator_values_collected') }}
    where (geographic_level, area_code) in (
        select geographic_level, area_code from {{ authority_listing() }} as listed
    )
),

listing as (
    select listed.*
    from {{ authority_listing() }} as listed
    inner join published_above
        on listed.geographic_level = published_above.geographic_level
        and listed.area_code = published_above.area_code
),

authorities as (
    select
        'Local authority' as geographic_level,
        run_authorities.area_code,
        run_authorities.area_name,
        nearest.area_code as parent_area_code,
        run_authorities.la_code
    from {{ ref('int_authorities') }} as run_authorities
    left join listing as nearest
        on run_authorities.area_code = nearest.new_la_code
        and nearest.nearness = (
            select min(others.nearness) from listing as others
            where others.new_la_code = run_authorities.area_code
        )
),

-- Each such area within the nearest other one that holds all its authorities (a combined
-- authority in its region). la_code is null: such an area has no LA number.
group_parents as (
    select
        inner_areas.area_code,
        outer_areas.area_code as parent_area_code,
        outer_areas.nearness
    from listing as inner_areas
    inner join listing as outer_areas
        on inner_areas.new_la_code = outer_areas.new_la_code
        and outer_areas.nearness > inner_areas.nearness
    group by inner_areas.area_code, inner_areas.members, outer_areas.area_code, outer_areas.nearness
    having count(*) = inner_areas.members
),

groups as (
    select distinct
        listing.geographic_level,
        listing.area_code,
        listing.area_name,
        (
            select min(group_parents.parent_area_code) from group_parents
            where group_parents.area_code = listing.area_code
                and group_parents.nearness = (
                    select min(nearer.nearness) from group_parents as nearer
                    where nearer.area_code = listing.area_code
                )
        ) as parent_area_code,
        cast(null as varchar) as la_code
    from listing
),

-- Neighbourhoods where children live, and any where only families were heard (placed in
-- int_neighbourhood_authorities): every area a published cell may belong to.
neighbourhoods as (
    select distinct
        'Neighbourhood' as geographic_level,
        neighbourhood_authorities.neighbourhood_code as area_code,
        neighbourhood_authorities.neighbourhood_name as area_name,
        neighbourhood_authorities.new_la_code as parent_area_code,
        authorities.la_code
    from neighbourhood_authorities
    inner join authorities
        on neighbourhood_authorities.new_la_code = authorities.area_code
)

select * from groups
union all
select * from authorities
union all
select * from neighbourhoods
union all
select * from team_areas
union all
select * from district_areas
