-- % of families who answered positively to most (more than half) of the domain's questions
-- they answered, by area: one row per respondent per domain, so the count is of families
-- (respondents), never of answers.
{%- set rows %}
(
    select
        time_period, neighbourhood_code, neighbourhood_name, new_la_code, la_name, domain,
        2 * {{ count_where('is_positive') }} > count(*) as is_mostly_positive
    from {{ ref('int_voice_answers_joined') }}
    group by time_period, response_id, neighbourhood_code, neighbourhood_name, new_la_code,
        la_name, domain
)
{%- endset %}
{{ indicator_over_rows(
    indicator_id='voice_domain_positive',
    value_type='proportion',
    rows=rows,
    numerator=count_where('is_mostly_positive'),
    breakdown="'Voice domain'",
    group='domain',
) }}
