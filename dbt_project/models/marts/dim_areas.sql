-- Every area Chorus publishes for: authorities, and neighbourhoods, teams and districts
-- with their authority. Disclosure control uses the parent to know which areas add up to
-- which total (each level on its own: an authority's neighbourhoods, and its teams).
with children as (
    select * from {{ ref('int_children_joined') }}
),

neighbourhood_authorities as (
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

-- Authorities with children, and those with teams or districts.
authorities as (
    select distinct
        'Local authority' as geographic_level,
        new_la_code as area_code,
        la_name as area_name,
        cast(null as varchar) as parent_area_code,
        la_code
    from children
    union
    select
        'Local authority' as geographic_level,
        listed_authorities.new_la_code as area_code,
        listed_authorities.la_name as area_name,
        cast(null as varchar) as parent_area_code,
        listed_authorities.la_code
    from listed_authorities
    where listed_authorities.new_la_code in (
        select teams.new_la_code from {{ ref('stg_reference__teams') }} as teams
        union
        select parent_area_code from district_areas
    )
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

select * from authorities
union all
select * from neighbourhoods
union all
select * from team_areas
union all
select * from district_areas
