-- IDACI 2025 (English Indices of Deprivation 2025) by 2021 LSOA, as landed for an academic
-- year (sources/idaci/base.yml). `idaci_quintile` is England's quintile read from the
-- decile: deciles 1-2 are quintile 1, the most deprived fifth of LSOAs.
with source as (
    select * from {{ source('raw', 'idaci') }}
)

select
    cast(time_period as integer) as time_period,
    academic_year,
    upper(trim(lsoa_code)) as lsoa_code,
    cast(nullif(trim(idaci_score), '') as double precision) as idaci_score,
    cast(idaci_rank as integer) as idaci_rank,
    cast(idaci_decile as integer) as idaci_decile,
    cast({{ int_div('cast(idaci_decile as integer) + 1', '2') }} as integer) as idaci_quintile,
    _source_file,
    cast(_source_row as integer) as _source_row
from source
