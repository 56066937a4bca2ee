-- Every indicator model's rows in one table, in the standard shape (macros/indicators.sql).
-- Collects each model in models/indicators/ automatically (macros/indicator_models.sql).
{%- set names = indicator_models() %}
{{ assert_all_indicators_collected(names) }}

with collected as (
    {% for name in names -%}
    select
        indicator_id,
        time_period,
        geographic_level,
        area_code,
        area_name,
        breakdown,
        "group",
        numerator,
        denominator,
        value,
        standard_deviation
    from {{ ref(name) }}
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}
)

select * from collected
