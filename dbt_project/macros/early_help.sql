{#- The financial year (April to March) a date falls in, as the published tables write it:
    202425 for 1 April 2024 to 31 March 2025 (integer; null for a null date). -#}
{% macro financial_year(date) -%}
case
    when {{ month_number(date) }} >= 4 then {{ year_number(date) }} * 100 + ({{ year_number(date) }} + 1) % 100
    else ({{ year_number(date) }} - 1) * 100 + {{ year_number(date) }} % 100
end
{%- endmacro %}

{#- The quarter of the financial year a date falls in, labelled as the financial_quarter
    period type's time identifiers (dbt_project/metadata/periods.yml): 'Financial year Q1'
    (April to June) ... 'Financial year Q4' (January to March); null for a null date. -#}
{% macro financial_quarter_label(date) -%}
'Financial year Q' || cast({{ int_div('(' ~ month_number(date) ~ ' + 8) % 12', '3') }} + 1 as varchar)
{%- endmacro %}

{#- Early Help indicators (issue 16): one macro per family, so each model is a few lines.
    Rows come from int_early_help__referral_journeys (one per referral) or
    stg_early_help__survey; figures at Team, Local authority district and Local authority
    (a team's district from seeds/teams.csv, dim_areas' parents).
    `period`: 'year' (the financial year), 'quarter' (financial_quarter: 'Financial year
    Q1' ...) or 'month' (the calendar month as EES writes it: calendar_year 2025 and
    time_identifier 'January'); the parts of a year add up to it, by date (relations kind
    parts_of_year in each model's YAML). -#}

{% macro early_help_levels() -%}
    {{ return(('Team', 'Local authority district', 'Local authority')) }}
{%- endmacro %}

{% macro early_help_period(period) -%}
    {%- if period == 'year' -%}
        {{ return(none) }}
    {%- elif period == 'quarter' -%}
        {{ return('financial_quarter') }}
    {%- elif period == 'month' -%}
        {{ return('time_identifier') }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("period must be 'year', 'quarter' or 'month', not '" ~ period ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#- An indicator over referrals (int_early_help__referral_journeys) kept by `where`:
    a proportion counting `numerator` (a boolean column), or a median of `score`.
    `by_closure`: counted in the financial year and quarter the referral closed in.
    Only referrals `followed_up`: a month is counted once the next month is landed (its Voice
    Notes and hub meetings fall there), and not when its Voice Notes are not all landed; by
    closure too, so that a referral whose notes never landed is never counted as without a
    Voice Note.
    `voice_note`: a `Voice Note` breakdown (With / Without a family Voice Note) beside All.
    `levels`: the levels published (default early_help_levels(); as the model's YAML says). -#}
{% macro early_help_referral_indicator(indicator_id, where, period='year', numerator=none,
                                       score=none, by_closure=false, voice_note=false,
                                       levels=none) -%}
{%- set journeys = ref('int_early_help__referral_journeys') -%}
{%- set voice = "case when has_family_note then 'With a family Voice Note' else 'Without a family Voice Note' end as voice_note_group" -%}
{%- if by_closure -%}
    {%- set replaced = {'time_period': 'closure_time_period', 'financial_quarter': 'closure_financial_quarter'} -%}
{%- elif period == 'month' -%}
    {%- set replaced = {'time_period': 'calendar_year'} -%}
{%- else -%}
    {%- set replaced = {} -%}
{%- endif -%}
{#- The journeys' columns, some read from others (DuckDB's `* replace (...)`, spelt out). -#}
{%- set names = adapter.get_columns_in_relation(journeys) | map(attribute='name') | list if (execute and replaced) else [] -%}
{%- set listed = [] -%}
{%- for name in names -%}
    {%- do listed.append(replaced[name] ~ ' as ' ~ name if name in replaced else adapter.quote(name)) -%}
{%- endfor -%}
{%- set columns = (listed | join(', ')) if listed else '*' -%}
{%- set kept = '(' ~ where ~ ') and followed_up' -%}
{%- set rows = '(select ' ~ columns ~ ', ' ~ voice ~ ' from ' ~ journeys ~ ' where ' ~ kept ~ ')' -%}
{%- set levels = levels or early_help_levels() -%}
{%- set groupings = [("'Voice Note'", 'voice_note_group', levels)] if voice_note else [] -%}
{{ indicator_over_rows(
    indicator_id=indicator_id,
    value_type='median' if score else 'proportion',
    rows=rows,
    numerator=count_where(numerator) if numerator else none,
    score=score,
    total_group='All referrals',
    levels=levels,
    groupings=groupings,
    time_identifier=early_help_period(period),
) }}
{%- endmacro %}

{#- Practitioners agreeing (agree or strongly agree) with each item of the Voice Note survey
    (stg_early_help__survey; answered items only), by the item's wording
    (seeds/voice_note_survey_items.csv), at district and authority. -#}
{% macro early_help_survey_indicator(indicator_id) -%}
{%- set rows = '(select * from ' ~ ref('stg_early_help__survey') ~ ' where agrees is not null)' -%}
{{ indicator_over_rows(
    indicator_id=indicator_id,
    value_type='proportion',
    rows=rows,
    numerator=count_where('agrees'),
    breakdown="'Survey item'",
    group='wording',
    levels=('Local authority district', 'Local authority'),
) }}
{%- endmacro %}
