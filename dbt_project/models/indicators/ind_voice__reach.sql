-- Respondents per 100 children in the reception cohort, by neighbourhood and authority:
-- how widely the survey reached families. Every neighbourhood with children counts in a
-- year its authority ran the survey, those where nobody answered too (0 per 100, with their
-- cohort): "who we did not hear from" must not lose the places heard from least.
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
    select time_period, {{ code }} as area_code, count(*) as respondents
    from respondents
    group by time_period, {{ code }}
),

reach_{{ loop.index }} as (
    select
        cohort_{{ loop.index }}.time_period,
        '{{ level }}' as geographic_level,
        cohort_{{ loop.index }}.area_code,
        cohort_{{ loop.index }}.area_name,
        coalesce(heard_{{ loop.index }}.respondents, 0) as numerator,
        cohort_{{ loop.index }}.children as denominator
    from cohort_{{ loop.index }}
    inner join surveyed
        on cohort_{{ loop.index }}.time_period = surveyed.time_period
        and cohort_{{ loop.index }}.new_la_code = surveyed.new_la_code
    left join heard_{{ loop.index }}
        on cohort_{{ loop.index }}.time_period = heard_{{ loop.index }}.time_period
        and cohort_{{ loop.index }}.area_code = heard_{{ loop.index }}.area_code
),
{%- endfor %}

combined as (
    select * from reach_1
    union all
    select * from reach_2
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
    cast(null as double) as standard_deviation
from combined
