-- eh_voice_note_before_hub by month of referral.
{{ early_help_referral_indicator('eh_voice_note_before_hub_monthly', 'true', period='month', levels=('Local authority district', 'Local authority'), numerator='coalesce(family_note_before_hub, false)') }}
