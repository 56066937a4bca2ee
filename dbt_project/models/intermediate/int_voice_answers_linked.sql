-- The consented linked subset for the added-value analysis: one row per linked child per
-- item, from the answers of parents who consented to linking, joined to the child's EYFSP
-- outcomes in the same academic year. When more than one consenting parent of a child
-- answered an item, the child counts as answering it positively if any of them did. Only
-- parents placed in the child's own authority are linked, so every linked child of an
-- authority stands for at least one of that authority's respondents.
with answers as (
    select * from {{ ref('int_voice_answers_joined') }}
    where is_linked
),

children as (
    select * from {{ ref('int_children_joined') }}
),

per_child as (
    select
        answers.time_period,
        answers.item_id,
        answers.child_id,
        max(case when answers.is_positive then 1 else 0 end) = 1 as is_positive
    from answers
    inner join children
        on answers.child_id = children.child_id
        and answers.time_period = children.time_period
        and answers.new_la_code = children.new_la_code
    group by answers.time_period, answers.item_id, answers.child_id
)

select
    per_child.time_period,
    per_child.item_id,
    per_child.is_positive,
    children.child_id,
    children.is_gld,
    children.elgs_at_expected,
    children.neighbourhood_code,
    children.neighbourhood_name,
    children.new_la_code,
    children.la_name
from per_child
inner join children
    on per_child.child_id = children.child_id
    and per_child.time_period = children.time_period
