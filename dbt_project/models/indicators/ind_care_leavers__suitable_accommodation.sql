-- % of care leavers in the return whose accommodation the return calls suitable (ACCOM digit 1), by team and LA.
{{ indicator_over_rows(
    indicator_id='cl_suitable_accommodation',
    value_type='proportion',
    rows=ref('int_care_leavers_grouped'),
    numerator=count_where("accommodation_suitable"),
    total_group='All care leavers',
    levels=('Team', 'Local authority'),
    groupings=care_leaver_groupings(),
) }}
