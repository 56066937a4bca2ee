-- The authorities a run publishes for: those where children of the returns live, and those
-- with teams or districts in the LA's lists (seeds/teams.csv, seeds/districts.csv).
with children as (
    select * from {{ ref('int_children_joined') }}
),

listed_authorities as (
    select * from {{ ref('stg_reference__local_authorities') }}
)

select distinct
    new_la_code as area_code,
    la_name as area_name,
    la_code
from children
union
select
    listed_authorities.new_la_code as area_code,
    listed_authorities.la_name as area_name,
    listed_authorities.la_code
from listed_authorities
where listed_authorities.new_la_code in (
    select teams.new_la_code from {{ ref('stg_reference__teams') }} as teams
    union
    select districts.new_la_code from {{ ref('stg_reference__districts') }} as districts
)
