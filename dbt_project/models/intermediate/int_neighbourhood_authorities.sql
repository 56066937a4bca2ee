-- Which authority each neighbourhood belongs to: the authority whose children live there.
with children as (
    select * from {{ ref('int_children_joined') }}
)

select distinct
    neighbourhood_code,
    neighbourhood_name,
    new_la_code,
    la_name
from children
