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

{#- The levels whose areas are groups of whole authorities (`of: authorities`),
    nearest the authority first: int_authority_areas keeps an authority's areas at
    them, and indicator_over_rows adds their rows to every authority figure. -#}
{% macro authority_group_levels() -%}
    {{ return(['English devolved area', 'Regional']) }}
{%- endmacro %}
