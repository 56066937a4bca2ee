-- The areas above each authority that it lies in (seeds/authority_areas.csv, from the
-- landing area's seeds/ when it brings one: loaded as read into raw.authority_areas): its
-- region and, where it has one, its combined authority (EES's English devolved area),
-- trimmed. A row naming a level dbt_project/metadata/geographies.yml does not declare as
-- one of authorities (`of: authorities`), or an authority listed twice at one level, fails
-- this model's tests (the quality report names it).
with source as (
    select * from {{ source('raw', 'authority_areas') }}
)

select
    trim(new_la_code) as new_la_code,
    trim(geographic_level) as geographic_level,
    trim(area_code) as area_code,
    trim(area_name) as area_name,
    _source_file
from source
where coalesce(trim(new_la_code), '') <> ''
    and coalesce(trim(area_code), '') <> ''
