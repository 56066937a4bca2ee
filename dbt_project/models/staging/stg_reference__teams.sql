-- The LA's teams (seeds/teams.csv), each with its authority: where rows placed by team
-- (`placement: {method: team}`) are counted. The rows the ingest keeps (macros/placement.sql).
{{ area_list('teams', 'team_code', 'team_name') }}
