-- % of care leavers in the return (SSDA903 OC3) the authority is in touch with (IN_TOUCH YES), by team and LA.
{{ indicator_over_rows(
    indicator_id='cl_in_touch',
    value_type='proportion',
    rows=ref('int_care_leavers_grouped'),
    numerator=count_where("in_touch = 'YES'"),
    total_group='All care leavers',
    levels=('Team', 'Local authority'),
    groupings=care_leaver_groupings(),
) }}
