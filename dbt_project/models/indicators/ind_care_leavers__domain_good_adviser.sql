-- % of young people whose latest Pathway Plan review of the year scores 7 or more out of 10
-- in each outcome domain from the personal_adviser perspective, by team and LA.
{{ indicator_over_rows(
    indicator_id='cl_domain_good_adviser',
    value_type='proportion',
    rows="(select * from " ~ ref('int_pathway_plan_domain_scores') ~ " where perspective = 'personal_adviser' and review_rank = 1)",
    numerator=count_where('domain_score >= 7'),
    breakdown="'Outcome domain'",
    group='domain',
    levels=('Team', 'Local authority'),
) }}
