-- % of care leavers in the return with no Pathway Plan review in the financial year in which
-- they gave their own view (a young_person row counted with their consent), by team and LA:
-- the young people whose voice the scales cannot carry. No figure for a year with no reviews
-- loaded at all.
{%- set rows %}
(
    select
        care_leavers.*,
        not exists (
            select 1
            from {{ ref('int_pathway_plan_reviews_ranked') }} as reviews
            where
                reviews.time_period = care_leavers.time_period
                and reviews.child_pseudonym = care_leavers.child_pseudonym
                and reviews.perspective = 'young_person'
        ) as has_no_review
    from {{ ref('int_care_leavers_grouped') }} as care_leavers
    -- a year whose reviews were not loaded (none landed, or the file rejected) has no
    -- figure: without them every care leaver would look unheard
    where care_leavers.time_period in (
        select time_period from {{ ref('int_pathway_plan_reviews_ranked') }}
    )
)
{%- endset %}
{{ indicator_over_rows(
    indicator_id='cl_no_voice_review',
    value_type='proportion',
    rows=rows,
    numerator=count_where('has_no_review'),
    total_group='All care leavers',
    levels=('Team', 'Local authority'),
    groupings=care_leaver_groupings(),
) }}
