-- Median days from referral to the first family Voice Note, of referrals with one.
{{ early_help_referral_indicator('eh_days_to_voice_note', 'days_to_family_note is not null', score='days_to_family_note') }}
