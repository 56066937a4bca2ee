-- Of referrals closed in the year with 12 months after closure landed, % re-referred within them.
{{ early_help_referral_indicator('eh_rereferral_12m', 'rereferred_12m is not null', numerator='rereferred_12m', by_closure=true, voice_note=true) }}
