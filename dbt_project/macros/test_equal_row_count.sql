{#- A generic test: the model has as many rows as compare_model (a join dropped nobody);
    with less_quarantined, as many as compare_model's rows that raw.quarantine does not name
    (macros/not_quarantined.sql). -#}
{% test equal_row_count(model, compare_model, less_quarantined=false) %}
with counts as (
    select
        (select count(*) from {{ model }}) as model_rows,
        {% if less_quarantined %}
        (select count(*) from ({{ not_quarantined(compare_model) }}) as kept) as compare_rows
        {% else %}
        (select count(*) from {{ compare_model }}) as compare_rows
        {% endif %}
)
select * from counts where model_rows <> compare_rows
{% endtest %}
