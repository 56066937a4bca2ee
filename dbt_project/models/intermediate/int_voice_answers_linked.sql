-- Answers from parents who consented to linking, joined to their child's EYFSP outcomes
-- in the same academic year: the consented linked subset for the added-value analysis.
with answers as (
    select * from {{ ref('int_voice_answers_joined') }}
    where is_linked
),

children as (
    select * from {{ ref('int_children_joined') }}
)

select
    answers.time_period,
    answers.item_id,
    answers.wording,
    answers.is_positive,
    children.child_id,
    children.is_gld,
    children.elgs_at_expected,
    children.neighbourhood_code,
    children.neighbourhood_name,
    children.new_la_code,
    children.la_name
from answers
inner join children
    on answers.child_id = children.child_id
    and answers.time_period = children.time_period
