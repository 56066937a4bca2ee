-- Which authority each neighbourhood belongs to: the authority whose children live there.
-- A neighbourhood of the lookup where no child lives (in any year) belongs to the only
-- authority, so that a family heard there, or a child of the health files, is still placed:
-- the children's authority when they all live in one, and when the warehouse holds no child
-- at all (a landing of the health files, the care leavers' and Early Help returns, no EYFSP
-- return or census) the only authority of the run (int_authorities: the one the LA's teams
-- and districts are in). Else the rows the ingest placed by postcode sector would have no
-- authority, and their staging models would lose them.
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

children_authority as (
    select min(new_la_code) as new_la_code, min(la_name) as la_name
    from from_children
    having count(distinct new_la_code) = 1
),

run_authority as (
    select min(area_code) as new_la_code, min(area_name) as la_name
    from {{ ref('int_authorities') }}
    where not exists (select 1 from from_children)
    having count(distinct area_code) = 1
),

only_authority as (
    select * from children_authority
    union all
    select * from run_authority
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
