-- One row per child per academic year: the EYFSP result with identifiers already replaced.
with source as (
    select * from {{ source('raw', 'eyfsp_returns') }}
),

renamed as (
    select
        child_id,
        academic_year,
        cast(time_period as integer) as time_period,
        la_code,
        estab as establishment_number,
        sex,
        cast(left(birth_month, 4) as integer) as birth_year,
        cast(right(birth_month, 2) as integer) as birth_month,
        elg01,
        elg02,
        elg03,
        elg04,
        elg05,
        elg06,
        elg07,
        elg08,
        elg09,
        elg10,
        elg11,
        elg12,
        elg13,
        elg14,
        elg15,
        elg16,
        elg17,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed
