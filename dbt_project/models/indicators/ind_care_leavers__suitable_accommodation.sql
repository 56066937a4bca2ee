-- % of care leavers in the return whose accommodation the return calls suitable (ACCOM digit 1), by team and LA.
{%- set groupings = [
    ("'Age group'", 'age_group', ['Local authority']),
    ("'UASC'", 'uasc_group', ['Local authority']),
    ("'Eligibility category'", 'eligibility_group', ['Local authority']),
] %}
{{ indicator_over_rows(
    indicator_id='cl_suitable_accommodation',
    value_type='proportion',
    rows=ref('int_care_leavers_grouped'),
    numerator=count_where("accommodation_suitable"),
    total_group='All care leavers',
    levels=('Team', 'Local authority'),
    groupings=groupings,
) }}
