-- One row per Pathway Plan review and perspective given with consent to aggregate use
-- (sources/pathway_plan_reviews/base.yml): renamed and typed, the child id already the same
-- pseudonym as in the care leavers return; placed in the personal adviser's team
-- (seeds/teams.csv) and its authority. The scores and statements are in
-- stg_pathway_plan__scores and stg_pathway_plan__statements, one row per topic.
with source as (
    select * from {{ source('raw', 'pathway_plan_reviews') }}
),

renamed as (
    select
        review_id,
        child_pseudonym,
        perspective,
        cast(review_date as date) as review_date,
        academic_year,
        cast(time_period as integer) as time_period,
        time_identifier,
        consent_quote = 'Y' as has_quote_consent,
        trim(team_code) as team_code,
        _source_file,
        cast(_source_row as integer) as _source_row
    from source
),

placed as (
    {{ placed_rows('renamed', 'team', 'team_code') }}
)

select
    review_id,
    child_pseudonym,
    perspective,
    review_date,
    time_period,
    time_identifier,
    academic_year,
    team_code,
    team_name,
    new_la_code,
    la_name,
    has_quote_consent,
    _source_file,
    _source_row
from placed
