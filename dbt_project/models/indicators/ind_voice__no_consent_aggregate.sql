-- Per 100 of the people asked to answer the survey who did not agree to their answers being used
-- (consent_aggregate N or blank), by authority only. Their rows are set aside at the door
-- unread (indicators/ingest/survey.py): the door log counts them per landed file, and a
-- file's count goes to the authority most of the file's respondents live in. Where they
-- live is never read, so there is no neighbourhood or group figure. A combined authority's
-- (or region's) figure adds up its authorities'.
with respondents as (
    select * from {{ ref('int_voice_responses_placed') }}
),

not_agreeing as (
    select * from {{ ref('stg_voice__door_log') }}
),

file_authorities as (
    select
        academic_year,
        source_file,
        new_la_code,
        row_number() over (
            partition by academic_year, source_file
            order by count(*) desc, new_la_code
        ) as authority_rank
    from respondents
    group by academic_year, source_file, new_la_code
),

authority_not_agreeing as (
    select
        file_authorities.academic_year,
        file_authorities.new_la_code,
        sum(not_agreeing.people_not_agreeing) as people_not_agreeing
    from not_agreeing
    inner join file_authorities
        on not_agreeing.academic_year = file_authorities.academic_year
        and not_agreeing.source_file = file_authorities.source_file
        and file_authorities.authority_rank = 1
    group by file_authorities.academic_year, file_authorities.new_la_code
),

authority_respondents as (
    select
        academic_year,
        time_period,
        new_la_code,
        la_name,
        count(*) as respondents
    from respondents
    group by academic_year, time_period, new_la_code, la_name
),

counted as (
    select
        authority_respondents.time_period,
        authority_respondents.new_la_code,
        authority_respondents.la_name,
        coalesce(authority_not_agreeing.people_not_agreeing, 0) as numerator,
        authority_respondents.respondents
            + coalesce(authority_not_agreeing.people_not_agreeing, 0) as denominator
    from authority_respondents
    left join authority_not_agreeing
        on authority_respondents.academic_year = authority_not_agreeing.academic_year
        and authority_respondents.new_la_code = authority_not_agreeing.new_la_code
),

authorities as (
    select
        time_period,
        'Local authority' as geographic_level,
        new_la_code as area_code,
        la_name as area_name,
        numerator,
        denominator
    from counted
),

-- and a combined authority's or region's, added up from its authorities
with_above as (
    {{ with_areas_above('authorities') }}
)

select
    'voice_no_consent_aggregate' as indicator_id,
    cast(time_period as integer) as time_period,
    cast(null as varchar) as time_identifier,
    geographic_level,
    area_code,
    area_name,
    'People asked' as breakdown,
    'All people asked' as "group",
    cast(numerator as bigint) as numerator,
    cast(denominator as bigint) as denominator,
    {{ indicator_value('rate', 'numerator', 'denominator') }} as value,
    cast(null as double precision) as standard_deviation
from with_above
