-- One row per topic of each Pathway Plan review and perspective: the spec's score columns
-- (one per topic of seeds/pathway_plan_topics.csv, sources/pathway_plan_reviews/base.yml)
-- read as rows, `score` null when the topic was not answered. The topic columns are every
-- column of the raw table but the review's own fields and the statements (macro
-- source_columns), so a topic added to the spec and the seed needs no SQL.
{%- set review_fields = [
    'academic_year', 'time_period', 'time_identifier', 'review_id', 'child_pseudonym',
    'review_date', 'perspective', 'team_code', 'consent_aggregate', 'consent_quote'] -%}
{%- set topics = source_columns(
    'raw', 'pathway_plan_reviews', exclude=review_fields, without_suffix='_statement') %}
with source as (
    select * from {{ source('raw', 'pathway_plan_reviews') }}
),

scores as (
{%- for topic in topics %}
    select
        review_id,
        child_pseudonym,
        perspective,
        cast(time_period as integer) as time_period,
        '{{ topic }}' as topic_id,
        cast(nullif(trim({{ topic }}), '') as integer) as score
    from source
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- else %}
    select
        review_id,
        child_pseudonym,
        perspective,
        cast(time_period as integer) as time_period,
        cast(null as varchar) as topic_id,
        cast(null as integer) as score
    from source
    where false
{%- endfor %}
)

select * from scores
