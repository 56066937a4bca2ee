-- Every area Chorus publishes for: authorities, and neighbourhoods with their authority.
-- Disclosure control uses the parent to know which neighbourhoods add up to which total.
with children as (
    select * from {{ ref('int_children_joined') }}
),

authorities as (
    select distinct
        'Local authority' as geographic_level,
        new_la_code as area_code,
        la_name as area_name,
        cast(null as varchar) as parent_area_code,
        la_code
    from children
),

neighbourhoods as (
    select distinct
        'Neighbourhood' as geographic_level,
        neighbourhood_code as area_code,
        neighbourhood_name as area_name,
        new_la_code as parent_area_code,
        la_code
    from children
)

select * from authorities
union all
select * from neighbourhoods
