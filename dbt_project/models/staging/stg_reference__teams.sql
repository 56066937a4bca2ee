-- The LA's teams (seeds/teams.csv), each with its authority: where rows placed by team
-- (`placement: {method: team}`) are counted.
with source as (
    select * from {{ ref('teams') }}
),

renamed as (
    select distinct
        trim(team_code) as team_code,
        trim(team_name) as team_name,
        trim(new_la_code) as new_la_code
    from source
),

-- As the ingest (indicators/ingest/area_lists.py): a row with a blank field, and every row
-- of a code listed with two names or authorities, is set aside.
complete as (
    select * from renamed
    where
        coalesce(team_code, '') <> ''
        and coalesce(team_name, '') <> ''
        and coalesce(new_la_code, '') <> ''
),

usable as (
    select * from complete
    where
        team_code in (select team_code from complete group by team_code having count(*) = 1)
        and team_code not in (
            select team_code from renamed
            where team_code is not null
                and (coalesce(team_name, '') = '' or coalesce(new_la_code, '') = '')
        )
)

select * from usable
