-- Every indicator's values in one table: one row per indicator, year, area, breakdown and group.
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
        value
    from {{ ref(name) }}
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}
)

select *
from collected
order by indicator_id, time_period, geographic_level desc, area_code, breakdown, "group"
