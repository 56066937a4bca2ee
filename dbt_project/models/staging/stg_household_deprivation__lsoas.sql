-- Census 2021 household deprivation (ONS TS011) by 2021 LSOA, as landed for an academic
-- year (sources/household_deprivation/base.yml): households by the number of dimensions
-- (education, employment, health, housing) they are deprived in.
with source as (
    select * from {{ source('raw', 'household_deprivation') }}
)

select
    cast(time_period as integer) as time_period,
    academic_year,
    upper(trim(lsoa_code)) as lsoa_code,
    cast(households as integer) as households,
    cast(deprived_0 as integer) as deprived_0,
    cast(deprived_1 as integer) as deprived_1,
    cast(deprived_2 as integer) as deprived_2,
    cast(deprived_3 as integer) as deprived_3,
    cast(deprived_4 as integer) as deprived_4,
    _source_file,
    cast(_source_row as integer) as _source_row
from source
