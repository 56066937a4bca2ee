-- One row per Early Help referral (sources/early_help_referrals/base.yml), landed by the
-- month it was made: renamed and typed, the referral id and the child's person id already
-- pseudonyms at the door; placed in its Early Help team (seeds/teams.csv), the team's
-- district (its district_code there, stg_reference__team_districts; null for a team
-- directly in its authority) and the authority.
--   time_period / time_identifier: the financial year (202425: April 2024 to March 2025) and
--     the EES month name ('April'), as the year's and the month's indicators are labelled;
--   calendar_year: the year of the month (2024), the time_period of the month period type
--     (dbt_project/metadata/periods.yml: `month` counts in calendar years);
--   financial_quarter: 'Financial year Q1' (April to June) ... 'Financial year Q4';
--   closure_time_period / closure_financial_quarter: the same for the closure date (null
--     while open), the period re-referrals are counted in.
with source as (  -- less a referral id landed in two months (quarantined once both loaded)
    {{ not_quarantined(source('raw', 'early_help_referrals')) }}
),

typed as (
    select
        referral_pseudonym,
        child_pseudonym_eh,
        cast(referral_date as date) as referral_date,
        nullif(trim(referral_source), '') as referral_source,
        cast(need_level as integer) as need_level,
        cast(nullif(trim(hub_meeting_date), '') as date) as hub_meeting_date,
        nullif(trim(outcome), '') as outcome,
        cast(nullif(trim(closure_date), '') as date) as closure_date,
        trim(team_code) as team_code,
        _source_file,
        cast(_source_row as integer) as _source_row
    from source
),

dated as (
    select
        *,
        {{ financial_year('referral_date') }} as time_period,
        {{ month_name('referral_date') }} as time_identifier,
        cast(date_trunc('month', referral_date) as date) as month_start,
        {{ year_number('referral_date') }} as calendar_year,
        {{ financial_quarter_label('referral_date') }} as financial_quarter,
        {{ financial_year('closure_date') }} as closure_time_period,
        {{ financial_quarter_label('closure_date') }} as closure_financial_quarter
    from typed
),

placed as (
    {{ placed_rows('dated', 'team', 'team_code') }}
)

select
    placed.time_period,
    placed.time_identifier,
    placed.month_start,
    placed.calendar_year,
    placed.financial_quarter,
    placed.referral_pseudonym,
    placed.child_pseudonym_eh,
    placed.referral_date,
    placed.referral_source,
    placed.need_level,
    placed.hub_meeting_date,
    placed.outcome,
    placed.closure_date,
    placed.closure_time_period,
    placed.closure_financial_quarter,
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
