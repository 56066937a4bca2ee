{#- A placed source's rows with the area columns the indicator macros group by (their names
    are dbt_project/metadata/geographies.yml's `columns:`), from the list the rows were
    checked against at ingest (docs/inputs.md, "Placing rows"):
    - method 'team': `column` holds a code of seeds/teams.csv; adds team_code, team_name;
    - 'district': a code of seeds/districts.csv; adds district_code, district_name;
    - 'la_wide': an LA number of seeds/local_authorities.csv;
    - 'postcode_sector': a postcode sector of seeds/neighbourhood_lookup.csv; adds
      neighbourhood_code, neighbourhood_name (the authority: int_neighbourhood_authorities);
    and in each case the authority's new_la_code and la_name. A `column` named as the code
    (team_code for 'team') is kept as the rows have it, so they must carry it trimmed.
    `rows` is a relation or a CTE, e.g. {{ placed_rows('renamed', 'team', 'team') }} to end
    a staging model. -#}
{% macro placed_rows(rows, method, column) -%}
{%- set authorities = ref('stg_reference__local_authorities') -%}
{%- if method == 'postcode_sector' %}
select
    placed.*,
    neighbourhoods.neighbourhood_code,
    authorities.neighbourhood_name,
    authorities.new_la_code,
    authorities.la_name
from {{ rows }} as placed
inner join {{ ref('stg_reference__neighbourhoods') }} as neighbourhoods
    on placed.{{ column }} = neighbourhoods.postcode_sector
inner join {{ ref('int_neighbourhood_authorities') }} as authorities
    on neighbourhoods.neighbourhood_code = authorities.neighbourhood_code
{%- elif method == 'la_wide' %}
select
    placed.*,
    authorities.new_la_code,
    authorities.la_name
from {{ rows }} as placed
inner join {{ authorities }} as authorities
    on placed.{{ column }} = authorities.la_code
{%- else -%}
{%- if method == 'team' -%}
    {%- set areas, code, name = ref('stg_reference__teams'), 'team_code', 'team_name' -%}
{%- elif method == 'district' -%}
    {%- set areas, code, name = ref('stg_reference__districts'), 'district_code', 'district_name' -%}
{%- else -%}
    {{ exceptions.raise_compiler_error("placed_rows: method must be 'team', 'district', 'la_wide' or 'postcode_sector', not '" ~ method ~ "'") }}
{%- endif %}
select
    placed.*,
    {%- if column != code %}
    areas.{{ code }},
    {%- endif %}
    areas.{{ name }},
    authorities.new_la_code,
    authorities.la_name
from {{ rows }} as placed
inner join {{ areas }} as areas
    on trim(placed.{{ column }}) = areas.{{ code }}
inner join {{ authorities }} as authorities
    on areas.new_la_code = authorities.new_la_code
{%- endif %}
{%- endmacro %}

{#- The usable rows of one of the LA's area lists (seeds/teams.csv, seeds/districts.csv, from
    the landing area's seeds/ when it brings one: loaded as read into raw.teams and
    raw.districts by indicators/ingest/reference_load.py), by
    the rules the ingest applies to it (indicators/ingest/area_lists.py): a row with a blank
    field, every row of a code listed with two names or authorities, a row whose authority
    is not in the LA list, and a row whose code a neighbourhood, an authority or an earlier
    list already has (`taken`: relations with a column `area_code`) are set aside. `optional`
    columns (a team's district_code) are carried as read, blank as null, and decide nothing
    here (indicators/ingest/area_lists.py, AreaList.optional; stg_reference__team_districts
    checks a team's district). -#}
{% macro area_list(seed, code, name, taken=[], optional=[]) -%}
with source as (
    select * from {{ source('raw', seed) }}
),

renamed as (
    select distinct
        trim({{ code }}) as {{ code }},
        trim({{ name }}) as {{ name }},
        trim(new_la_code) as new_la_code
    from source
),

complete as (
    select * from renamed
    where
        coalesce({{ code }}, '') <> ''
        and coalesce({{ name }}, '') <> ''
        and coalesce(new_la_code, '') <> ''
        and new_la_code in (select new_la_code from {{ ref('stg_reference__local_authorities') }})
        and {{ code }} not in (
            select new_la_code from {{ ref('stg_reference__local_authorities') }}
            union all
            select neighbourhood_code from {{ ref('stg_reference__neighbourhoods') }}
            {%- for relation in taken %}
            union all
            select area_code from {{ relation }}
            {%- endfor %}
        )
),

-- A code is usable when its one row (exact repeats are one) is complete.
usable as (
    select * from complete
    where {{ code }} in (select {{ code }} from renamed group by {{ code }} having count(*) = 1)
)
{%- if optional %},

-- The optional columns of a usable code (the first row's value when repeats differ).
with_optional as (
    select
        usable.*,
        {%- for column in optional %}
        (
            select min(nullif(trim(listed.{{ column }}), ''))
            from source as listed
            where trim(listed.{{ code }}) = usable.{{ code }}
        ) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from usable
)

select * from with_optional
{%- else %}

select * from usable
{%- endif %}
{%- endmacro %}
