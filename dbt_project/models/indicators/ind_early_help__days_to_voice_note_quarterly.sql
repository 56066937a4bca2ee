-- eh_days_to_voice_note by quarter of the financial year of referral.
{{ early_help_referral_indicator('eh_days_to_voice_note_quarterly', 'days_to_family_note is not null', period='quarter', score='days_to_family_note') }}
