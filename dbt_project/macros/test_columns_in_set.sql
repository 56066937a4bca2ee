{#- A generic test: every listed column holds one of the allowed values (one query for many
    columns, e.g. the 17 ELG results, instead of one test per column). -#}
{% test columns_in_set(model, columns, values) %}
{%- set allowed = [] -%}
{%- for value in values -%}{%- do allowed.append("'" ~ value ~ "'") -%}{%- endfor %}
select *
from {{ model }}
where
    {%- for column in columns %}
    {{ column }} not in ({{ allowed | join(', ') }}){% if not loop.last %} or{% endif %}
    {%- endfor %}
{% endtest %}
