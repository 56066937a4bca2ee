-- Of two-year reviews where the parent was concerned about the child's talking and an ASQ-3
-- communication score exists, % the ASQ-3 put at or above the expected level.
{{ indicator_over_rows(
    indicator_id='ec_concern_but_expected',
    value_type='proportion',
    rows='(select * from ' ~ ref('stg_health_visitor__reviews') ~ " where reviewed_by_30_months and at_or_above_expected is not null and parent_concern = 'concern')",
    numerator=count_where('at_or_above_expected'),
    total_group='All children',
) }}
