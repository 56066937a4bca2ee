-- Linked reception children: % at the expected level in both communication and language
-- goals (ELGs 1 and 2), in all and by their two-year ASQ-3 communication result.
{{ indicator_over_rows(
    indicator_id='ec_journey_cl_expected',
    value_type='proportion',
    rows='(select * from ' ~ ref('int_early_communication_journeys') ~ ' where is_linked)',
    numerator=count_where('is_cl_expected'),
    breakdown="'Two-year communication result'",
    group='two_year_communication_result',
    total_group='All children',
) }}
