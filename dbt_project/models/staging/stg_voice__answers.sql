-- One row per answered item: the answer, whether it counts as positive, its score.
with source as (
    select * from {{ source('raw', 'voice_answers') }}
),

renamed as (
    select
        response_id,
        cast(time_period as integer) as time_period,
        item_id,
        cast(item_version as integer) as item_version,
        answer,
        is_positive,
        score
    from source
)

select * from renamed
