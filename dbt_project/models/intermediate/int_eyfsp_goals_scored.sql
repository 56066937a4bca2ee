-- Each child's result in each early learning goal: one row per child per year per goal, the
-- goal's number, name and area of learning from seeds/eyfsp_early_learning_goals.csv (the
-- return's elgNN column is the goal numbered NN: tests/assert_gld_goals_match_seed.sql).
-- "A" (not assessed) is not at the expected level (DfE rule), as in int_eyfsp_outcomes_scored.
with results as (
    select * from {{ ref('stg_eyfsp__results') }}
),

goals as (
    select * from {{ ref('eyfsp_early_learning_goals') }}
),

per_goal as (
    select
        results.child_id,
        results.time_period,
        goals.elg_number,
        goals.elg,
        goals.area_code,
        goals.area,
        case goals.elg_number
            {%- for column in elg_columns() %}
            when {{ loop.index }} then results.{{ column }}
            {%- endfor %}
        end as result
    from results
    cross join goals
)

select
    child_id,
    time_period,
    elg_number,
    elg,
    area_code,
    area,
    result,
    {{ at_expected('result') }} as is_expected
from per_goal
