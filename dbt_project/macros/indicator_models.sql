{#- The indicator models that fct_indicator_values collects.

    dbt must know a model's refs when it parses the project, before `graph` is filled, so
    the list cannot come from the graph at parse time. Chorus sets CHORUS_INDICATOR_MODELS
    to every .sql file under models/indicators/ before each dbt parse or build
    (orchestration/dbt_assets.py: dbt_environment), so no hand-kept list exists. At run time
    the list is checked against the graph, and a stale list stops the build with the fix. -#}
{% macro indicator_models() -%}
    {%- set listed = env_var('CHORUS_INDICATOR_MODELS', '') -%}
    {%- set names = [] -%}
    {%- for name in listed.split(',') if name | trim -%}
        {%- do names.append(name | trim) -%}
    {%- endfor -%}
    {%- if not names -%}
        {{ exceptions.raise_compiler_error(
            "CHORUS_INDICATOR_MODELS is not set: run dbt through Chorus (`chorus dbt -- build`)"
            " so fct_indicator_values can collect every model in models/indicators/") }}
    {%- endif -%}
    {{ return(names | sort) }}
{%- endmacro %}

{% macro assert_all_indicators_collected(names) -%}
    {%- if execute -%}
        {%- set in_graph = [] -%}
        {%- for node in graph.nodes.values()
              if node.resource_type == 'model' and node.fqn[1] == 'indicators' -%}
            {%- do in_graph.append(node.name) -%}
        {%- endfor -%}
        {%- if (in_graph | sort) != (names | sort) -%}
            {{ exceptions.raise_compiler_error(
                "fct_indicator_values would collect " ~ (names | sort) ~ " but models/indicators/"
                " holds " ~ (in_graph | sort) ~ ": run dbt through Chorus (`chorus dbt -- build`),"
                " which lists them for you") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
