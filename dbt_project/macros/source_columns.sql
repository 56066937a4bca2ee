{#- The columns a raw source has, as dbt's sources (models/staging/_sources.yml, generated
    from the source specs by `chorus dbt-refresh`) list them, in the spec's order, leaving
    out `exclude` and provenance (`_source_file`...); with `suffix`, only the names that end
    with it; with `without_suffix`, only those that do not. Empty while dbt
    only parses (the graph is read at execution). Used to read a spec's repeated columns
    (one per Pathway Plan topic, say) as rows without naming each in SQL. -#}
{% macro source_columns(source_name, table_name, exclude=[], suffix=none, without_suffix=none) -%}
{%- set found = [] -%}
{%- if execute -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == source_name and node.name == table_name -%}
            {%- for column in node.columns -%}
                {%- if column not in exclude
                    and (suffix is none or column.endswith(suffix))
                    and (without_suffix is none or not column.endswith(without_suffix))
                    and not column.startswith('_') -%}
                    {%- do found.append(column) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{{ return(found) }}
{%- endmacro %}
