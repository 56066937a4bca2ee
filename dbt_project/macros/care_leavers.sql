{#- The groups the care leavers' return indicators are broken down by (columns of
    int_care_leavers_grouped), at the authority only: a team's care leavers are too few to
    split. One list for every indicator over the return, so their breakdowns (and the
    partitions their YAML relations declare) stay the same. -#}
{% macro care_leaver_groupings() -%}
    {{ return([
        ("'Age group'", 'age_group', ['Local authority']),
        ("'UASC'", 'uasc_group', ['Local authority']),
        ("'Eligibility category'", 'eligibility_group', ['Local authority']),
    ]) }}
{%- endmacro %}
