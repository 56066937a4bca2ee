-- % of respondents (all of whom agreed to their answers being used) who also agreed to be
-- quoted, by neighbourhood, authority and seldom-heard group: a measure of trust.
{{ consent_among_respondents('voice_consent_quote', 'has_quote_consent') }}
