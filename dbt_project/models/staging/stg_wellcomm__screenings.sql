-- One row per WellComm screening in the financial year (sources/wellcomm_screenings/base.yml):
-- renamed and typed, the NHS number already a pseudonym at the door; placed in the
-- neighbourhood of the home postcode sector and its authority.
--   rag: G, A, R read as green, amber, red. section_label from seeds/wellcomm_sections.csv.
--   first_in_year: the child's first screening in the year that is not a rescreen (the
--     earliest date; on one day the highest section, the one screened first).
--   financial_quarter: the screening date's quarter as dbt_project/metadata/periods.yml
--     names it ('Financial year Q3'); the spec keeps every date inside the year.
with source as (
    select * from {{ source('raw', 'wellcomm_screenings') }}
),

sections as (
    select * from {{ ref('stg_reference__wellcomm_sections') }}
),

typed as (
    select
        academic_year,
        cast(time_period as integer) as time_period,
        time_identifier,
        child_health_pseudonym,
        cast(screening_date as date) as screening_date,
        trim(setting) as setting,
        cast(age_in_months as integer) as age_in_months,
        cast(section as integer) as section,
        cast(score as integer) as score,
        case rag when 'G' then 'green' when 'A' then 'amber' when 'R' then 'red' end as rag,
        cast(nullif(trim(green_section), '') as integer) as green_section,
        rescreen = 'Y' as rescreen,
        parent_view_recorded = 'Y' as parent_view_recorded,
        consent_quote = 'Y' as has_quote_consent,
        trim(postcode_sector) as postcode_sector,
        _source_file,
        cast(_source_row as integer) as _source_row
    from source
),

ordered as (
    select
        typed.*,
        sections.label as section_label,
        {{ financial_quarter_label('screening_date') }} as financial_quarter,
        not rescreen
        and row_number() over (
            partition by time_period, child_health_pseudonym, rescreen
            -- nulls last: DuckDB's default, spelt out for Postgres
            order by
                typed.screening_date, typed.section desc nulls last, typed._source_file,
                typed._source_row
        ) = 1 as first_in_year
    from typed
    left join sections on typed.section = sections.section
),

placed as (
    {{ placed_rows('ordered', 'postcode_sector', 'postcode_sector') }}
)

select
    time_period,
    time_identifier,
    financial_quarter,
    child_health_pseudonym,
    screening_date,
    setting,
    age_in_months,
    section,
    section_label,
    score,
    rag,
    green_section,
    rescreen,
    parent_view_recorded,
    has_quote_consent,
    first_in_year,
    postcode_sector,
    neighbourhood_code,
    neighbourhood_name,
    new_la_code,
    la_name,
    _source_file,
    _source_row
from placed
