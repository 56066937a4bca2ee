-- % of respondents in each seldom-heard group (among respondents whose status is known),
-- by area: read it beside the group's share of the cohort where that is known.
{%- set rows %}
(
    {%- for label, column, test in seldom_heard_groups() %}
    select
        time_period, neighbourhood_code, neighbourhood_name, new_la_code, la_name,
        '{{ label }}' as seldom_heard_group,
        {{ column }} {{ test }} as is_in_group
    from {{ ref('int_voice_responses_placed') }}
    where {{ column }} in ('Y', 'N')
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)
{%- endset %}
{{ indicator_over_rows(
    indicator_id='voice_reach_group',
    value_type='proportion',
    rows=rows,
    numerator=count_where('is_in_group'),
    breakdown="'Seldom-heard group'",
    group='seldom_heard_group',
) }}
