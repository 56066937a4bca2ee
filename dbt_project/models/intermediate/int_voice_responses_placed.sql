-- Respondents with their neighbourhood's name and authority.
with responses as (
    select * from {{ ref('stg_voice__responses') }}
),

neighbourhoods as (
    select * from {{ ref('int_neighbourhood_authorities') }}
)

select
    responses.*,
    neighbourhoods.neighbourhood_name,
    neighbourhoods.new_la_code,
    neighbourhoods.la_name
from responses
inner join neighbourhoods using (neighbourhood_code)
