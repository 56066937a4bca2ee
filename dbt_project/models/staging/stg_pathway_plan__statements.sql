-- One row per statement kept from a Pathway Plan review: the spec's `<topic_id>_statement`
-- columns read as rows. The raw table holds only text given with consent to quote,
-- scrubbed at the door, and never a request for help (those are named for follow-up
-- instead: indicators/ingest/standalone_text.py); a blank is no statement.
{%- set statements = source_columns('raw', 'pathway_plan_reviews', suffix='_statement') %}
with source as (
    select * from {{ source('raw', 'pathway_plan_reviews') }}
),

statements as (
{%- for column in statements %}
    select
        review_id,
        perspective,
        cast(time_period as integer) as time_period,
        '{{ column[:-10] }}' as topic_id,
        trim({{ column }}) as statement
    from source
    where nullif(trim({{ column }}), '') is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- else %}
    select
        review_id,
        perspective,
        cast(time_period as integer) as time_period,
        cast(null as varchar) as topic_id,
        cast(null as varchar) as statement
    from source
    where false
{%- endfor %}
)

select * from statements
