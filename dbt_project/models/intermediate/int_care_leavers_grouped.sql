-- Each care leaver in the return (stg_care_leavers__records, one row per young person per
-- financial year) with the groups the statutory indicators are broken down by, labelled as
-- the register declares them: age group as DfE publishes it, UASC, eligibility category.
with care_leavers as (
    select * from {{ ref('stg_care_leavers__records') }}
)

select
    time_period,
    child_pseudonym,
    team_code,
    team_name,
    new_la_code,
    la_name,
    age_group,
    case when upper(uasc) = 'Y' then 'UASC' else 'Not UASC' end as uasc_group,
    -- the code as words: former_relevant -> Former relevant
    upper(left(trim(eligibility_category), 1))
    || lower(replace(substr(trim(eligibility_category), 2), '_', ' ')) as eligibility_group,
    in_touch,
    activity,
    accommodation,
    accommodation_suitable,
    reviewed_in_six_months
from care_leavers
