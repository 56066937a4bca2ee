-- WellComm's nine Early Years sections with their age bands and labels
-- (seeds/wellcomm_sections.csv).
with source as (
    select * from {{ ref('wellcomm_sections') }}
)

select
    section,
    age_from_months,
    age_to_months,
    trim(label) as label
from source
