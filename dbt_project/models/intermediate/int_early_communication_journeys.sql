-- The year's reception children (EYFSP return, placed in their reception-year neighbourhood
-- as for GLD), in the years a linkage file was landed for, each with whether the linkage file (stg_linkage__health_education, the only
-- way children are linked: never on date of birth or postcode) ties them to a two-year
-- review with an ASQ-3 communication score, and that review's result. The linkage file of
-- the reception year links the child; the review may be in any financial year's file (the
-- latest scored review counts when there are several).
with children as (
    select * from {{ ref('int_children_joined') }}
),

goals as (
    select child_id, time_period, elg01, elg02 from {{ ref('stg_eyfsp__results') }}
),

linkage as (
    select distinct time_period, child_health_pseudonym, child_pseudonym
    from {{ ref('stg_linkage__health_education') }}
),

scored_reviews as (
    select
        child_health_pseudonym,
        at_or_above_expected,
        row_number() over (
            partition by child_health_pseudonym
            -- nulls last: DuckDB's default, spelt out for Postgres
            order by review_date desc nulls last, time_period desc nulls last
        ) as latest
    from {{ ref('stg_health_visitor__reviews') }}
    where at_or_above_expected is not null
),

linked as (
    select
        linkage.time_period,
        linkage.child_pseudonym,
        scored_reviews.at_or_above_expected
    from linkage
    inner join scored_reviews
        on linkage.child_health_pseudonym = scored_reviews.child_health_pseudonym
        and scored_reviews.latest = 1
)

select
    children.*,
    {{ at_expected('goals.elg01') }} and {{ at_expected('goals.elg02') }} as is_cl_expected,
    linked.child_pseudonym is not null as is_linked,
    case
        when linked.at_or_above_expected then 'At or above the expected level'
        when not linked.at_or_above_expected then 'Below the expected level'
    end as two_year_communication_result
from children
inner join (select distinct time_period from linkage) as linked_years
    on children.time_period = linked_years.time_period
inner join goals
    on children.child_id = goals.child_id
    and children.time_period = goals.time_period
left join linked
    on children.time_period = linked.time_period
    and children.child_id = linked.child_pseudonym
