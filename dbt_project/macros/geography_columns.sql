{#- Generated from dbt_project/metadata/geographies.yml (`columns:`) by `chorus
    dbt-refresh`: edit the YAML, not this. Each level's row columns holding an area's
    code and name, which indicator_over_rows (macros/indicators.sql) groups by. -#}
{% macro geography_columns() -%}
    {{ return({
        'Local authority': ('new_la_code', 'la_name'),
        'Local authority district': ('district_code', 'district_name'),
        'Neighbourhood': ('neighbourhood_code', 'neighbourhood_name'),
        'Team': ('team_code', 'team_name'),
    }) }}
{%- endmacro %}
