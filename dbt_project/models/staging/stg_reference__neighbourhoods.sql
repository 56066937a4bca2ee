-- The LA's lookup: each postcode sector belongs to exactly one neighbourhood.
with source as (
    select * from {{ source('raw', 'neighbourhood_lookup') }}
),

renamed as (
    select
        postcode_sector,
        neighbourhood_code,
        neighbourhood_name
    from source
)

select * from renamed
