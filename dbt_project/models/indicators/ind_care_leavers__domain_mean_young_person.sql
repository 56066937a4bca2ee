-- Mean 0-10 score in each outcome domain over each young person's latest Pathway Plan
-- review of the year from the young_person perspective (a review's domain score is the mean of
-- its answered topics that inform the domain), by team and LA.
{{ indicator_over_rows(
    indicator_id='cl_domain_mean_young_person',
    value_type='mean',
    rows="(select * from " ~ ref('int_pathway_plan_domain_scores') ~ " where perspective = 'young_person' and review_rank = 1)",
    score='domain_score',
    breakdown="'Outcome domain'",
    group='domain',
    levels=('Team', 'Local authority'),
) }}
