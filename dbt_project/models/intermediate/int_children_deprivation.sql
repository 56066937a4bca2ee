-- The reception cohort's children with their home LSOA (int_children_lsoas) and its IDACI
-- 2025 decile and quintile, in the same academic year; 'LSOA not known' where the landed
-- lookup does not place the postcode or the landed IDACI file does not rank the LSOA.
with children as (
    select * from {{ ref('int_children_lsoas') }}
),

idaci as (
    select * from {{ ref('stg_idaci__lsoas') }}
)

select
    children.*,
    idaci.idaci_decile,
    idaci.idaci_quintile,
    coalesce('Quintile ' || idaci.idaci_quintile, 'LSOA not known') as idaci_quintile_group
from children
left join idaci
    on children.lsoa_code = idaci.lsoa_code
    and children.time_period = idaci.time_period
