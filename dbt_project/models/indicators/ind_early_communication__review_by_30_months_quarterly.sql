-- Review coverage by quarter of the financial year in which the child reached 2½
-- (stg_health_visitor__reviews.reached_30_months_quarter): % reviewed at 30 months or
-- younger. The quarters add up to the year.
{{ indicator_over_rows(
    indicator_id='ec_review_by_30_months_quarterly',
    value_type='proportion',
    rows=ref('stg_health_visitor__reviews'),
    numerator=count_where('reviewed_by_30_months'),
    total_group='All children',
    time_identifier='reached_30_months_quarter',
) }}
