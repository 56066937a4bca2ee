-- Linked reception children: % at a good level of development, in all and by their two-year
-- ASQ-3 communication result.
{{ indicator_over_rows(
    indicator_id='ec_journey_gld',
    value_type='proportion',
    rows='(select * from ' ~ ref('int_early_communication_journeys') ~ ' where is_linked)',
    numerator=count_where('is_gld'),
    breakdown="'Two-year communication result'",
    group='two_year_communication_result',
    total_group='All children',
) }}
