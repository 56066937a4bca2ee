-- Respondents per 100 children in the reception cohort, by neighbourhood and authority:
-- how widely the survey reached families. In a year its authority ran the survey, every
-- area with children or respondents has a row: those where nobody answered too (0 per 100,
-- with their cohort), so "who we did not hear from" never loses the places heard from
-- least, and respondents with no children in the cohort (0 children, no value), so a
-- missing row never stands for a count. Years without a survey have none.
with respondents as (
    select * from {{ ref('int_voice_responses_placed') }}
),

children as (
    select * from {{ ref('int_children_joined') }}
),

surveyed as (
    select distinct time_period, new_la_code
    from respondents
),

{%- set levels = [('Neighbourhood', 'neighbourhood_code', 'neighbourhood_name'),
                  ('Local authority', 'new_la_code', 'la_name')] %}
{%- for level, code, name in levels %}
cohort_{{ loop.index }} as (
    select
        time_period,
        {{ code }} as area_code,
        {{ name }} as area_name,
        new_la_code,
        count(*) as children
    from children
    group by time_period, {{ code }}, {{ name }}, new_la_code
),

heard_{{ loop.index }} as (
    select
        time_period,
        {{ code }} as area_code,
        {{ name }} as area_name,
        new_la_code,
        count(*) as respondents
    from respondents
    group by time_period, {{ code }}, {{ name }}, new_la_code
),

reach_{{ loop.index }} as (
    select
        coalesce(cohort_{{ loop.index }}.time_period, heard_{{ loop.index }}.time_period)
            as time_period,
        '{{ level }}' as geographic_level,
        coalesce(cohort_{{ loop.index }}.area_code, heard_{{ loop.index }}.area_code)
            as area_code,
        coalesce(cohort_{{ loop.index }}.area_name, heard_{{ loop.index }}.area_name)
            as area_name,
        coalesce(cohort_{{ loop.index }}.new_la_code, heard_{{ loop.index }}.new_la_code)
            as new_la_code,
        coalesce(heard_{{ loop.index }}.respondents, 0) as numerator,
        coalesce(cohort_{{ loop.index }}.children, 0) as denominator
    from cohort_{{ loop.index }}
    full outer join heard_{{ loop.index }}
        on cohort_{{ loop.index }}.time_period = heard_{{ loop.index }}.time_period
        and cohort_{{ loop.index }}.area_code = heard_{{ loop.index }}.area_code
),

surveyed_{{ loop.index }} as (
    select reach_{{ loop.index }}.*
    from reach_{{ loop.index }}
    inner join surveyed
        on reach_{{ loop.index }}.time_period = surveyed.time_period
        and reach_{{ loop.index }}.new_la_code = surveyed.new_la_code
),
{%- endfor %}

combined as (
    {%- for level in levels %}
    select time_period, geographic_level, area_code, area_name, numerator, denominator
    from surveyed_{{ loop.index }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- and a combined authority's or region's, added up from its authorities
with_above as (
    {{ with_areas_above('combined') }}
)

select
    'voice_reach' as indicator_id,
    cast(time_period as integer) as time_period,
    geographic_level,
    area_code,
    area_name,
    'All' as breakdown,
    'All children' as "group",
    cast(numerator as bigint) as numerator,
    cast(denominator as bigint) as denominator,
    {{ indicator_value('rate', 'numerator', 'denominator') }} as value,
    cast(null as double precision) as standard_deviation
from with_above
