-- Of the year's reception children (EYFSP return), % the linkage file ties to a two-year
-- review with an ASQ-3 communication score.
{{ indicator_over_rows(
    indicator_id='ec_linkage_coverage',
    value_type='proportion',
    rows=ref('int_early_communication_journeys'),
    numerator=count_where('is_linked'),
    total_group='All children',
) }}
