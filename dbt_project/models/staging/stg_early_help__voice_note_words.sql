-- The words of the Voice Notes that may be quoted: kept at the door only with consent to
-- quote, scrubbed, never a request for help (sources/voice_notes/base.yml `free_text`), one
-- row per note with words, beside its referral's month and year and the referral's team,
-- district and authority (the areas the referral-month indicators count in). A note whose
-- referral was never landed has no place here.
with notes as (
    select * from {{ source('raw', 'voice_notes') }}
    where nullif(trim(words), '') is not null
),

referrals as (
    select * from {{ ref('stg_early_help__referrals') }}
)

select
    notes.referral_pseudonym,
    cast(notes.date_recorded as date) as date_recorded,
    notes.whose_voice,
    notes.whose_voice in ('parent', 'carer') as is_family_voice,
    notes.how,
    trim(notes.words) as words,
    referrals.time_period,
    referrals.time_identifier,
    referrals.month_start,
    referrals.calendar_year,
    referrals.financial_quarter,
    referrals.team_code,
    referrals.team_name,
    referrals.district_code,
    referrals.district_name,
    referrals.new_la_code,
    referrals.la_name
from notes
inner join referrals
    on notes.referral_pseudonym = referrals.referral_pseudonym
