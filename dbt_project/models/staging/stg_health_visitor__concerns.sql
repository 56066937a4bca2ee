-- The parents' concerns about their child's talking in their own words, one row per review
-- with words kept: the raw table holds words only given with consent to quote, scrubbed at
-- the door, and never a request for help (named for follow-up instead:
-- indicators/ingest/standalone_text.py); a blank is no words. With the review's zone and
-- concern, so the words can sit beside the numbers.
with source as (
    select * from {{ source('raw', 'health_visitor_reviews') }}
),

reviews as (
    select * from {{ ref('stg_health_visitor__reviews') }}
)

select
    reviews.time_period,
    reviews.financial_quarter,
    reviews.child_health_pseudonym,
    reviews.neighbourhood_code,
    reviews.neighbourhood_name,
    reviews.new_la_code,
    reviews.la_name,
    reviews.parent_concern,
    reviews.asq_communication_zone,
    reviews.at_or_above_expected,
    trim(source.concern_words) as concern_words
from source
inner join reviews
    on source._source_file = reviews._source_file
    and cast(source._source_row as integer) = reviews._source_row
    and cast(source.time_period as integer) = reviews.time_period
where nullif(trim(source.concern_words), '') is not null
    and source.consent_quote = 'Y'
