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

-- Expected in every communication and language (CL) and literacy (L) goal: DfE's "expected
-- in all CLL goals" measure, the goals' areas from seeds/eyfsp_early_learning_goals.csv.
communication_and_literacy as (
    select
        child_id,
        time_period,
        sum(case when is_expected then 0 else 1 end) = 0 as is_cll_expected
    from {{ ref('int_eyfsp_goals_scored') }}
    where area_code in ('CL', 'L')
    group by child_id, time_period
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
        -- DfE's major ethnic groups, named as the census spec's code list names them; a
        -- refusal or an ethnicity not yet obtained is 'Unclassified', as DfE publishes it.
        case census.ethnicity_major_group
            when 'WHIT' then 'White'
            when 'MIXD' then 'Mixed'
            when 'ASIA' then 'Asian'
            when 'BLAC' then 'Black'
            when 'CHNE' then 'Chinese'
            when 'AOEG' then 'Any other ethnic group'
            else 'Unclassified'
        end as ethnicity,
        case
            when outcomes.birth_month between 9 and 12 then 'Autumn-born'
            when outcomes.birth_month between 1 and 4 then 'Spring-born'
            else 'Summer-born'
        end as season_of_birth,
        outcomes.elgs_at_expected,
        outcomes.is_gld,
        outcomes.is_all_elgs_expected,
        communication_and_literacy.is_cll_expected,
        outcomes.has_goal_not_assessed
    from outcomes
    inner join census
        on outcomes.child_id = census.child_id
        and outcomes.time_period = census.time_period
    inner join neighbourhoods
        on census.postcode_sector = neighbourhoods.postcode_sector
    inner join authorities
        on outcomes.la_code = authorities.la_code
    inner join communication_and_literacy
        on outcomes.child_id = communication_and_literacy.child_id
        and outcomes.time_period = communication_and_literacy.time_period
)

select * from joined
