-- eh_child_voice by month of referral.
{{ early_help_referral_indicator('eh_child_voice_monthly', 'true', period='month', numerator='child_voice_recorded') }}
