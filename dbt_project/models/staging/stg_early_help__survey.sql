-- The Voice Note practitioner survey (sources/voice_note_survey/base.yml), one row per
-- respondent and item of seeds/voice_note_survey_items.csv (the item's wording beside it):
-- the answer on the five-point agreement scale (null when not answered) and `agrees`
-- (agree or strongly agree; null when not answered), placed in the practitioner's team,
-- its district and the authority. The comments are in the raw table (scrubbed, consented).
with source as (
    select * from {{ source('raw', 'voice_note_survey') }}
),

typed as (
    select
        respondent_pseudonym,
        cast(time_period as integer) as time_period,
        time_identifier,
        cast(response_date as date) as response_date,
        trim(team_code) as team_code,
        helped_prepare,
        family_view_changed_plan,
        worth_the_time,
        _source_file,
        cast(_source_row as integer) as _source_row
    from source
),

placed as (
    {{ placed_rows('typed', 'team', 'team_code') }}
),

-- One row per respondent and item column of the spec; the join below gives each its
-- wording (seeds/voice_note_survey_items.csv), and the test on `item` names one without.
answers as (
    {%- for column in ['helped_prepare', 'family_view_changed_plan', 'worth_the_time'] %}
    select placed.*, '{{ column }}' as item, {{ column }} as answer from placed
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    answers.respondent_pseudonym,
    answers.time_period,
    answers.time_identifier,
    answers.response_date,
    answers.item,
    items.wording,
    nullif(trim(answers.answer), '') as answer,
    case
        when nullif(trim(answers.answer), '') is null then null
        else answers.answer in ('agree', 'strongly_agree')
    end as agrees,
    answers.team_code,
    answers.team_name,
    team_districts.district_code,
    team_districts.district_name,
    answers.new_la_code,
    answers.la_name,
    answers._source_file,
    answers._source_row
from answers
left join {{ ref('voice_note_survey_items') }} as items
    on answers.item = items.item
left join {{ ref('stg_reference__team_districts') }} as team_districts
    on answers.team_code = team_districts.team_code
