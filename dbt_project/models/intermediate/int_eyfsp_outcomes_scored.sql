-- Each child's EYFSP outcomes: ELGs at expected, Good Level of Development, all 17 at expected.
-- "A" (not assessed) keeps the child in the cohort and counts as not at expected (DfE rule).
with results as (
    select * from {{ ref('stg_eyfsp__results') }}
),

scored as (
    select
        child_id,
        academic_year,
        time_period,
        la_code,
        sex,
        birth_year,
        birth_month,
        {% for column in elg_columns() -%}
        cast({{ at_expected(column) }} as integer){% if not loop.last %} + {% endif %}
        {%- endfor %} as elgs_at_expected,
        {% for column in gld_elg_columns() -%}
        {{ at_expected(column) }}{% if not loop.last %} and {% endif %}
        {%- endfor %} as is_gld,
        {% for column in elg_columns() -%}
        {{ at_expected(column) }}{% if not loop.last %} and {% endif %}
        {%- endfor %} as is_all_elgs_expected,
        {% for column in elg_columns() -%}
        {{ column }} = 'A'{% if not loop.last %} or {% endif %}
        {%- endfor %} as has_goal_not_assessed
    from results
)

select * from scored
