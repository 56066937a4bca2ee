-- Consented free text, already scrubbed at the door.
with source as (
    select * from {{ source('raw', 'voice_quotes') }}
),

renamed as (
    select
        response_id,
        cast(time_period as integer) as time_period,
        item_id,
        cast(item_version as integer) as item_version,
        neighbourhood_code,
        quote
    from source
)

select * from renamed
