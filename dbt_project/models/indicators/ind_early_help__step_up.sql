-- Of referrals with an outcome, % stepped up to children's social care.
{{ early_help_referral_indicator('eh_step_up', 'stepped_up is not null', numerator='stepped_up', voice_note=true) }}
