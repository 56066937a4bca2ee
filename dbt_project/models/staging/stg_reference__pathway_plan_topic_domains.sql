-- The Pathway Plan review's topics (seeds/pathway_plan_topics.csv), one row per outcome
-- domain a topic informs: its `domains` split at `;`, and `All` read as every domain the
-- other topics name (Table 1's eight), so the domains are declared once, in the seed.
with source as (
    select * from {{ ref('pathway_plan_topics') }}
),

renamed as (
    select
        trim(topic_id) as topic_id,
        trim(wording) as wording,
        trim(unnest(string_to_array(domains, ';'))) as domain
    from source
),

named_domains as (
    select distinct domain
    from renamed
    where domain <> 'All'
),

expanded as (
    select
        renamed.topic_id,
        renamed.wording,
        named_domains.domain
    from renamed
    inner join named_domains
        on renamed.domain = 'All'
    union all
    select
        topic_id,
        wording,
        domain
    from renamed
    where domain <> 'All'
)

select distinct
    topic_id,
    wording,
    domain
from expanded
