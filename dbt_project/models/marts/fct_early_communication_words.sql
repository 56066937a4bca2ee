-- Parents' own words about their child's talking: the concern a parent voiced at the two-year
-- review and the parent's view recorded at a WellComm screening. Consent-gated and scrubbed at
-- the door; requests for help never reach staging. Each row is placed in its neighbourhood and
-- its authority, labelled by its kind, area and year only: no result, colour or zone (a
-- label finer than the area and year would let the number of distinct words under it bound
-- that group's hidden count from below). Only areas and years with at least the minimum
-- number of children of that kind (reviewed / screened: distinct child pseudonyms, the
-- voice_min_respondents of seeds/disclosure_control.csv) keep their words. That count is
-- used, never published: an undeclared count of people per area would be a number
-- disclosure control does not see.
--
-- Can the number of distinct words of an area and year narrow a published hidden (c) count?
-- It is a lower bound on the records they come from. The views come from screenings with a
-- view recorded: the numerator of ec_wellcomm_parent_view, a published cell. The concerns
-- come from any review in the year whose parent gave words, which no published cell counts:
-- ec_concern_but_expected's denominator (concerned parents at reviews by 30 months with a
-- score) is a subset, and a lower bound on a superset bounds no subset; but it is close, so
-- it is guarded the same way, to be safe. The framework declares each kind's counting
-- indicator (statements.explains[].hidden_with in frameworks/school_readiness.yml) and the
-- publication drops the words of an area and year where that indicator's numerator or
-- denominator is hidden or not published (indicators/publish/statement_rules.py): no words
-- are published beside a hidden count they could bound. The authority keeps only the words
-- one of its neighbourhoods keeps, so its list never shows words withheld in a small or
-- hidden neighbourhood (comparing the lists would pin them there). The minimum itself (words only where at least that many children were
-- reviewed or screened) is a lower bound on children reviewed or screened in the year, which
-- is no published count either (the published ones are subsets: by 30 months, with a score);
-- and the words of an area and year sit only beside figures whose counts are published.
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
        time_period,
        neighbourhood_code,
        new_la_code
    from concerns
    where coalesce(trim(concern_words), '') <> ''
    union all
    select
        parent_view as quote,
        'view at screening' as kind,
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
    by_area.quote
