-- The LA's health-to-education linkage for a reception year (academic year,
-- sources/health_education_linkage/base.yml): one row per linked child, both identifiers
-- pseudonymised at the door as their own returns are, so `child_health_pseudonym` joins the
-- health files and `child_pseudonym` the census's and EYFSP return's `child_id`. The only
-- way a two-year review meets a reception child (never date of birth or postcode).
with source as (
    select * from {{ source('raw', 'health_education_linkage') }}
)

select
    cast(time_period as integer) as time_period,
    academic_year,
    child_health_pseudonym,
    child_pseudonym,
    _source_file,
    cast(_source_row as integer) as _source_row
from source
