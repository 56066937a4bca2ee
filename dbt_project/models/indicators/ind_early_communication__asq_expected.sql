-- PHOF C08b equivalent: of two-year reviews with an ASQ-3 communication score, % at or above
-- the expected level (score above the cut-off of seeds/asq3_cutoffs.csv), by neighbourhood and LA.
{{ indicator_over_rows(
    indicator_id='ec_asq_communication_expected',
    value_type='proportion',
    rows='(select * from ' ~ ref('stg_health_visitor__reviews') ~ ' where reviewed_by_30_months and at_or_above_expected is not null)',
    numerator=count_where('at_or_above_expected'),
    total_group='All children',
) }}
