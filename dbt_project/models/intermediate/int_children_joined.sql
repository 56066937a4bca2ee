-- One row per child per year: outcomes joined to census characteristics, neighbourhood and LA.
-- Ingest quarantines any child without a census row, with an unknown (or set-aside) postcode
-- sector or LA number, or quarantined in either return (then in both), so the inner joins
-- here drop nobody (tests in _intermediate.yml hold the counts equal).
with outcomes as (
    select * from {{ ref('int_eyfsp_outcomes_scored') }}
),

census as (
    select * from {{ ref('stg_census__pupils') }}
),

neighbourhoods as (
    select * from {{ ref('stg_reference__neighbourhoods') }}
),

authorities as (
    select * from {{ ref('stg_reference__local_authorities') }}
),

joined as (
    select
        outcomes.child_id,
        outcomes.academic_year,
        outcomes.time_period,
        outcomes.la_code,
        authorities.new_la_code,
        authorities.la_name,
        neighbourhoods.neighbourhood_code,
        neighbourhoods.neighbourhood_name,
        case outcomes.sex when 'F' then 'Female' when 'M' then 'Male' end as sex,
        case when census.is_fsm_eligible then 'Eligible' else 'Not eligible' end
            as fsm_eligibility,
        case census.first_language
            when 'ENG' then 'English'
            when 'OTH' then 'Other than English'
            else 'Unknown'
        end as first_language,
        case census.sen_provision
            when 'N' then 'No SEN'
            when 'K' then 'SEN support'
            when 'E' then 'EHC plan'
        end as sen_provision,
        case
            when outcomes.birth_month between 9 and 12 then 'Autumn-born'
            when outcomes.birth_month between 1 and 4 then 'Spring-born'
            else 'Summer-born'
        end as season_of_birth,
        outcomes.elgs_at_expected,
        outcomes.is_gld,
        outcomes.is_all_elgs_expected,
        outcomes.has_goal_not_assessed
    from outcomes
    inner join census
        on outcomes.child_id = census.child_id
        and outcomes.time_period = census.time_period
    inner join neighbourhoods
        on census.postcode_sector = neighbourhoods.postcode_sector
    inner join authorities
        on outcomes.la_code = authorities.la_code
)

select * from joined
