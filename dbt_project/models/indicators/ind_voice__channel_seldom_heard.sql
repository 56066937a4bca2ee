-- % of each channel's respondents who are in at least one seldom-heard group: which
-- channels reached whom. The total row covers all respondents.
{{ indicator_over_rows(
    indicator_id='voice_channel_seldom_heard',
    value_type='proportion',
    rows=ref('int_voice_responses_placed'),
    numerator=count_where('is_seldom_heard'),
    breakdown="'Channel'",
    group='channel',
    total_group='All respondents',
) }}
