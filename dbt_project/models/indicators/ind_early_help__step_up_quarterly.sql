-- eh_step_up by quarter of the financial year of referral.
{{ early_help_referral_indicator('eh_step_up_quarterly', 'true', period='quarter', numerator='coalesce(stepped_up, false)', voice_note=true) }}
