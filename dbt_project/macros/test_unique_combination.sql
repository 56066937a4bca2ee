{#- A generic test: no two rows share the same values in all the given columns
    (what dbt_utils.unique_combination_of_columns does; hub packages cannot be installed). -#}
{% test unique_combination(model, columns) %}
select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
