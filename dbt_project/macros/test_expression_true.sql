{#- A generic test: every row satisfies a SQL boolean expression. -#}
{% test expression_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
