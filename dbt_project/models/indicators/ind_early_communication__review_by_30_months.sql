-- Of children reaching 2½ years (30 months) in the financial year, % reviewed by the health
-- visitor at 30 months or younger (stg_health_visitor__reviews.reviewed_by_30_months).
{{ indicator_over_rows(
    indicator_id='ec_review_by_30_months',
    value_type='proportion',
    rows=ref('stg_health_visitor__reviews'),
    numerator=count_where('reviewed_by_30_months'),
    total_group='All children',
) }}
