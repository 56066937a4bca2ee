-- Mean change in a young person's score in each outcome domain from their previous Pathway
-- Plan review to their latest of the year (young person's perspective; -10 to 10), over young
-- people scored in the domain at both, by team (of the latest review) and LA.
{%- set rows %}
(
    select
        latest.time_period,
        latest.team_code,
        latest.team_name,
        latest.new_la_code,
        latest.la_name,
        latest.domain,
        latest.domain_score - previous.domain_score as change
    from {{ ref('int_pathway_plan_domain_scores') }} as latest
    inner join {{ ref('int_pathway_plan_domain_scores') }} as previous
        on
            latest.previous_time_period = previous.time_period
            and latest.previous_review_id = previous.review_id
            and latest.perspective = previous.perspective
            and latest.domain = previous.domain
    where latest.perspective = 'young_person' and latest.review_rank = 1
)
{%- endset %}
{{ indicator_over_rows(
    indicator_id='cl_distance_travelled',
    value_type='mean',
    rows=rows,
    score='change',
    breakdown="'Outcome domain'",
    group='domain',
    levels=('Team', 'Local authority'),
) }}
