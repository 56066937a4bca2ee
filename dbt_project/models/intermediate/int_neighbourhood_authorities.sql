-- Which authority each neighbourhood belongs to: the authority whose children live there.
-- A neighbourhood of the lookup where no child lives (in any year) belongs to the authority
-- when the warehouse holds only one, so that a family heard there is still placed.
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

only_authority as (
    select min(new_la_code) as new_la_code, min(la_name) as la_name
    from from_children
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
