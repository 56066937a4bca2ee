-- Parents' own words about their child's talking, beside the numbers they explain: the
-- concern a parent voiced at the two-year review (beside the ASQ-3 communication result) and
-- the parent's view recorded at a WellComm screening (beside the RAG result). Consent-gated
-- and scrubbed at the door; requests for help never reach staging. Each row is placed in
-- its neighbourhood and its authority; only areas and years with at least the minimum
-- number of children of that kind (reviewed / screened: distinct child pseudonyms, the
-- voice_min_respondents of seeds/disclosure_control.csv) keep their words. The count itself
-- is not published: an undeclared count of people per area would be a number disclosure
-- control does not see.
with concerns as (
    select * from {{ ref('stg_health_visitor__concerns') }}
),

views as (
    select * from {{ ref('stg_wellcomm__parent_views') }}
),

neighbourhoods as (
    select distinct neighbourhood_code, neighbourhood_name
    from {{ ref('stg_reference__neighbourhoods') }}
),

authorities as (
    select distinct new_la_code, la_name from {{ ref('stg_reference__local_authorities') }}
),

minimum as (
    select cast(value as integer) as children_needed
    from {{ ref('disclosure_control') }}
    where setting = 'voice_min_respondents'
),

words as (
    select
        concern_words as quote,
        'concern at the two-year review' as kind,
        case
            when asq_communication_zone in ('above', 'monitoring')
                then 'At or above the expected level'
            when asq_communication_zone = 'below' then 'Below the expected level'
            else 'No communication score'
        end as group_label,
        time_period,
        neighbourhood_code,
        new_la_code
    from concerns
    where coalesce(trim(concern_words), '') <> ''
    union all
    select
        parent_view as quote,
        'view at screening' as kind,
        case rag when 'green' then 'Green' when 'amber' then 'Amber' when 'red' then 'Red' end
            as group_label,
        time_period,
        neighbourhood_code,
        new_la_code
    from views
    where coalesce(trim(parent_view), '') <> ''
),

-- the children each kind of words comes from, per area and year (never published)
population as (
    select
        'concern at the two-year review' as kind,
        time_period,
        neighbourhood_code,
        new_la_code,
        child_health_pseudonym
    from {{ ref('stg_health_visitor__reviews') }}
    where reviewed
    union all
    select
        'view at screening' as kind,
        time_period,
        neighbourhood_code,
        new_la_code,
        child_health_pseudonym
    from {{ ref('stg_wellcomm__screenings') }}
),

area_children as (
    select
        kind,
        time_period,
        'Neighbourhood' as geographic_level,
        neighbourhood_code as area_code,
        count(distinct child_health_pseudonym) as children
    from population
    group by kind, time_period, neighbourhood_code
    union all
    select
        kind,
        time_period,
        'Local authority' as geographic_level,
        new_la_code as area_code,
        count(distinct child_health_pseudonym) as children
    from population
    group by kind, time_period, new_la_code
),

by_area as (
    select
        words.quote,
        words.kind,
        words.group_label,
        words.time_period,
        'Neighbourhood' as geographic_level,
        words.neighbourhood_code as area_code,
        neighbourhoods.neighbourhood_name as area_name
    from words
    inner join neighbourhoods on words.neighbourhood_code = neighbourhoods.neighbourhood_code
    union all
    select
        words.quote,
        words.kind,
        words.group_label,
        words.time_period,
        'Local authority' as geographic_level,
        words.new_la_code as area_code,
        authorities.la_name as area_name
    from words
    inner join authorities on words.new_la_code = authorities.new_la_code
)

select distinct
    by_area.quote,
    by_area.kind,
    by_area.group_label,
    by_area.area_code,
    by_area.area_name,
    by_area.geographic_level,
    by_area.time_period
from by_area
inner join area_children
    on
        by_area.kind = area_children.kind
        and by_area.time_period = area_children.time_period
        and by_area.geographic_level = area_children.geographic_level
        and by_area.area_code = area_children.area_code
cross join minimum
where area_children.children >= minimum.children_needed
order by
    by_area.time_period,
    by_area.geographic_level,
    by_area.area_code,
    by_area.kind,
    by_area.group_label,
    by_area.quote
