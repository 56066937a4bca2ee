-- % of care leavers in the return in education, employment or training (ACTIV F1-F5, P1-P5: full- or part-time), by team and LA.
{{ indicator_over_rows(
    indicator_id='cl_in_eet',
    value_type='proportion',
    rows=ref('int_care_leavers_grouped'),
    numerator=count_where("left(activity, 1) in ('F', 'P')"),
    total_group='All care leavers',
    levels=('Team', 'Local authority'),
    groupings=care_leaver_groupings(),
) }}
