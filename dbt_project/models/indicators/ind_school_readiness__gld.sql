-- % of children at a Good Level of Development (DfE rule: expected in all 12 prime,
-- literacy and mathematics ELGs; a child not assessed in a goal has not met it).
{{ indicator_over_children(
    indicator_id='gld',
    numerator=count_where('is_gld'),
    value_type='proportion',
    children=ref('int_children_joined'),
    crossed=[('FSM eligibility by first language', "fsm_eligibility || ', ' || first_language")],
) }}
