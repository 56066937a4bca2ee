-- One row per referral to speech and language therapy in the financial year
-- (sources/slt_referrals/base.yml): renamed and typed, the NHS number already a pseudonym
-- at the door; placed in the neighbourhood of the home postcode sector and its authority.
with source as (
    select * from {{ source('raw', 'slt_referrals') }}
),

typed as (
    select
        academic_year,
        cast(time_period as integer) as time_period,
        time_identifier,
        trim(referral_id) as referral_id,
        child_health_pseudonym,
        cast(referral_date as date) as referral_date,
        {{ financial_quarter_label('cast(referral_date as date)') }} as financial_quarter,
        referral_source,
        outcome,
        trim(postcode_sector) as postcode_sector,
        _source_file,
        cast(_source_row as integer) as _source_row
    from source
),

placed as (
    {{ placed_rows('typed', 'postcode_sector', 'postcode_sector') }}
)

select
    time_period,
    time_identifier,
    financial_quarter,
    referral_id,
    child_health_pseudonym,
    referral_date,
    referral_source,
    outcome,
    postcode_sector,
    neighbourhood_code,
    neighbourhood_name,
    new_la_code,
    la_name,
    _source_file,
    _source_row
from placed
