-- Of two-year reviews below the expected level in ASQ-3 communication where the concern
-- question was asked, % whose parent was not concerned about the child's talking.
{{ indicator_over_rows(
    indicator_id='ec_below_without_concern',
    value_type='proportion',
    rows='(select * from ' ~ ref('stg_health_visitor__reviews') ~ " where reviewed_by_30_months and not at_or_above_expected and parent_concern in ('concern', 'no_concern'))",
    numerator=count_where("parent_concern = 'no_concern'"),
    total_group='All children',
) }}
