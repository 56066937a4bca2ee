-- The reception cohort's children (int_children_joined) with the 2021 LSOA of their home
-- postcode: the census's `postcode_pseudonym` meets the postcode-to-LSOA lookup's (the same
-- keyed pseudonym; no postcode is kept), in the same academic year. A child whose postcode
-- is not in the landed lookup keeps a null LSOA. Kept apart from int_children_joined, so
-- only the indicators built on it read the lookup.
with children as (
    select * from {{ ref('int_children_joined') }}
),

census as (
    select * from {{ ref('stg_census__pupils') }}
),

postcodes as (
    select * from {{ ref('stg_postcode_lsoa__postcodes') }}
)

select
    children.child_id,
    children.time_period,
    children.neighbourhood_code,
    children.neighbourhood_name,
    children.new_la_code,
    children.la_name,
    children.fsm_eligibility,
    children.is_gld,
    postcodes.lsoa_code
from children
inner join census
    on children.child_id = census.child_id
    and children.time_period = census.time_period
left join postcodes
    on census.postcode_pseudonym = postcodes.postcode_pseudonym
    and census.time_period = postcodes.time_period
