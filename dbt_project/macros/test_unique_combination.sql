{#- A generic test: no two rows share the same values in all the given columns
    (what dbt_utils.unique_combination_of_columns does; hub packages cannot be installed).
    A period is its time_period and time_identifier (two months of one year are two
    periods): when `time_period` is listed and the model has a time_identifier column, it
    is part of the combination too (as indicators.declarations.period_columns keys it). -#}
{% test unique_combination(model, columns) %}
{%- set keys = columns | list -%}
{%- if execute and 'time_period' in keys and 'time_identifier' not in keys -%}
    {%- set present = adapter.get_columns_in_relation(model) | map(attribute='name') | list -%}
    {%- if 'time_identifier' in present -%}
        {%- do keys.insert(keys.index('time_period') + 1, 'time_identifier') -%}
    {%- endif -%}
{%- endif %}
select
    {{ keys | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ keys | join(', ') }}
having count(*) > 1
{% endtest %}
