-- Each indicator and every raw table it is built from (its model's upstream sources in dbt's
-- graph, however many models lie between). The publication reads it to say whether a
-- quarter or year of an indicator had every month of its monthly sources landed
-- (indicators/publish/period_coverage.py); nothing here names a source.
{%- set pairs = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values()
          if node.resource_type == 'model' and node.fqn[1] == 'indicators' %}
        {%- set queue = [node.unique_id] %}
        {%- for place in range(1000) if place < queue | length %}
            {%- set unique_id = queue[place] %}
            {%- if unique_id in graph.sources %}
                {%- do pairs.append((node.name, node.config.meta.get('indicator', {}).get('indicator_id'), graph.sources[unique_id].name)) %}
            {%- elif unique_id in graph.nodes %}
                {%- for parent in graph.nodes[unique_id].depends_on.nodes if parent not in queue %}
                    {%- do queue.append(parent) %}
                {%- endfor %}
            {%- endif %}
        {%- endfor %}
    {%- endfor %}
{%- endif %}

{%- if pairs %}
select distinct model, indicator_id, source_table from (
    values
    {%- for model, indicator_id, source_table in pairs | sort %}
    ({{ sql_text(model) }}, {{ sql_text(indicator_id) }}, {{ sql_text(source_table) }}){% if not loop.last %},{% endif %}
    {%- endfor %}
) as sources (model, indicator_id, source_table)
{%- else %}
select
    cast(null as varchar) as model,
    cast(null as varchar) as indicator_id,
    cast(null as varchar) as source_table
where false
{%- endif %}
