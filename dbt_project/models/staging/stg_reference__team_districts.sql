-- Each team's district (seeds/teams.csv `district_code`), where it names a usable district of
-- seeds/districts.csv in the team's own authority: the team's figures add up to that
-- district's (dim_areas: its parent), and the district's to the authority's. A team with a
-- blank district, or one that is not a district of its authority (the ingest names it,
-- rule team_district_unknown), is counted directly in its authority and has no row here.
select
    teams.team_code,
    districts.district_code,
    districts.district_name,
    teams.new_la_code
from {{ ref('stg_reference__teams') }} as teams
inner join {{ ref('stg_reference__districts') }} as districts
    on
        teams.district_code = districts.district_code
        and teams.new_la_code = districts.new_la_code
