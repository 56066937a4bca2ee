-- Each answer with its respondent (area, channel, flags) and its item (domain, scale).
with answers as (
    select * from {{ ref('stg_voice__answers') }}
),

responses as (
    select * from {{ ref('int_voice_responses_placed') }}
),

items as (
    select * from {{ ref('stg_reference__voice_items') }}
)

select
    answers.response_id,
    answers.time_period,
    answers.item_id,
    answers.item_version,
    items.wording,
    items.domain,
    items.response_scale,
    answers.answer,
    answers.is_positive,
    answers.score,
    responses.neighbourhood_code,
    responses.neighbourhood_name,
    responses.new_la_code,
    responses.la_name,
    responses.channel,
    responses.is_seldom_heard,
    responses.is_linked,
    responses.child_id
from answers
inner join responses
    on answers.response_id = responses.response_id
    and answers.time_period = responses.time_period
inner join items
    on answers.item_id = items.item_id
    and answers.item_version = items.item_version
