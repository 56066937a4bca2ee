-- Care leavers' and personal advisers' statements from Pathway Plan reviews (consented and
-- scrubbed at the door; requests for help never reach stg_pathway_plan__statements), each
-- tied to its topic, every outcome domain the topic informs, its perspective, and its area:
-- the review's team and its authority. Only areas and years with at least the minimum number
-- of young people reviewed (distinct child pseudonyms, either perspective: the
-- voice_min_respondents of seeds/disclosure_control.csv, as the voice survey counts its
-- respondents) keep their statements. The count itself is not a column: the mart is
-- published as it stands (quotes/fct_care_leaver_statements.csv), and a count of young
-- people per area is a number no declared relation would show disclosure control. A review
-- is its year and id (ids repeat across years). A statement is its words: the same words on
-- the same topic, perspective, area and year are one row per domain.
with statements as (
    select * from {{ ref('stg_pathway_plan__statements') }}
),

reviews as (
    select * from {{ ref('stg_pathway_plan__reviews') }}
),

topic_domains as (
    select * from {{ ref('stg_reference__pathway_plan_topic_domains') }}
),

minimum as (
    select cast(value as integer) as young_people_needed
    from {{ ref('disclosure_control') }}
    where setting = 'voice_min_respondents'
),

placed as (
    select
        statements.statement as quote,
        statements.topic_id,
        statements.perspective,
        reviews.time_period,
        reviews.team_code,
        reviews.team_name,
        reviews.new_la_code,
        reviews.la_name
    from statements
    inner join reviews
        on
            statements.time_period = reviews.time_period
            and statements.review_id = reviews.review_id
            and statements.perspective = reviews.perspective
    where coalesce(trim(statements.statement), '') <> ''
),

by_area as (
    select
        'Team' as geographic_level,
        team_code as area_code,
        team_name as area_name,
        quote,
        topic_id,
        perspective,
        time_period
    from placed
    union all
    select
        'Local authority' as geographic_level,
        new_la_code as area_code,
        la_name as area_name,
        quote,
        topic_id,
        perspective,
        time_period
    from placed
),

area_young_people as (
    select
        'Team' as geographic_level,
        team_code as area_code,
        time_period,
        count(distinct child_pseudonym) as young_people_in_area
    from reviews
    group by team_code, time_period
    union all
    select
        'Local authority' as geographic_level,
        new_la_code as area_code,
        time_period,
        count(distinct child_pseudonym) as young_people_in_area
    from reviews
    group by new_la_code, time_period
),

distinct_statements as (
    select distinct * from by_area
)

select
    distinct_statements.quote,
    distinct_statements.topic_id,
    topic_domains.wording as topic,
    topic_domains.domain,
    distinct_statements.perspective,
    distinct_statements.area_code,
    distinct_statements.area_name,
    distinct_statements.geographic_level,
    distinct_statements.time_period
from distinct_statements
inner join topic_domains
    on distinct_statements.topic_id = topic_domains.topic_id
inner join area_young_people
    on
        distinct_statements.geographic_level = area_young_people.geographic_level
        and distinct_statements.area_code = area_young_people.area_code
        and distinct_statements.time_period = area_young_people.time_period
cross join minimum
where area_young_people.young_people_in_area >= minimum.young_people_needed
order by
    distinct_statements.time_period,
    distinct_statements.geographic_level,
    distinct_statements.area_code,
    distinct_statements.topic_id,
    topic_domains.domain,
    distinct_statements.quote
