{#- What int_indicator_values_collected unions: every indicator model, by an explicit ref.

    dbt must know a model's refs when it parses the project, before `graph` exists, so the
    union's refs are written out in its SQL, generated from the files in models/indicators/
    by `chorus dbt-refresh` (and by `chorus new-indicator`). At run time the refs are checked
    against the graph: a model added by hand without regenerating stops the build with the
    fix. -#}

{#- The standard columns every indicator model returns (macros/indicators.sql); ordered_values
    only a median's (null for the others). -#}
{% macro indicator_columns() -%}
    indicator_id, time_period, time_identifier, geographic_level, area_code, area_name, breakdown, "group",
    numerator, denominator, value, standard_deviation, ordered_values
{%- endmacro %}

{% macro assert_all_indicators_collected() -%}
    {%- if execute -%}
        {%- set in_graph = [] -%}
        {%- for node in graph.nodes.values()
              if node.resource_type == 'model' and node.fqn[1] == 'indicators' -%}
            {%- do in_graph.append(node.name) -%}
        {%- endfor -%}
        {%- set collected = [] -%}
        {%- for unique_id in model.depends_on.nodes if unique_id.startswith('model.') -%}
            {%- do collected.append(unique_id.split('.')[-1]) -%}
        {%- endfor -%}
        {%- set missing = in_graph | reject('in', collected) | sort -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "int_indicator_values_collected does not collect " ~ (missing | join(', ')) ~
                " (models/indicators/): run `chorus dbt-refresh` to write its refs again "
                "(the model is generated from that folder)") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- One indicator model's rows in the standard columns, a column it does not have (a whole
    year's time_identifier, a non-median's ordered_values) as a typed null: DuckDB's
    `union all by name`, spelt out so that the union runs on every warehouse. -#}
{% macro indicator_rows(relation) -%}
{%- set present = (adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) if execute else [] -%}
{%- set null_types = {'time_identifier': 'varchar', 'ordered_values': 'double precision[]',
                      'standard_deviation': 'double precision'} -%}
select
    {%- for column in indicator_columns().split(',') | map('trim') | map('replace', '"', '') %}
    {% if column in present or not execute -%}
    {{ adapter.quote(column) if column == 'group' else column }}
    {%- else -%}
    cast(null as {{ null_types.get(column, 'varchar') }}) as {{ adapter.quote(column) if column == 'group' else column }}
    {%- endif %}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ relation }}
{%- endmacro %}
