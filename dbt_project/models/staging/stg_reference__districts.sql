-- The local authority districts (seeds/districts.csv), each with its county: where rows
-- placed by district (`placement: {method: district}`) are counted.
with source as (
    select * from {{ ref('districts') }}
),

renamed as (
    select distinct
        trim(district_code) as district_code,
        trim(district_name) as district_name,
        trim(new_la_code) as new_la_code
    from source
),

-- As the ingest (indicators/ingest/area_lists.py): a row with a blank field, and every row
-- of a code listed with two names or authorities, is set aside.
complete as (
    select * from renamed
    where
        coalesce(district_code, '') <> ''
        and coalesce(district_name, '') <> ''
        and coalesce(new_la_code, '') <> ''
),

usable as (
    select * from complete
    where
        district_code in (select district_code from complete group by district_code having count(*) = 1)
        and district_code not in (
            select district_code from renamed
            where district_code is not null
                and (coalesce(district_name, '') = '' or coalesce(new_la_code, '') = '')
        )
)

select * from usable
