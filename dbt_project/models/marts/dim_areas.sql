-- Every area Chorus publishes for: authorities, and neighbourhoods with their authority.
-- Disclosure control uses the parent to know which neighbourhoods add up to which total.
with children as (
    select * from {{ ref('int_children_joined') }}
),

neighbourhood_authorities as (
    select * from {{ ref('int_neighbourhood_authorities') }}
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

-- Neighbourhoods where children live, and any where only families were heard (placed in
-- int_neighbourhood_authorities): every area a published cell may belong to.
neighbourhoods as (
    select distinct
        'Neighbourhood' as geographic_level,
        neighbourhood_authorities.neighbourhood_code as area_code,
        neighbourhood_authorities.neighbourhood_name as area_name,
        neighbourhood_authorities.new_la_code as parent_area_code,
        authorities.la_code
    from neighbourhood_authorities
    inner join authorities
        on neighbourhood_authorities.new_la_code = authorities.area_code
)

select * from authorities
union all
select * from neighbourhoods
