-- % of care leavers in the return (SSDA903 OC3) the authority is in touch with (IN_TOUCH YES), by team and LA.
{%- set groupings = [
    ("'Age group'", 'age_group', ['Local authority']),
    ("'UASC'", 'uasc_group', ['Local authority']),
    ("'Eligibility category'", 'eligibility_group', ['Local authority']),
] %}
{{ indicator_over_rows(
    indicator_id='cl_in_touch',
    value_type='proportion',
    rows=ref('int_care_leavers_grouped'),
    numerator=count_where("in_touch = 'YES'"),
    total_group='All care leavers',
    levels=('Team', 'Local authority'),
    groupings=groupings,
) }}
