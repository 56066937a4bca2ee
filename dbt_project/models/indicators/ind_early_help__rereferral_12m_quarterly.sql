-- eh_rereferral_12m by quarter of the financial year of closure.
{{ early_help_referral_indicator('eh_rereferral_12m_quarterly', 'rereferred_12m is not null', period='quarter', numerator='rereferred_12m', by_closure=true, voice_note=true) }}
