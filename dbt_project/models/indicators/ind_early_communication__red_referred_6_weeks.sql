-- Of children whose first WellComm screening in the year was red, % referred to speech and
-- language therapy within 42 days (on or after the screening day, at most 42 days after).
{{ indicator_over_rows(
    indicator_id='ec_red_referred_6_weeks',
    value_type='proportion',
    rows='(select * from ' ~ ref('int_wellcomm_first_screenings') ~ " where rag = 'red' and referral_window_landed)",
    numerator=count_where('referred_within_42_days'),
    total_group='All children',
) }}
