-- One row per care leaver turning 17 to 21 in the financial year (the SSDA903 OC3 table with
-- local case fields, sources/care_leavers/base.yml): renamed and typed, the child id already
-- a pseudonym and the date of birth a month at the door; placed in the personal adviser's
-- team (seeds/teams.csv) and its authority.
--   age: the birthday reached in the year. The year runs from 1 April (time_period 202425:
--     April 2024 to March 2025), so a child born in April to December has it in the first
--     calendar year, one born in January to March in the second.
--   reviewed_in_six_months: the latest Pathway Plan review is dated in the six months
--     before the year's end (1 October to 31 March), the statutory "at least every six
--     months" read at the end of the year the return covers (docs/inputs.md).
with source as (
    select * from {{ source('raw', 'care_leavers_records') }}
),

typed as (
    select
        academic_year,
        cast(time_period as integer) as time_period,
        time_identifier,
        child_pseudonym,
        birth_month,
        cast(left(birth_month, 4) as integer) as birth_year,
        cast(right(birth_month, 2) as integer) as birth_month_number,
        {{ int_div('cast(time_period as integer)', '100') }} as first_calendar_year,
        in_touch,
        nullif(trim(activity), '') as activity,
        nullif(trim(accommodation), '') as accommodation,
        eligibility_category,
        uasc,
        trim(team_code) as team_code,
        cast(nullif(latest_review_date, '') as date) as latest_review_date,
        _source_file,
        cast(_source_row as integer) as _source_row
    from source
),

renamed as (
    select
        academic_year,
        time_period,
        time_identifier,
        child_pseudonym,
        birth_month,
        case
            when birth_month_number >= 4 then first_calendar_year
            else first_calendar_year + 1
        end - birth_year as age,
        in_touch,
        activity,
        accommodation,
        right(accommodation, 1) = '1' as accommodation_suitable,
        eligibility_category,
        uasc,
        team_code,
        latest_review_date,
        coalesce(
            latest_review_date > make_date(first_calendar_year + 1, 3, 31) - interval '6 months',
            false
        ) as reviewed_in_six_months,
        _source_file,
        _source_row
    from typed
),

grouped as (
    select
        *,
        case when age <= 18 then '17 to 18' else '19 to 21' end as age_group
    from renamed
),

placed as (
    {{ placed_rows('grouped', 'team', 'team_code') }}
)

select
    time_period,
    time_identifier,
    academic_year,
    child_pseudonym,
    birth_month,
    age,
    age_group,
    in_touch,
    activity,
    accommodation,
    accommodation_suitable,
    eligibility_category,
    uasc,
    team_code,
    team_name,
    new_la_code,
    la_name,
    latest_review_date,
    reviewed_in_six_months,
    _source_file,
    _source_row
from placed
