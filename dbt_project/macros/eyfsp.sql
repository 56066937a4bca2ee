{#- The EYFSP rules, in one place. The ELG list mirrors seeds/eyfsp_early_learning_goals.csv;
    tests/assert_gld_goals_match_seed.sql fails if the two disagree. -#}

{% macro elg_columns() -%}
    {{ return(['elg01', 'elg02', 'elg03', 'elg04', 'elg05', 'elg06', 'elg07', 'elg08', 'elg09',
               'elg10', 'elg11', 'elg12', 'elg13', 'elg14', 'elg15', 'elg16', 'elg17']) }}
{%- endmacro %}

{#- Good Level of Development: expected in the 12 ELGs of communication and language,
    personal, social and emotional development, physical development, literacy and
    mathematics. -#}
{% macro gld_elg_columns() -%}
    {{ return(elg_columns()[:12]) }}
{%- endmacro %}

{#- How "A" (not assessed) counts: as in DfE's published statistics, a child with A is in
    the cohort (the denominator) and A is not "expected", so that goal is not met. -#}
{% macro at_expected(column) -%}
    ({{ column }} = '2')
{%- endmacro %}
