-- Each Pathway Plan review row (one review, one perspective) with its place among the young
-- person's reviews from that perspective: review_rank 1 is the latest of the financial year
-- (ties on the date broken by review id), previous_review_id and previous_time_period the
-- review before it (in any year), for the distance travelled. A review id is unique within a
-- financial year only (sources/pathway_plan_reviews), so a review is (time_period, review_id).
with reviews as (
    select * from {{ ref('stg_pathway_plan__reviews') }}
)

select
    review_id,
    child_pseudonym,
    perspective,
    review_date,
    time_period,
    team_code,
    team_name,
    new_la_code,
    la_name,
    row_number() over (
        partition by time_period, child_pseudonym, perspective
        -- nulls last: DuckDB's default, spelt out for Postgres
        order by review_date desc nulls last, review_id desc nulls last
    ) as review_rank,
    lag(review_id) over (
        partition by child_pseudonym, perspective
        order by review_date, review_id
    ) as previous_review_id,
    lag(time_period) over (
        partition by child_pseudonym, perspective
        order by review_date, review_id
    ) as previous_time_period
from reviews
