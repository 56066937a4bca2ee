-- Each child's first WellComm screening in the year (not a rescreen), with whether a speech
-- and language therapy referral for the same child (same child_health_pseudonym, in any
-- year's file) followed within 42 days: on or after the screening date and at most 42 days
-- after it. days_to_referral is the number of days to the first such referral on or after
-- the screening (null when none).
with screenings as (
    select * from {{ ref('stg_wellcomm__screenings') }}
    where first_in_year
),

referrals as (
    select child_health_pseudonym, referral_date from {{ ref('stg_slt__referrals') }}
),

-- the last day the landed referral files cover: the end of the latest financial year landed
referrals_landed as (
    select max(make_date({{ int_div('time_period', '100') }} + 1, 3, 31)) as landed_to
    from {{ ref('stg_slt__referrals') }}
),

next_referral as (
    select
        screenings.time_period,
        screenings.child_health_pseudonym,
        cast(min({{ dbt.datediff('screenings.screening_date', 'referrals.referral_date', 'day') }}) as bigint) as days_to_referral
    from screenings
    inner join referrals
        on screenings.child_health_pseudonym = referrals.child_health_pseudonym
        and referrals.referral_date >= screenings.screening_date
    group by screenings.time_period, screenings.child_health_pseudonym
)

select
    screenings.*,
    next_referral.days_to_referral,
    coalesce(next_referral.days_to_referral <= 42, false) as referred_within_42_days,
    -- whether the landed referral files cover the 42 days after the screening (a red result in
    -- the last six weeks of the latest year waits for the next year's file)
    coalesce(
        screenings.screening_date + interval '42 days' <= referrals_landed.landed_to, false
    ) as referral_window_landed
from screenings
cross join referrals_landed
left join next_referral
    on screenings.time_period = next_referral.time_period
    and screenings.child_health_pseudonym = next_referral.child_health_pseudonym
