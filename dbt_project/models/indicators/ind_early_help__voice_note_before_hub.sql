-- Of referrals with a hub meeting date, % with a family Voice Note dated on or before it.
{{ early_help_referral_indicator('eh_voice_note_before_hub', 'hub_meeting_date is not null', numerator='family_note_before_hub') }}
