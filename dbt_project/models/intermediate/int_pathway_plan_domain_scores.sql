-- Each Pathway Plan review row (one review, one perspective) scored in each outcome domain:
-- the mean of its answered topics that inform the domain (seeds/pathway_plan_topics.csv; a
-- topic informs every domain it maps to), rounded to the nearest whole point (halves up), so
-- that every sum the indicators publish is a whole number and teams add up to the authority
-- exactly (disclosure control's relations are over whole numbers). A domain none of whose
-- topics was answered has no row. With each review's rank and previous review
-- (int_pathway_plan_reviews_ranked). A review is its year and id: ids repeat across years.
with ranked as (
    select * from {{ ref('int_pathway_plan_reviews_ranked') }}
),

scores as (
    select * from {{ ref('stg_pathway_plan__scores') }}
),

topic_domains as (
    select * from {{ ref('stg_reference__pathway_plan_topic_domains') }}
),

domain_scores as (
    select
        scores.time_period,
        scores.review_id,
        scores.perspective,
        topic_domains.domain,
        cast(round(avg(scores.score)) as integer) as domain_score,
        count(*) as topics_answered
    from scores
    inner join topic_domains
        on scores.topic_id = topic_domains.topic_id
    where scores.score is not null
    group by scores.time_period, scores.review_id, scores.perspective, topic_domains.domain
)

select
    ranked.review_id,
    ranked.child_pseudonym,
    ranked.perspective,
    ranked.review_date,
    ranked.time_period,
    ranked.review_rank,
    ranked.previous_review_id,
    ranked.previous_time_period,
    ranked.team_code,
    ranked.team_name,
    ranked.new_la_code,
    ranked.la_name,
    domain_scores.domain,
    domain_scores.domain_score,
    domain_scores.topics_answered
from domain_scores
inner join ranked
    on
        domain_scores.time_period = ranked.time_period
        and domain_scores.review_id = ranked.review_id
        and domain_scores.perspective = ranked.perspective
