{#- Portable SQL helpers: the project runs on DuckDB by default and is kept portable to a
    shared warehouse (docs/scaling.md), so models use these rather than one engine's
    functions. -#}

{#- How many rows of the group meet `condition` (DuckDB's count_if, in standard SQL). -#}
{% macro count_where(condition) -%}
    sum(case when {{ condition }} then 1 else 0 end)
{%- endmacro %}
