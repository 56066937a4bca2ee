{#- Portable SQL helpers: the project runs on DuckDB by default and is kept portable to a
    shared warehouse (docs/scaling.md), so models use these rather than one engine's
    functions. -#}

{#- How many rows of the group meet `condition` (DuckDB's count_if, in standard SQL). -#}
{% macro count_where(condition) -%}
    sum(case when {{ condition }} then 1 else 0 end)
{%- endmacro %}

{#- Integer division of non-negative integers (DuckDB's //; Postgres's / on integers). -#}
{% macro int_div(dividend, divisor) -%}
    {{ return(adapter.dispatch('int_div')(dividend, divisor)) }}
{%- endmacro %}
{% macro default__int_div(dividend, divisor) -%}(({{ dividend }}) / ({{ divisor }})){%- endmacro %}
{% macro duckdb__int_div(dividend, divisor) -%}(({{ dividend }}) // ({{ divisor }})){%- endmacro %}

{#- A date's month and year as bigint (DuckDB's month() and year()). -#}
{% macro month_number(date) -%}cast(extract(month from {{ date }}) as bigint){%- endmacro %}
{% macro year_number(date) -%}cast(extract(year from {{ date }}) as bigint){%- endmacro %}

{#- A date's month's English name ('January'), as DuckDB's monthname(). -#}
{% macro month_name(date) -%}
    {{ return(adapter.dispatch('month_name')(date)) }}
{%- endmacro %}
{% macro default__month_name(date) -%}to_char({{ date }}, 'FMMonth'){%- endmacro %}
{% macro duckdb__month_name(date) -%}monthname({{ date }}){%- endmacro %}

{#- A 'YYYY-MM' text as the first day of that month, null when it is not a month (DuckDB's
    try_cast of text || '-01' as date). -#}
{% macro try_month_start(text) -%}
    {{ return(adapter.dispatch('try_month_start')(text)) }}
{%- endmacro %}
{% macro default__try_month_start(text) -%}
case when ({{ text }}) ~ '^[0-9]{4}-(0?[1-9]|1[0-2])$' then to_date(({{ text }}) || '-01', 'YYYY-MM-DD') end
{%- endmacro %}
{% macro duckdb__try_month_start(text) -%}try_cast(({{ text }}) || '-01' as date){%- endmacro %}

{#- A 'Month YYYY' text ('April 2024') as the first day of that month; null when it is not
    one (DuckDB's try_strptime(text, '%B %Y')). -#}
{% macro month_year_date(text) -%}
    {{ return(adapter.dispatch('month_year_date')(text)) }}
{%- endmacro %}
{% macro default__month_year_date(text) -%}
case when ({{ text }}) ~* '^(January|February|March|April|May|June|July|August|September|October|November|December) +[0-9]{4}$'
    then to_date({{ text }}, 'FMMonth YYYY') end
{%- endmacro %}
{% macro duckdb__month_year_date(text) -%}cast(try_strptime({{ text }}, '%B %Y') as date){%- endmacro %}

{#- The median of a group's values (DuckDB's median: the mean of the middle two when even). -#}
{% macro median_of(expression) -%}
    {{ return(adapter.dispatch('median_of')(expression)) }}
{%- endmacro %}
{% macro default__median_of(expression) -%}percentile_cont(0.5) within group (order by {{ expression }}){%- endmacro %}
{% macro duckdb__median_of(expression) -%}median({{ expression }}){%- endmacro %}

{#- A group's values as a sorted array of doubles (DuckDB's list(... order by ...)). -#}
{% macro ordered_doubles(expression) -%}
    {{ return(adapter.dispatch('ordered_doubles')(expression)) }}
{%- endmacro %}
{% macro default__ordered_doubles(expression) -%}array_agg(cast({{ expression }} as double precision) order by {{ expression }}){%- endmacro %}
{% macro duckdb__ordered_doubles(expression) -%}list(cast({{ expression }} as double) order by {{ expression }}){%- endmacro %}

{#- The first day of each month from `start_date`'s to `months` months after it, one row
    each (column month_start, a date), for a lateral join. -#}
{% macro months_from(start_date, months) -%}
    {{ return(adapter.dispatch('months_from')(start_date, months)) }}
{%- endmacro %}
{% macro default__months_from(start_date, months) -%}
select cast(generate_series(
    date_trunc('month', {{ start_date }}),
    date_trunc('month', {{ start_date }}) + interval '{{ months }} months',
    interval '1 month'
) as date) as month_start
{%- endmacro %}
{% macro duckdb__months_from(start_date, months) -%}
select cast(unnest(generate_series(
    date_trunc('month', {{ start_date }}),
    date_trunc('month', {{ start_date }}) + interval {{ months }} month,
    interval 1 month
)) as date) as month_start
{%- endmacro %}
