{#- The financial year (April to March) a date falls in, as the published tables write it:
    202425 for 1 April 2024 to 31 March 2025 (integer; null for a null date). -#}
{% macro financial_year(date) -%}
case
    when month({{ date }}) >= 4 then year({{ date }}) * 100 + (year({{ date }}) + 1) % 100
    else (year({{ date }}) - 1) * 100 + year({{ date }}) % 100
end
{%- endmacro %}

{#- The quarter of the financial year a date falls in, labelled as the financial_quarter
    period type's time identifiers (dbt_project/metadata/periods.yml): 'Financial year Q1'
    (April to June) ... 'Financial year Q4' (January to March); null for a null date. -#}
{% macro financial_quarter_label(date) -%}
'Financial year Q' || cast((month({{ date }}) + 8) % 12 // 3 + 1 as varchar)
{%- endmacro %}
