-- eh_child_voice by month of referral.
{{ early_help_referral_indicator('eh_child_voice_monthly', 'true', period='month', levels=('Local authority district', 'Local authority'), numerator='child_voice_recorded') }}
