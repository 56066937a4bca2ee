-- The LA's postcode-to-LSOA lookup for an academic year (sources/postcode_lsoa/base.yml):
-- one row per postcode, held only as its sector and its keyed pseudonym (the school
-- census's home postcode gets the same pseudonym), with its 2021 LSOA.
with source as (
    select * from {{ source('raw', 'postcode_lsoa') }}
)

select
    cast(time_period as integer) as time_period,
    academic_year,
    postcode_sector,
    postcode_pseudonym,
    upper(trim(lsoa21cd)) as lsoa_code,
    _source_file,
    cast(_source_row as integer) as _source_row
from source
