-- Which authority each neighbourhood belongs to: the authority whose children live there.
-- A neighbourhood of the lookup where no child lives (in any year) belongs to the authority
-- when the warehouse holds only one, so that a family heard there, or a child the health
-- visitors reviewed, is still placed: the only authority of its children; with no child at
-- all (no EYFSP return and census loaded), the only authority of the run (int_authorities:
-- then those of the LA's teams and districts lists). Without it, every row placed by
-- postcode sector (placed_rows, int_voice_responses_placed) would be dropped by their inner
-- joins after ingest loaded it.
with children as (
    select * from {{ ref('int_children_joined') }}
),

neighbourhoods as (
    select * from {{ ref('stg_reference__neighbourhoods') }}
),

from_children as (
    select distinct
        neighbourhood_code,
        neighbourhood_name,
        new_la_code,
        la_name
    from children
),

run_authorities as (
    select new_la_code, la_name from from_children
    union
    select area_code as new_la_code, area_name as la_name
    from {{ ref('int_authorities') }}
    where not exists (select 1 from from_children)
),

only_authority as (
    select min(new_la_code) as new_la_code, min(la_name) as la_name
    from run_authorities
    having count(distinct new_la_code) = 1
),

without_children as (
    select distinct
        neighbourhoods.neighbourhood_code,
        neighbourhoods.neighbourhood_name,
        only_authority.new_la_code,
        only_authority.la_name
    from neighbourhoods
    cross join only_authority
    where neighbourhoods.neighbourhood_code not in (
        select neighbourhood_code from from_children
    )
)

select * from from_children
union all
select * from without_children
