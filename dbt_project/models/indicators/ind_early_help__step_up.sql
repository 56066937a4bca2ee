-- Of referrals (no outcome yet: not stepped up), % stepped up to children's social care.
{{ early_help_referral_indicator('eh_step_up', 'true', numerator='coalesce(stepped_up, false)', voice_note=true) }}
