-- One row per child who reached 2½ years (30 months) in the financial year, reviewed or not
-- (sources/health_visitor_reviews/base.yml): renamed and typed, the NHS number already a
-- pseudonym and the date of birth a month at the door; placed in the neighbourhood of the
-- home postcode sector and its authority.
--   reached_30_months_month: the birth month plus 30 months, inside the file's year (the
--     spec's date of birth window); `financial_quarter` is its quarter as
--     dbt_project/metadata/periods.yml names it ('Financial year Q3'), for reviewed children
--     only (null when not reviewed); `reached_30_months_quarter` the same for every child.
--     The quarter of reaching 2½, not of the review date: a review done at 27 months may be
--     dated in the year before, and each child must count in one quarter of its own year.
--   asq_communication_zone: the score against seeds/asq3_cutoffs.csv for the child's age
--     at the review: at or below the cut-off `below`, at or below the monitoring limit
--     `monitoring`, else `above`; null without a score or without a questionnaire for the
--     age. at_or_above_expected (PHOF C08b): the zone is above or monitoring.
--   reviewed_by_30_months: reviewed at 30 months or younger.
with source as (
    select * from {{ source('raw', 'health_visitor_reviews') }}
),

cutoffs as (
    select * from {{ ref('stg_reference__asq3_cutoffs') }}
    where domain = 'communication'
),

typed as (
    select
        academic_year,
        cast(time_period as integer) as time_period,
        time_identifier,
        child_health_pseudonym,
        birth_month,
        cast(birth_month || '-01' as date) + interval '30 months' as reached_30_months_month,
        cast(nullif(trim(review_date), '') as date) as review_date,
        cast(nullif(trim(age_in_months), '') as integer) as age_in_months,
        cast(nullif(trim(asq_communication), '') as integer) as asq_communication,
        cast(nullif(trim(asq_gross_motor), '') as integer) as asq_gross_motor,
        cast(nullif(trim(asq_fine_motor), '') as integer) as asq_fine_motor,
        cast(nullif(trim(asq_problem_solving), '') as integer) as asq_problem_solving,
        cast(nullif(trim(asq_personal_social), '') as integer) as asq_personal_social,
        coalesce(nullif(trim(parent_concern), ''), 'not_asked') as parent_concern,
        consent_quote = 'Y' as has_quote_consent,
        trim(postcode_sector) as postcode_sector,
        _source_file,
        cast(_source_row as integer) as _source_row
    from source
),

zoned as (
    select
        typed.*,
        review_date is not null as reviewed,
        {{ financial_quarter_label('reached_30_months_month') }} as reached_30_months_quarter,
        case
            when typed.asq_communication is null or cutoffs.cutoff is null then null
            when typed.asq_communication <= cutoffs.cutoff then 'below'
            when typed.asq_communication <= cutoffs.monitoring_upper then 'monitoring'
            else 'above'
        end as asq_communication_zone,
        cutoffs.questionnaire_months as asq_questionnaire_months
    from typed
    left join cutoffs
        on typed.age_in_months between cutoffs.age_from_months and cutoffs.age_to_months
),

renamed as (
    select
        *,
        case when reviewed then reached_30_months_quarter end as financial_quarter,
        coalesce(reviewed and age_in_months <= 30, false) as reviewed_by_30_months,
        case
            when asq_communication_zone in ('above', 'monitoring') then true
            when asq_communication_zone = 'below' then false
        end as at_or_above_expected
    from zoned
),

placed as (
    {{ placed_rows('renamed', 'postcode_sector', 'postcode_sector') }}
)

select
    time_period,
    time_identifier,
    financial_quarter,
    reached_30_months_quarter,
    child_health_pseudonym,
    birth_month,
    reviewed,
    review_date,
    age_in_months,
    reviewed_by_30_months,
    asq_communication,
    asq_questionnaire_months,
    asq_communication_zone,
    at_or_above_expected,
    asq_gross_motor,
    asq_fine_motor,
    asq_problem_solving,
    asq_personal_social,
    parent_concern,
    has_quote_consent,
    postcode_sector,
    neighbourhood_code,
    neighbourhood_name,
    new_la_code,
    la_name,
    _source_file,
    _source_row
from placed
