-- The co-designed item bank (seeds/voice_items.csv), every version of every item.
with source as (
    select * from {{ ref('voice_items') }}
),

renamed as (
    select
        item_id,
        cast(version as integer) as item_version,
        wording,
        response_scale,
        positive_responses,
        domain,
        toc_outcome,
        co_designed_by,
        cast(co_designed_on as date) as co_designed_on,
        status
    from source
)

select * from renamed
