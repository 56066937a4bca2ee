-- % of respondents (all of whom agreed to their answers being used) who also agreed to their
-- answers being linked to their child's school-readiness record, by neighbourhood, authority
-- and seldom-heard group: a measure of trust.
{{ consent_among_respondents('voice_consent_link', 'has_link_consent') }}
