-- % of care leavers in the return whose Pathway Plan was reviewed in the six months before the year's end (stg_care_leavers__records.reviewed_in_six_months), by team and LA.
{{ indicator_over_rows(
    indicator_id='cl_plan_reviewed',
    value_type='proportion',
    rows=ref('int_care_leavers_grouped'),
    numerator=count_where("reviewed_in_six_months"),
    total_group='All care leavers',
    levels=('Team', 'Local authority'),
    groupings=care_leaver_groupings(),
) }}
