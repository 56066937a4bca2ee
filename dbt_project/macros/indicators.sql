{#- The standard shape every indicator model returns:
    indicator_id, time_period, time_identifier, geographic_level, area_code, area_name,
    breakdown, "group", numerator, denominator, value, standard_deviation (means only; null
    for proportions). time_identifier is the EES label of the part of the year a row is for
    ("April", "Financial year Q1"); a model of a period type that does not divide the year
    may leave it null (or out): fct_indicator_values writes the period type's own
    ("Academic year") from metadata/periods.yml. -#}

{#- Child characteristics an LA-level figure is broken down by: (breakdown label, column). -#}
{% macro child_breakdowns() -%}
    {{ return([
        ('Sex', 'sex'),
        ('FSM eligibility', 'fsm_eligibility'),
        ('First language', 'first_language'),
        ('SEN provision', 'sen_provision'),
        ('Season of birth', 'season_of_birth'),
        ('Ethnicity', 'ethnicity'),
    ]) }}
{%- endmacro %}

{% macro indicator_value(value_type, numerator, denominator) -%}
    {%- if value_type == 'proportion' -%}
        cast(100.0 * ({{ numerator }}) as double precision) / nullif({{ denominator }}, 0)
    {%- elif value_type == 'mean' -%}
        cast(({{ numerator }}) as double precision) / nullif({{ denominator }}, 0)
    {%- elif value_type == 'rate' -%}
        cast(100.0 * ({{ numerator }}) as double precision) / nullif({{ denominator }}, 0)
    {%- elif value_type == 'median' -%}
        median_value
    {%- else -%}
        {{ exceptions.raise_compiler_error("value_type must be 'proportion', 'mean', 'rate' or 'median', not '" ~ value_type ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#- An indicator over children (one row per child per year in `children`); the denominator
    is the number of children.
    - value_type 'proportion': `numerator` is an aggregate counting children, e.g.
      count_where('is_gld'); value = 100 * numerator / denominator.
    - value_type 'mean': `score` is a per-child expression, e.g. elgs_at_expected; the
      numerator is its sum, value its mean and standard_deviation its sample SD (for the
      t interval).
    - value_type 'median': `score` is a per-row value (e.g. days to a Voice Note, null rows
      left out by `rows`); the numerator is null, value the median and `ordered_values` the
      sorted values, from which fct_indicator_values takes the order statistics of its
      interval (stats/medians.py); the list is never published.
    Produces neighbourhood and LA totals, and LA figures by each child breakdown (unless
    breakdowns=false), and by each (label, expression) in `crossed` (e.g. FSM eligibility by
    first language: its groups' relations to the single breakdowns are declared in the
    model's YAML). -#}
{% macro indicator_over_children(indicator_id, value_type, children, numerator=none, score=none,
                                 breakdowns=true, crossed=[]) -%}
{%- set groupings = [] -%}
{%- for label, column in (child_breakdowns() if breakdowns else []) + crossed -%}
    {%- do groupings.append(("'" ~ label ~ "'", column, ['Local authority'])) -%}
{%- endfor -%}
{{ indicator_over_rows(indicator_id, value_type, children, numerator=numerator, score=score,
                       total_group='All children', groupings=groupings) }}
{%- endmacro %}

{#- A general indicator over rows that each carry a time_period and, for each level in
    `levels`, the area columns dbt_project/metadata/geographies.yml declares for it
    (`columns:`; neighbourhood_code, neighbourhood_name, new_la_code, la_name for the
    defaults; team_code, team_name for 'Team' ...): children, voice answers, respondents,
    linked children, rows placed by team (macro `placed_rows`).
    - `breakdown` and `group` are SQL expressions (e.g. "'Voice item'" and "item_id") for one
      grouping at every level in `levels`; `groupings` instead lists several, each
      (breakdown, group, levels). With `total_group` set, a total row per area (breakdown
      'All') is added too.
    - `numerator` (proportion, rate) or `score` (mean) as in indicator_over_children; the
      denominator is the number of rows unless `denominator` is given.
    - `time_identifier`: for rows counted by month or quarter, the column naming the part of
      the year ('time_identifier', as a monthly source's raw table carries it): figures are
      then per time_period and time_identifier. Left out, it is null (a whole year).
    A row with no area at a level (a team with no district) is counted at the levels it has
    (the authority), never as an area with no code. -#}
{% macro indicator_over_rows(indicator_id, value_type, rows, numerator=none, score=none,
                             breakdown=none, group=none, total_group=none, denominator='count(*)',
                             levels=('Neighbourhood', 'Local authority'), groupings=none,
                             time_identifier=none) -%}
{%- set period = 'time_period, ' ~ (time_identifier if time_identifier else 'cast(null as varchar)') ~ ' as time_identifier' -%}
{%- set period_group = 'time_period' ~ (', ' ~ time_identifier if time_identifier else '') -%}
{%- set spread = 'cast(null as double precision)' -%}
{%- set ordered = '' -%}
{%- if value_type == 'mean' -%}
    {%- set numerator = 'sum(' ~ score ~ ')' -%}
    {%- set spread = 'stddev_samp(cast(' ~ score ~ ' as double precision))' -%}
{%- elif value_type == 'median' -%}
    {%- set numerator = 'cast(null as bigint)' -%}
    {%- set ordered = ', ' ~ median_of(score) ~ ' as median_value, ' ~ ordered_doubles(score) ~ ' as ordered_values' -%}
{%- endif -%}
{%- if groupings is none -%}
    {%- set groupings = [(breakdown, group, levels)] if group else [] -%}
{%- endif -%}
{#- Each level's (code, name) row columns, as geographies.yml declares them. -#}
{%- set area = geography_columns() -%}
{%- for used in [levels] + (groupings | map(attribute=2) | list) -%}
    {%- for level in used if level not in area -%}
        {{ exceptions.raise_compiler_error("level '" ~ level ~ "' has no columns: {code: ..., name: ...} in dbt_project/metadata/geographies.yml, so its rows cannot be grouped") }}
    {%- endfor -%}
{%- endfor -%}
{%- set parts = [] -%}
{#- `rows` is a relation, a subquery in brackets, or a subquery with its alias ("(...) as
    placed"): PostgreSQL needs an alias on a subquery, so one is added where none is given -#}
{%- set given = rows | string | trim -%}
{%- set aliased = given.startswith('(') and not given.endswith(')') -%}
{#- An authority's figures are also added up over the areas above it (a combined authority,
    a region: `of: authorities` in geographies.yml, seeds/authority_areas.csv) whose every
    listed authority has rows here: counted from the rows themselves (a median too) -#}
{%- set la_code = area['Local authority'][0] -%}
{%- set above = authority_group_levels() -%}
{%- set grouped_above = namespace(any=false) -%}
{%- for used in [levels] + (groupings | map(attribute=2) | list) if above and 'Local authority' in used -%}
    {%- set grouped_above.any = true -%}
{%- endfor -%}
{%- set grouped_above = grouped_above.any -%}
with source_rows as (
    select * from {{ rows }}{{ '' if aliased else ' as listed_rows' }}
),
{%- if grouped_above %}
authority_listing as (
    select * from {{ authority_listing() }} as listed
),

rows_above as (
    select
        source_rows.*,
        listing.geographic_level as above_level,
        listing.area_code as above_code,
        listing.area_name as above_name
    from source_rows
    inner join authority_listing as listing
        on source_rows.{{ la_code }} = listing.new_la_code
    inner join (
        {{ whole_areas('authority_listing', 'source_rows', la_code, period_group.split(', ')) }}
    ) as whole_periods
        on listing.geographic_level = whole_periods.geographic_level
        and listing.area_code = whole_periods.area_code
        {%- for key in period_group.split(', ') %}
        and source_rows.{{ key }} = whole_periods.{{ key }}
        {%- endfor %}
),
{%- endif %}
{%- for level in levels if total_group %}
{%- set code, name = area[level] %}
{%- do parts.append('total_' ~ loop.index) %}
total_{{ loop.index }} as (
    select
        {{ period }},
        '{{ level }}' as geographic_level,
        {{ code }} as area_code,
        {{ name }} as area_name,
        'All' as breakdown,
        '{{ total_group }}' as "group",
        {{ numerator }} as numerator,
        {{ denominator }} as denominator,
        {{ spread }} as standard_deviation{{ ordered }}
    from source_rows
    where {{ code }} is not null
    group by {{ period_group }}, {{ code }}, {{ name }}
),
{%- if level == 'Local authority' and grouped_above %}
{%- do parts.append('total_above') %}
total_above as (
    select
        {{ period }},
        above_level as geographic_level,
        above_code as area_code,
        above_name as area_name,
        'All' as breakdown,
        '{{ total_group }}' as "group",
        {{ numerator }} as numerator,
        {{ denominator }} as denominator,
        {{ spread }} as standard_deviation{{ ordered }}
    from rows_above
    group by {{ period_group }}, above_level, above_code, above_name
),
{%- endif %}
{%- endfor %}
{%- for grouping_breakdown, grouping_group, grouping_levels in groupings %}
{%- set outer = loop.index %}
{%- for level in grouping_levels %}
{%- set code, name = area[level] %}
{%- do parts.append('grouped_' ~ outer ~ '_' ~ loop.index) %}
grouped_{{ outer }}_{{ loop.index }} as (
    select
        {{ period }},
        '{{ level }}' as geographic_level,
        {{ code }} as area_code,
        {{ name }} as area_name,
        {{ grouping_breakdown }} as breakdown,
        {{ grouping_group }} as "group",
        {{ numerator }} as numerator,
        {{ denominator }} as denominator,
        {{ spread }} as standard_deviation{{ ordered }}
    from source_rows
    where {{ code }} is not null
    {#- a quoted label ('Sex') is a constant, which Postgres refuses in group by #}
    group by {{ period_group }}, {{ code }}, {{ name }}
        {%- for expression in (grouping_breakdown, grouping_group)
              if not (expression.startswith("'") and expression.endswith("'")
                      and expression.count("'") == 2) %}, {{ expression }}{% endfor %}
),
{%- if level == 'Local authority' and grouped_above %}
{%- do parts.append('grouped_' ~ outer ~ '_above') %}
grouped_{{ outer }}_above as (
    select
        {{ period }},
        above_level as geographic_level,
        above_code as area_code,
        above_name as area_name,
        {{ grouping_breakdown }} as breakdown,
        {{ grouping_group }} as "group",
        {{ numerator }} as numerator,
        {{ denominator }} as denominator,
        {{ spread }} as standard_deviation{{ ordered }}
    from rows_above
    group by {{ period_group }}, above_level, above_code, above_name
        {%- for expression in (grouping_breakdown, grouping_group)
              if not (expression.startswith("'") and expression.endswith("'")
                      and expression.count("'") == 2) %}, {{ expression }}{% endfor %}
),
{%- endif %}
{%- endfor %}
{%- endfor %}
combined as (
    {%- for part in parts %}
    select * from {{ part }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    '{{ indicator_id }}' as indicator_id,
    cast(time_period as integer) as time_period,
    cast(time_identifier as varchar) as time_identifier,
    geographic_level,
    area_code,
    area_name,
    breakdown,
    "group",
    cast(numerator as bigint) as numerator,
    cast(denominator as bigint) as denominator,
    {{ indicator_value(value_type, 'numerator', 'denominator') }} as value,
    standard_deviation{{ ', ordered_values' if value_type == 'median' else '' }}
from combined
where denominator > 0
{%- endmacro %}

{#- The areas above authorities that geographies.yml declares `of: authorities`, as
    seeds/authority_areas.csv lists them (stg_reference__authority_areas): a subquery of
    new_la_code, geographic_level, area_code, area_name, `members` (how many authorities
    the list puts in the area) and `nearness` (1 for the level nearest the authority). -#}
{% macro authority_listing() -%}
{%- set levels = authority_group_levels() -%}
(
    select
        new_la_code,
        geographic_level,
        area_code,
        min(area_name) over (partition by geographic_level, area_code) as area_name,
        count(*) over (partition by geographic_level, area_code) as members,
        case geographic_level
            {%- for level in levels %}
            when '{{ level }}' then {{ loop.index }}
            {%- endfor %}
        end as nearness
    from {{ ref('stg_reference__authority_areas') }}
    {%- if levels %}
    where geographic_level in ({% for level in levels %}'{{ level }}'{{ ', ' if not loop.last }}{% endfor %})
    {%- else %}
    where 1 = 0
    {%- endif %}
)
{%- endmacro %}

{#- For each period (`keys`, e.g. time_period) of `rows` (a relation whose `authority`
    column holds an authority's code), the (geographic_level, area_code) of each area of
    `listing` (authority_listing()) every listed authority of which has rows in that
    period: an area is published only whole, never from some of its authorities. -#}
{% macro whole_areas(listing, rows, authority, keys) -%}
select
            {%- for key in keys %}
            present.{{ key }},
            {%- endfor %}
            whole.geographic_level,
            whole.area_code
        from (
            select distinct {{ keys | join(', ') }}, {{ authority }} as present_authority
            from {{ rows }}
        ) as present
        inner join {{ listing }} as whole
            on present.present_authority = whole.new_la_code
        group by
            {%- for key in keys %}
            present.{{ key }},
            {%- endfor %}
            whole.geographic_level,
            whole.area_code,
            whole.members
        having count(*) = whole.members
{%- endmacro %}

{#- For a model that counts its authorities' figures itself (not through
    indicator_over_rows): its rows in `relation` (a CTE with geographic_level, area_code,
    area_name, numerator, denominator and the `keys` columns), and the same counts added
    up over each area above authorities whose every listed authority has a row here
    (authority_listing: a combined authority, a region). Only for counts that add up
    across authorities (a count of people, as indicator_over_rows counts them): never a
    mean's or a median's. -#}
{% macro with_areas_above(relation, keys=['time_period']) -%}
select {{ keys | join(', ') }}, geographic_level, area_code, area_name, numerator, denominator
from {{ relation }}
{%- if authority_group_levels() %}
union all
select
    {%- for key in keys %}
    {{ relation }}.{{ key }},
    {%- endfor %}
    listing.geographic_level,
    listing.area_code,
    listing.area_name,
    sum({{ relation }}.numerator) as numerator,
    sum({{ relation }}.denominator) as denominator
from {{ relation }}
inner join {{ authority_listing() }} as listing
    on {{ relation }}.area_code = listing.new_la_code
inner join (
    {{ whole_areas(authority_listing(), "(select * from " ~ relation ~ " where geographic_level = 'Local authority') as authority_rows", 'area_code', keys) }}
) as whole_periods
    on listing.geographic_level = whole_periods.geographic_level
    and listing.area_code = whole_periods.area_code
    {%- for key in keys %}
    and {{ relation }}.{{ key }} = whole_periods.{{ key }}
    {%- endfor %}
where {{ relation }}.geographic_level = 'Local authority'
group by
    {%- for key in keys %}
    {{ relation }}.{{ key }},
    {%- endfor %}
    listing.geographic_level,
    listing.area_code,
    listing.area_name
{%- endif %}
{%- endmacro %}
