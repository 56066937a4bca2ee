-- Of care leavers in accommodation the return calls suitable whose latest young-person
-- Pathway Plan review of the year answered "Your home" or "Feeling safe and well", the %
-- scoring either 4 or less out of 10, by team (of the return) and LA.
{%- set rows %}
(
    select
        care_leavers.*,
        min(scores.score) <= 4 as scores_unsafe
    from {{ ref('int_care_leavers_grouped') }} as care_leavers
    inner join {{ ref('int_pathway_plan_reviews_ranked') }} as reviews
        on
            care_leavers.child_pseudonym = reviews.child_pseudonym
            and care_leavers.time_period = reviews.time_period
    inner join {{ ref('stg_pathway_plan__scores') }} as scores
        on
            reviews.time_period = scores.time_period
            and reviews.review_id = scores.review_id
            and reviews.perspective = scores.perspective
    where
        care_leavers.accommodation_suitable
        and reviews.perspective = 'young_person'
        and reviews.review_rank = 1
        and scores.topic_id in ('home', 'safe_and_well')
        and scores.score is not null
    {#- every care leaver column (DuckDB's group by all) #}
    group by
        {%- for column in (adapter.get_columns_in_relation(ref('int_care_leavers_grouped')) if execute else []) %}
        care_leavers.{{ adapter.quote(column.name) }}{{ ',' if not loop.last }}
        {%- endfor %}
)
{%- endset %}
{{ indicator_over_rows(
    indicator_id='cl_suitable_but_unsafe',
    value_type='proportion',
    rows=rows,
    numerator=count_where('scores_unsafe'),
    total_group='All care leavers',
    levels=('Team', 'Local authority'),
    groupings=care_leaver_groupings(),
) }}
