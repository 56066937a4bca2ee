-- One row per Voice Note (sources/voice_notes/base.yml), landed by the month it was
-- recorded: the referral it belongs to (referral_pseudonym, as in stg_early_help__referrals),
-- whose voice (is_family_voice: a parent or carer; is_child_voice: the child or young
-- person), how, and the team the case system shows on the note with its district and
-- authority. `referral_found` is false for a note whose referral was never landed: it is
-- kept (and counted in the quality report) but links to nothing. `dated_before_referral`
-- is true for a note dated before its referral was made (a mistyped date, or a note filed
-- against the wrong referral; null when the referral was never landed): it counts in no
-- journey (int_early_help__referral_journeys). The words are in
-- stg_early_help__voice_note_words.
with source as (
    select * from {{ source('raw', 'voice_notes') }}
),

typed as (
    select
        referral_pseudonym,
        cast(date_recorded as date) as date_recorded,
        whose_voice,
        whose_voice in ('parent', 'carer') as is_family_voice,
        whose_voice in ('child', 'young_person') as is_child_voice,
        how,
        trim(team_code) as team_code,
        _source_file,
        cast(_source_row as integer) as _source_row
    from source
),

placed as (
    {{ placed_rows('typed', 'team', 'team_code') }}
)

select
    placed.referral_pseudonym,
    placed.date_recorded,
    {{ financial_year('placed.date_recorded') }} as time_period,
    {{ month_name('placed.date_recorded') }} as time_identifier,
    placed.whose_voice,
    placed.is_family_voice,
    placed.is_child_voice,
    placed.how,
    referrals.referral_pseudonym is not null as referral_found,
    placed.date_recorded < referrals.referral_date as dated_before_referral,
    placed.team_code,
    placed.team_name,
    team_districts.district_code,
    team_districts.district_name,
    placed.new_la_code,
    placed.la_name,
    placed._source_file,
    placed._source_row
from placed
left join {{ ref('stg_reference__team_districts') }} as team_districts
    on placed.team_code = team_districts.team_code
left join {{ ref('stg_early_help__referrals') }} as referrals
    on placed.referral_pseudonym = referrals.referral_pseudonym
