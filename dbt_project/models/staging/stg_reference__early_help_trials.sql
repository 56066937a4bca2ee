-- When each Early Help team began recording Voice Notes (seeds/early_help_trials.csv, from
-- the landing area's seeds/ when it brings one: loaded as read into raw.early_help_trials),
-- typed: `starts` (YYYY-MM) as the first day of that month, with the team's name and
-- district (seeds/teams.csv). A row whose team is not listed, or whose month is not a
-- month, fails this model's tests (the quality report names it).
with source as (
    select * from {{ source('raw', 'early_help_trials') }}
),

typed as (
    select
        trim(team_code) as team_code,
        trim(starts) as starts,
        {{ try_month_start('trim(starts)') }} as starts_on,
        nullif(trim(description), '') as description,
        _source_file
    from source
    where coalesce(trim(team_code), '') <> ''
)

select
    typed.team_code,
    teams.team_name,
    team_districts.district_code,
    team_districts.district_name,
    teams.new_la_code,
    typed.starts,
    typed.starts_on,
    typed.description,
    typed._source_file
from typed
left join {{ ref('stg_reference__teams') }} as teams
    on typed.team_code = teams.team_code
left join {{ ref('stg_reference__team_districts') }} as team_districts
    on typed.team_code = team_districts.team_code
