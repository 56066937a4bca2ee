-- eh_voice_note_before_hub by quarter of the financial year of referral.
{{ early_help_referral_indicator('eh_voice_note_before_hub_quarterly', 'true', period='quarter', numerator='coalesce(family_note_before_hub, false)') }}
