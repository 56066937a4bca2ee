-- One row per child per year per area of learning (seeds/eyfsp_early_learning_goals.csv):
-- whether the child reached the expected level in every goal of the area (area_expected).
with goals as (
    select * from {{ ref('int_children_goals') }}
)

select
    child_id,
    time_period,
    new_la_code,
    la_name,
    neighbourhood_code,
    neighbourhood_name,
    area_code,
    area,
    min(elg_number) as first_elg_number,
    sum(case when is_expected then 1 else 0 end) = count(*) as is_area_expected
from goals
group by
    child_id, time_period, new_la_code, la_name, neighbourhood_code, neighbourhood_name,
    area_code, area
