-- Consented, scrubbed quotes, each tied to its item, domain, neighbourhood and year, with
-- how many respondents the neighbourhood had that year (publication withholds quotes from
-- neighbourhoods with too few respondents to stay anonymous).
-- A quote is its words: when several families wrote the same words about the same item in
-- the same neighbourhood and year (common with short answers, and scrubbing makes "Mrs Khan"
-- and "Mrs Begum" the same "Mrs [name]"), it is published once, not once per family.
with quotes as (
    select
        time_period,
        item_id,
        neighbourhood_code,
        quote,
        max(item_version) as item_version
    from {{ ref('stg_voice__quotes') }}
    group by time_period, item_id, neighbourhood_code, quote
),

items as (
    select * from {{ ref('stg_reference__voice_items') }}
),

respondents as (
    select
        time_period,
        neighbourhood_code,
        max(neighbourhood_name) as neighbourhood_name,
        max(academic_year) as academic_year,
        count(*) as respondents
    from {{ ref('int_voice_responses_placed') }}
    group by time_period, neighbourhood_code
)

select
    quotes.quote,
    quotes.item_id,
    items.wording as item,
    items.domain,
    quotes.neighbourhood_code,
    respondents.neighbourhood_name,
    respondents.academic_year as year,
    quotes.time_period,
    respondents.respondents as respondents_in_area
from quotes
inner join items
    on quotes.item_id = items.item_id
    and quotes.item_version = items.item_version
inner join respondents
    on quotes.time_period = respondents.time_period
    and quotes.neighbourhood_code = respondents.neighbourhood_code
order by quotes.time_period, quotes.neighbourhood_code, quotes.item_id, quotes.quote
