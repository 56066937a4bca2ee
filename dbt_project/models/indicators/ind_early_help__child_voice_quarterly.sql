-- eh_child_voice by quarter of the financial year of referral.
{{ early_help_referral_indicator('eh_child_voice_quarterly', 'true', period='quarter', numerator='child_voice_recorded') }}
