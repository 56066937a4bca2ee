-- The indicator register: one row per indicator model, from its YAML meta.indicator.
-- Read from dbt's graph when the model runs, so adding an indicator needs no list kept here.
{%- set fields = register_fields() %}
{%- set rows = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values()
          if node.resource_type == 'model' and node.fqn[1] == 'indicators' %}
        {%- do rows.append(node) %}
    {%- endfor %}
{%- endif %}

{%- if rows %}
select * from (
    values
    {%- for node in rows | sort(attribute='name') %}
    ({{ sql_text(node.name) }},
        {%- for field in fields %}
        {{ sql_text(node.config.meta.get('indicator', {}).get(field)) }}{% if not loop.last %},{% endif %}
        {%- endfor %}){% if not loop.last %},{% endif %}
    {%- endfor %}
) as register (model, {{ fields | join(', ') }})
{%- else %}
select
    cast(null as varchar) as model,
    {%- for field in fields %}
    cast(null as varchar) as {{ field }}{% if not loop.last %},{% endif %}
    {%- endfor %}
where false
{%- endif %}
