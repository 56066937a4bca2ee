-- The LA's teams (seeds/teams.csv), each with its authority and, optionally, the district
-- of that authority it works in (district_code; blank = directly in the authority): where
-- rows placed by team (`placement: {method: team}`) are counted. The rows the ingest keeps
-- (macros/placement.sql); the district as read (stg_reference__team_districts checks it).
{{ area_list('teams', 'team_code', 'team_name', optional=['district_code']) }}
