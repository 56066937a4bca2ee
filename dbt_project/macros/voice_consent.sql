{#- The seldom-heard groups of the family voice survey, as (label, column, the test on it
    that puts a respondent in the group): one list for every indicator by group. -#}
{% macro seldom_heard_groups() -%}
{{ return([
    ('Not using funded early education', 'uses_funded_early_education', "= 'N'"),
    ('English as an additional language', 'english_additional_language', "= 'Y'"),
    ('Not known to the family hub', 'known_to_family_hub', "= 'N'"),
]) }}
{%- endmacro %}

{#- The share of respondents (who all agreed to their answers being used) who also agreed
    to `flag` (a boolean column of int_voice_responses_placed: has_quote_consent,
    has_link_consent), by neighbourhood and authority: all respondents (breakdown All) and
    the respondents of each seldom-heard group, as ind_voice__reach_group counts them (a
    respondent may be in several groups). -#}
{% macro consent_among_respondents(indicator_id, flag) -%}
{%- set rows %}
(
    select
        time_period, neighbourhood_code, neighbourhood_name, new_la_code, la_name,
        'All' as consent_breakdown,
        'All respondents' as consent_group,
        {{ flag }} as has_consent
    from {{ ref('int_voice_responses_placed') }}
    {%- for label, column, test in seldom_heard_groups() %}
    union all
    select
        time_period, neighbourhood_code, neighbourhood_name, new_la_code, la_name,
        'Seldom-heard group' as consent_breakdown,
        '{{ label }}' as consent_group,
        {{ flag }} as has_consent
    from {{ ref('int_voice_responses_placed') }}
    where {{ column }} {{ test }}
    {%- endfor %}
)
{%- endset %}
{{ indicator_over_rows(
    indicator_id=indicator_id,
    value_type='proportion',
    rows=rows,
    numerator=count_where('has_consent'),
    breakdown='consent_breakdown',
    group='consent_group',
) }}
{%- endmacro %}
