-- Of referrals, % with a family Voice Note dated on or before the hub meeting (none without a meeting date).
{{ early_help_referral_indicator('eh_voice_note_before_hub', 'true', numerator='coalesce(family_note_before_hub, false)') }}
