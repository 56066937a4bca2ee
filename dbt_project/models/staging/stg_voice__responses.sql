-- One row per respondent who consented to aggregate use, with the seldom-heard flags.
with source as (
    select * from {{ source('raw', 'voice_responses') }}
),

renamed as (
    select
        response_id,
        academic_year,
        cast(time_period as integer) as time_period,
        neighbourhood_code,
        case channel
            when 'outreach_visit' then 'Outreach visit'
            when 'family_hub' then 'Family hub'
            when 'parent_panel' then 'Parent panel'
            when 'online' then 'Online'
        end as channel,
        uses_funded_early_education,
        english_additional_language,
        known_to_family_hub,
        uses_funded_early_education = 'N' as is_not_using_funded_early_education,
        english_additional_language = 'Y' as is_english_additional_language,
        known_to_family_hub = 'N' as is_not_known_to_family_hub,
        (uses_funded_early_education = 'N' or english_additional_language = 'Y'
            or known_to_family_hub = 'N') as is_seldom_heard,
        consent_quote = 'Y' as has_quote_consent,
        consent_link = 'Y' as has_link_consent,
        consent_link = 'Y' and child_id is not null as is_linked,
        child_id,
        _source_file as source_file
    from source
)

select * from renamed
