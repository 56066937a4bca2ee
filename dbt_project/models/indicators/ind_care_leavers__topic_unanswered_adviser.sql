-- % of Pathway Plan reviews of the year, from the personal_adviser perspective, that left each topic
-- unanswered (a blank scale), by team and LA.
{%- set rows %}
(
    select
        reviews.time_period,
        reviews.team_code,
        reviews.team_name,
        reviews.new_la_code,
        reviews.la_name,
        topics.wording as topic,
        scores.score is null as is_unanswered
    from {{ ref('stg_pathway_plan__scores') }} as scores
    inner join {{ ref('stg_pathway_plan__reviews') }} as reviews
        on
            scores.time_period = reviews.time_period
            and scores.review_id = reviews.review_id
            and scores.perspective = reviews.perspective
    inner join (
        select distinct topic_id, wording
        from {{ ref('stg_reference__pathway_plan_topic_domains') }}
    ) as topics
        on scores.topic_id = topics.topic_id
    where scores.perspective = 'personal_adviser'
)
{%- endset %}
{{ indicator_over_rows(
    indicator_id='cl_topic_unanswered_adviser',
    value_type='proportion',
    rows=rows,
    numerator=count_where('is_unanswered'),
    breakdown="'Pathway Plan topic'",
    group='topic',
    levels=('Team', 'Local authority'),
) }}
