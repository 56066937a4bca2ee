-- PHOF C08b equivalent by quarter of the financial year (the quarter the child reached 2½,
-- stg_health_visitor__reviews.financial_quarter): of two-year reviews with an ASQ-3
-- communication score, % at or above the expected level. The quarters add up to the year.
{{ indicator_over_rows(
    indicator_id='ec_asq_communication_expected_quarterly',
    value_type='proportion',
    rows='(select * from ' ~ ref('stg_health_visitor__reviews') ~ ' where reviewed_by_30_months and at_or_above_expected is not null)',
    numerator=count_where('at_or_above_expected'),
    total_group='All children',
    time_identifier='financial_quarter',
) }}
