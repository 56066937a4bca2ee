-- Families' and children's own words from Early Help Voice Notes, consented and scrubbed at
-- the door (requests for help never reach staging: they go to the restricted follow-up
-- file). Each row is placed in its team, the team's district and the authority, labelled
-- by whose voice it is (a parent or carer / the child or young person), its area and the
-- financial year of the referral only: no team-level result, date or outcome beside it.
-- Only areas and years with at least the minimum number of referrals heard in that voice
-- (distinct referral pseudonyms; voice_min_respondents of seeds/disclosure_control.csv)
-- keep their words. That count is used, never published (an undeclared count per area
-- would be a number disclosure control does not see).
--
-- Can the number of distinct words of an area and year narrow a hidden (c) count? It is a
-- lower bound on the Voice Notes they come from, so (loosely) on the referrals heard: the
-- family's words on eh_days_to_voice_note's denominator (referrals with a family Voice
-- Note), the child's on eh_child_voice's numerator. The framework declares those as the
-- words' hidden_with (frameworks/early_help.yml, statements.explains): the publication
-- drops the words of an area and year where that count is hidden or unpublished
-- (indicators/publish/statement_rules.py), and a district or the authority keeps only the
-- words one of its teams (districts) keeps.
with words as (
    select * from {{ ref('stg_early_help__voice_note_words') }}
),

journeys as (
    select * from {{ ref('int_early_help__referral_journeys') }}
),

minimum as (
    select cast(value as integer) as referrals_needed
    from {{ ref('disclosure_control') }}
    where setting = 'voice_min_respondents'
),

voiced as (
    select
        words as quote,
        case
            when whose_voice in ('parent', 'carer') then 'a parent or carer'
            else 'the child or young person'
        end as whose_voice,
        time_period,
        team_code,
        team_name,
        district_code,
        district_name,
        new_la_code,
        la_name
    from words
    where coalesce(trim(words), '') <> ''
),

-- the referrals heard in each voice, per area and year (never published)
heard as (
    select
        'a parent or carer' as whose_voice,
        time_period,
        team_code,
        district_code,
        new_la_code,
        referral_pseudonym
    from journeys
    where first_family_note_date is not null
    union all
    select
        'the child or young person' as whose_voice,
        time_period,
        team_code,
        district_code,
        new_la_code,
        referral_pseudonym
    from journeys
    where child_voice_recorded
),

{%- set levels = [
    ('Team', 'team_code', 'team_name'),
    ('Local authority district', 'district_code', 'district_name'),
    ('Local authority', 'new_la_code', 'la_name'),
] %}

area_heard as (
    {%- for level, code, name in levels %}
    select
        whose_voice,
        time_period,
        '{{ level }}' as geographic_level,
        {{ code }} as area_code,
        count(distinct referral_pseudonym) as referrals
    from heard
    where {{ code }} is not null
    group by whose_voice, time_period, {{ code }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

by_area as (
    {%- for level, code, name in levels %}
    select
        quote,
        whose_voice,
        time_period,
        '{{ level }}' as geographic_level,
        {{ code }} as area_code,
        {{ name }} as area_name
    from voiced
    where {{ code }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select distinct
    by_area.quote,
    by_area.whose_voice,
    by_area.area_code,
    by_area.area_name,
    by_area.geographic_level,
    by_area.time_period
from by_area
inner join area_heard
    on
        by_area.whose_voice = area_heard.whose_voice
        and by_area.time_period = area_heard.time_period
        and by_area.geographic_level = area_heard.geographic_level
        and by_area.area_code = area_heard.area_code
cross join minimum
where area_heard.referrals >= minimum.referrals_needed
order by
    by_area.time_period,
    by_area.geographic_level,
    by_area.area_code,
    by_area.whose_voice,
    by_area.quote
