-- eh_voice_note_before_hub by month of referral.
{{ early_help_referral_indicator('eh_voice_note_before_hub_monthly', 'hub_meeting_date is not null', period='month', levels=('Local authority district', 'Local authority'), numerator='family_note_before_hub') }}
