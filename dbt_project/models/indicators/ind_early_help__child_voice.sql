-- Of referrals, % with the child's or young person's own voice recorded.
{{ early_help_referral_indicator('eh_child_voice', 'true', numerator='child_voice_recorded') }}
