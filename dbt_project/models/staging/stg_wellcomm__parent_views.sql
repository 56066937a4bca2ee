-- What parents said at a WellComm screening in their own words, one row per screening with
-- words kept: the raw table holds words only given with consent to quote, scrubbed at the
-- door, and never a request for help (named for follow-up instead:
-- indicators/ingest/standalone_text.py). With the screening's result and section.
with source as (
    select * from {{ source('raw', 'wellcomm_screenings') }}
),

screenings as (
    select * from {{ ref('stg_wellcomm__screenings') }}
)

select
    screenings.time_period,
    screenings.financial_quarter,
    screenings.child_health_pseudonym,
    screenings.neighbourhood_code,
    screenings.neighbourhood_name,
    screenings.new_la_code,
    screenings.la_name,
    screenings.rag,
    screenings.section,
    screenings.section_label,
    screenings.rescreen,
    screenings.first_in_year,
    trim(source.parent_view) as parent_view
from source
inner join screenings
    on source._source_file = screenings._source_file
    and cast(source._source_row as integer) = screenings._source_row
    and cast(source.time_period as integer) = screenings.time_period
where nullif(trim(source.parent_view), '') is not null
    and source.consent_quote = 'Y'
