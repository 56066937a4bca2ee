-- Of WellComm screenings in the financial year (rescreens included), % where the parent's
-- view was recorded (Practice 7: voice present in operational information).
{{ indicator_over_rows(
    indicator_id='ec_wellcomm_parent_view',
    value_type='proportion',
    rows=ref('stg_wellcomm__screenings'),
    numerator=count_where('parent_view_recorded'),
    total_group='All screenings',
) }}
