-- The ASQ-3 cut-offs (seeds/asq3_cutoffs.csv, LA-editable; the values shipped are
-- illustrative): for each domain and questionnaire, the ages (whole months) it is used for,
-- the cut-off (a score at or below it is `below`) and the monitoring zone's upper limit (at
-- or below it `monitoring`, above it `above`).
with source as (
    select * from {{ ref('asq3_cutoffs') }}
)

select
    lower(trim(domain)) as domain,
    questionnaire_months,
    age_from_months,
    age_to_months,
    cutoff,
    monitoring_upper
from source
