-- Of referrals, % with a hub meeting date (the base of eh_voice_note_before_hub).
{{ early_help_referral_indicator('eh_hub_meeting_recorded', 'true', numerator='hub_meeting_date is not null') }}
