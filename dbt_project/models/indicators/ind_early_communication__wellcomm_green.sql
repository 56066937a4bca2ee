-- Of children's first WellComm screening in the financial year (not rescreens), % with a
-- green result, in all and by WellComm section, by neighbourhood and LA.
{{ indicator_over_rows(
    indicator_id='ec_wellcomm_green',
    value_type='proportion',
    rows=ref('int_wellcomm_first_screenings'),
    numerator=count_where("rag = 'green'"),
    breakdown="'WellComm section'",
    group='section_label',
    total_group='All children',
) }}
