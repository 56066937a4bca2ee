-- The local authority districts (seeds/districts.csv), each with its county: where rows
-- placed by district (`placement: {method: district}`) are counted. The rows the ingest keeps
-- (macros/placement.sql); a code a team has is taken.
{%- set teams %}(select team_code as area_code from {{ ref('stg_reference__teams') }}) as teams{% endset %}
{{ area_list('districts', 'district_code', 'district_name', taken=[teams]) }}
