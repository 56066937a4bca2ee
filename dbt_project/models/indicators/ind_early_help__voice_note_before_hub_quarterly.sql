-- eh_voice_note_before_hub by quarter of the financial year of referral.
{{ early_help_referral_indicator('eh_voice_note_before_hub_quarterly', 'hub_meeting_date is not null', period='quarter', numerator='family_note_before_hub') }}
