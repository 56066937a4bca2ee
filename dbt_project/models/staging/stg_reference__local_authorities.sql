-- LA numbers as they appear in returns, with the ONS code and name used in publications.
with source as (
    select * from {{ source('raw', 'local_authorities') }}
),

renamed as (
    select
        la_code,
        new_la_code,
        la_name
    from source
)

select * from renamed
