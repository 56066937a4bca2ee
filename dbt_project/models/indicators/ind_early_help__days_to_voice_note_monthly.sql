-- eh_days_to_voice_note by month of referral.
{{ early_help_referral_indicator('eh_days_to_voice_note_monthly', 'days_to_family_note is not null', period='month', levels=('Local authority district', 'Local authority'), score='days_to_family_note') }}
