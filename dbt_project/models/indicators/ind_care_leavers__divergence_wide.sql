-- % of the year's Pathway Plan reviews scored in each outcome domain from both perspectives
-- where the young person's and the personal adviser's scores differ by 3 or more, by team
-- and LA.
{%- set rows %}
(
    select
        young_person.time_period,
        young_person.team_code,
        young_person.team_name,
        young_person.new_la_code,
        young_person.la_name,
        young_person.domain,
        young_person.domain_score - adviser.domain_score as difference
    from {{ ref('int_pathway_plan_domain_scores') }} as young_person
    inner join {{ ref('int_pathway_plan_domain_scores') }} as adviser
        on
            young_person.time_period = adviser.time_period
            and young_person.review_id = adviser.review_id
            and young_person.domain = adviser.domain
    where young_person.perspective = 'young_person' and adviser.perspective = 'personal_adviser'
)
{%- endset %}
{{ indicator_over_rows(
    indicator_id='cl_divergence_wide',
    value_type='proportion',
    rows=rows,
    numerator=count_where('abs(difference) >= 3'),
    breakdown="'Outcome domain'",
    group='domain',
    levels=('Team', 'Local authority'),
) }}
