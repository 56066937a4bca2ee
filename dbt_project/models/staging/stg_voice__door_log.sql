-- For each landed voice file and year, the people asked who did not agree to their answers
-- being used (consent_aggregate N or blank). Counted at the door: their answers, their place
-- and everything else they said were never read or kept, so the file is all that is known.
with source as (
    select * from {{ source('raw', 'voice_door_log') }}
),

renamed as (
    select
        academic_year,
        file as source_file,
        cast(count as bigint) as people_not_agreeing
    from source
    where measure = 'excluded_no_aggregate_consent'
)

select * from renamed
