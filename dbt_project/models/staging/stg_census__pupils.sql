-- The school census characteristics of each child, keyed by the same pseudonym.
with source as (
    select * from {{ source('raw', 'school_census') }}
),

renamed as (
    select
        child_id,
        academic_year,
        cast(time_period as integer) as time_period,
        fsm_eligible = 'Y' as is_fsm_eligible,
        first_language,
        sen_provision,
        ethnicity as ethnicity_major_group,
        postcode_sector,
        postcode_pseudonym,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed
