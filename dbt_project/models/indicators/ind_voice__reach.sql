-- Respondents per 100 children in the reception cohort, by neighbourhood and authority:
-- how widely the survey reached families. Every area with children or respondents in a
-- surveyed year has a row (0 respondents, or 0 children and no value), so a missing row
-- never stands for a count; years without a survey have none.
with respondents as (
    select * from {{ ref('int_voice_responses_placed') }}
),

surveyed as (
    select distinct time_period from respondents
),

children as (
    select * from {{ ref('int_children_joined') }}
),

{%- set levels = [('Neighbourhood', 'neighbourhood_code', 'neighbourhood_name'),
                  ('Local authority', 'new_la_code', 'la_name')] %}
{%- for level, code, name in levels %}
cohort_{{ loop.index }} as (
    select time_period, {{ code }} as area_code, {{ name }} as area_name, count(*) as children
    from children
    group by time_period, {{ code }}, {{ name }}
),

heard_{{ loop.index }} as (
    select time_period, {{ code }} as area_code, {{ name }} as area_name,
        count(*) as respondents
    from respondents
    group by time_period, {{ code }}, {{ name }}
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
        coalesce(heard_{{ loop.index }}.respondents, 0) as numerator,
        coalesce(cohort_{{ loop.index }}.children, 0) as denominator
    from cohort_{{ loop.index }}
    full outer join heard_{{ loop.index }}
        on cohort_{{ loop.index }}.time_period = heard_{{ loop.index }}.time_period
        and cohort_{{ loop.index }}.area_code = heard_{{ loop.index }}.area_code
    where coalesce(cohort_{{ loop.index }}.time_period, heard_{{ loop.index }}.time_period)
        in (select time_period from surveyed)
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
