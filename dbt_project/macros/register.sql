{#- The indicator register's fields, in order: each indicator model's YAML meta.indicator. -#}
{% macro register_fields() -%}
    {{ return([
        'indicator_id', 'title', 'definition', 'rationale', 'domain', 'source_type',
        'numerator_definition', 'numerator_source', 'denominator_definition',
        'denominator_source', 'value_type', 'unit', 'numerator_unit', 'denominator_unit',
        'polarity', 'ci_method',
        'disclosure_rule', 'frequency', 'caveats', 'outcome', 'co_designed_by',
        'co_designed_on', 'score_max', 'decimals', 'relations', 'comparable_from',
        'levels', 'period_type', 'follow_up',
    ]) }}
{%- endmacro %}

{#- A field as SQL text; a mapping or list (e.g. `relations`) as JSON. -#}
{% macro sql_text(value) -%}
    {%- if value is none -%}cast(null as varchar)
    {%- elif value is mapping or (value is iterable and value is not string) -%}'{{ tojson(value, sort_keys=true) | replace("'", "''") }}'
    {%- else -%}'{{ value | string | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}
