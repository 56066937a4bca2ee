-- eh_hub_meeting_recorded by month of referral.
{{ early_help_referral_indicator('eh_hub_meeting_recorded_monthly', 'true', period='month', levels=('Local authority district', 'Local authority'), numerator='hub_meeting_date is not null') }}
