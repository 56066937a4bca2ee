-- eh_step_up by quarter of the financial year of referral.
{{ early_help_referral_indicator('eh_step_up_quarterly', 'stepped_up is not null', period='quarter', numerator='stepped_up', voice_note=true) }}
