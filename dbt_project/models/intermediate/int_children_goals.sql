-- One row per child per year per early learning goal, placed as int_children_joined places
-- the child (neighbourhood, LA): the rows of the per-goal indicator (elg_expected).
with goals as (
    select * from {{ ref('int_eyfsp_goals_scored') }}
),

children as (
    select * from {{ ref('int_children_joined') }}
)

select
    children.child_id,
    children.time_period,
    children.new_la_code,
    children.la_name,
    children.neighbourhood_code,
    children.neighbourhood_name,
    goals.elg_number,
    goals.elg,
    goals.area_code,
    goals.area,
    goals.is_expected
from goals
inner join children
    on goals.child_id = children.child_id
    and goals.time_period = children.time_period
