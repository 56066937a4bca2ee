"""The indicator register: each indicator's metadata, read from the dbt manifest.

An indicator is one dbt model under models/indicators/ with its YAML `meta.indicator`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from indicators.declarations import DeclarationError, geographies, period_type, period_types
from indicators.disclosure import IndicatorShape, RelationsError, parse_relations
from indicators.disclosure.relations import relations_problems
from indicators.publish.period_coverage import follow_up
from indicators.sources.load import load_sources
from indicators.units import count_units

REQUIRED_META = (
    "indicator_id",
    "title",
    "definition",
    "rationale",
    "domain",
    "source_type",
    "numerator_definition",
    "numerator_source",
    "denominator_definition",
    "denominator_source",
    "value_type",
    "unit",
    "numerator_unit",
    "denominator_unit",
    "polarity",
    "ci_method",
    "disclosure_rule",
    "frequency",
    "caveats",
    "outcome",
    "co_designed_by",
    "co_designed_on",
    "relations",
)
POLARITIES = ("RAG - High is good", "RAG - Low is good", "BOB - Blue orange blue", "Not applicable")
VALUE_TYPES = ("proportion", "mean", "rate", "median")
SOURCE_TYPES = ("statutory", "voice", "linked")


def numerator_units() -> tuple[str, ...]:
    """What one unit of a numerator may be: every unit dbt_project/metadata/units.yml
    declares (a child, a family, an answer, a mean's summed score...)."""
    return tuple(count_units())


def denominator_units() -> tuple[str, ...]:
    """The declared units that may be a denominator (not a mean's summed score)."""
    return tuple(name for name, unit in count_units().items() if unit.denominator)


DECLARED_META = ("levels", "period_type")
"""Declared against dbt_project/metadata/ (geographies.yml, periods.yml), checked by
`declaration_problems`; not columns of the published register (register/frameworks.csv
shows them)."""


def declaration_problems(meta: dict[str, Any]) -> list[str]:
    """What is wrong with an indicator's `levels` and `period_type`: missing, or naming a
    level or period type dbt_project/metadata/ does not declare."""
    levels_declared = geographies()
    periods_declared = period_types()
    problems = []
    levels = meta.get("levels")
    if isinstance(levels, str):
        try:
            levels = json.loads(levels)
        except ValueError:
            levels = [levels]
    if levels is None or (isinstance(levels, float) and pd.isna(levels)) or levels == []:
        problems.append(
            "meta.indicator.levels is missing: list the geographic levels it is published "
            f"at, from {', '.join(levels_declared.names)} (dbt_project/metadata/geographies.yml)"
        )
    elif not isinstance(levels, list):
        problems.append(f"levels '{levels}' is not a list such as [Local authority]")
    else:
        for level in levels:
            if str(level) not in levels_declared.names:
                problems.append(
                    f"levels: '{level}' is not a declared geographic level "
                    f"({', '.join(levels_declared.names)}; dbt_project/metadata/geographies.yml)"
                )
    period = meta.get("period_type")
    text = "" if period is None or (isinstance(period, float) and pd.isna(period)) else str(period)
    if not text.strip():
        problems.append(
            "meta.indicator.period_type is missing: one of "
            f"{', '.join(periods_declared)} (dbt_project/metadata/periods.yml)"
        )
    elif text.strip() not in periods_declared:
        problems.append(
            f"period_type '{text.strip()}' is not a declared period type "
            f"({', '.join(periods_declared)}; dbt_project/metadata/periods.yml)"
        )
    return problems


def indicator_nodes(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(
        (
            node
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model"
            and len(node["fqn"]) > 2
            and node["fqn"][1] == "indicators"
        ),
        key=lambda node: node["name"],
    )


def load_register(manifest_path: Path) -> pd.DataFrame:
    """One row per indicator: its model name and every metadata field."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    rows = []
    for node in indicator_nodes(manifest):
        meta = dict(node.get("config", {}).get("meta", {}).get("indicator", {}))
        rows.append({"model": node["name"], **meta})
    return pd.DataFrame(rows)


def metadata_problems(register: pd.DataFrame) -> list[str]:
    """What is missing or invalid in the register, one message per problem."""
    problems = []
    for row in register.to_dict("records"):
        model = row["model"]
        for field in REQUIRED_META:
            if field == "relations":  # checked in full below
                continue
            value = row.get(field)
            if (
                value is None
                or (isinstance(value, float) and pd.isna(value))
                or not str(value).strip()
            ):
                problems.append(f"{model}: meta.indicator.{field} is missing")
            elif str(value).strip().startswith("TODO"):
                problems.append(
                    f"{model}: meta.indicator.{field} still says '{str(value).strip()}': fill it in"
                )
        checks = (
            ("polarity", POLARITIES),
            ("value_type", VALUE_TYPES),
            ("source_type", SOURCE_TYPES),
            ("numerator_unit", numerator_units()),
            ("denominator_unit", denominator_units()),
        )
        for field, allowed in checks:
            if row.get(field) and row[field] not in allowed:
                problems.append(
                    f"{model}: meta.indicator.{field} '{row[field]}' is not one of "
                    f"{', '.join(allowed)}"
                )
        if "levels" in register.columns or "period_type" in register.columns:
            problems += [f"{model}: {problem}" for problem in declaration_problems(row)]
        declared = row.get("comparable_from")
        if (
            declared is not None
            and not (isinstance(declared, float) and pd.isna(declared))
            and str(declared).strip()
        ):
            text = str(declared).strip().removesuffix(".0")
            try:  # written as the indicator's period type writes its time periods
                period_type(row.get("period_type")).year_of(text)
            except DeclarationError as error:
                problems.append(f"{model}: meta.indicator.comparable_from {error}")
        if row.get("follow_up") is not None:
            try:
                follow_up(row.get("follow_up"), list(load_sources()))
            except ValueError as error:
                problems.append(f"{model}: meta.indicator.{error}")
    ids = register["indicator_id"] if "indicator_id" in register else pd.Series(dtype=str)
    for duplicate in ids[ids.duplicated()].unique():
        problems.append(f"indicator_id '{duplicate}' is used by more than one model")
    problems += relations_problems(register)
    return problems


def respondent_count(row: dict[str, Any]) -> str | None:
    """Which count a survey result rests on, in respondents: the count of families, or for
    linked indicators (children) the denominator, since each linked child stands for at
    least one respondent. None for statutory indicators."""
    if row.get("denominator_unit") == "families":
        return "denominator"
    if row.get("numerator_unit") == "families":
        return "numerator"
    if row.get("source_type") in ("voice", "linked"):
        return "denominator"
    return None


def shapes(register: pd.DataFrame, voice_min_respondents: int = 10) -> dict[str, IndicatorShape]:
    """How disclosure control and rounding treat each indicator's numbers.

    Survey results resting on fewer than `voice_min_respondents` respondents are suppressed,
    on fewer than twice that marked low reliability. Each shape carries the indicator's
    declared relations (meta.indicator.relations); a declaration that cannot be read raises
    RelationsError naming the indicator.
    """
    result = {}
    for row in register.to_dict("records"):
        decimals = row.get("decimals")
        respondents = respondent_count(row)
        raw = row.get("relations")
        try:
            relations = (
                parse_relations(row["indicator_id"], raw)
                if raw is not None and not (isinstance(raw, float) and pd.isna(raw))
                else None
            )
        except RelationsError as error:
            raise RelationsError(f"{row.get('model', row['indicator_id'])}: {error}") from None
        result[row["indicator_id"]] = IndicatorShape(
            value_type=row["value_type"],
            decimals=int(decimals) if decimals and not pd.isna(decimals) else 1,
            respondents=respondents,
            min_respondents=voice_min_respondents if respondents else 0,
            relations=relations,
            comparable_from=int(_time_period(row.get("comparable_from")) or 0)
            if _time_period(row.get("comparable_from")).isdigit()
            else 0,
            period_type="" if pd.isna(row.get("period_type")) else str(row.get("period_type")),
        )
    return result


REGISTER_COLUMNS = [
    "indicator_id",
    "model",
    *[f for f in REQUIRED_META if f != "indicator_id"],
    "comparable_from",
    "trend_method",
]
LABELS = {
    "title": "Title",
    "definition": "Definition",
    "rationale": "Why it matters",
    "domain": "Domain",
    "source_type": "Source type",
    "numerator_definition": "Numerator",
    "numerator_source": "Numerator source",
    "denominator_definition": "Denominator",
    "denominator_source": "Denominator source",
    "value_type": "Value type",
    "unit": "Unit",
    "numerator_unit": "Numerator counts",
    "denominator_unit": "Denominator counts",
    "polarity": "Polarity",
    "ci_method": "Confidence interval method",
    "disclosure_rule": "Disclosure control",
    "frequency": "Frequency",
    "caveats": "Caveats",
    "outcome": "Theory-of-change outcome",
    "co_designed_by": "Co-designed by",
    "co_designed_on": "Co-designed on",
    "comparable_from": "Comparable from (a series break: no trend reaches back before it)",
    "trend_method": "Recent trend",
    "relations": "Relations with other published figures",
    "model": "dbt model",
}

_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chorus indicator register</title>
<style>
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; max-width: 60rem;
       margin: 0 auto; padding: 1rem; line-height: 1.5; }
h1 { font-size: 2rem; } h2 { font-size: 1.5rem; border-top: 2px solid #0b0c0c;
     padding-top: 1rem; margin-top: 2rem; }
dl { display: grid; grid-template-columns: 14rem 1fr; gap: 0.25rem 1rem; }
dt { font-weight: bold; } dd { margin: 0; }
.tag { display: inline-block; padding: 0 0.4rem; border: 1px solid #0b0c0c; }
table { border-collapse: collapse; } caption { text-align: left; font-weight: bold; }
th, td { text-align: left; vertical-align: top; padding: 0.25rem 0.5rem;
         border-bottom: 1px solid #b1b4b6; }
a { color: #1d70b8; }
</style>
</head>
<body>
<main>
<h1>Indicator register</h1>
<p>Every indicator Chorus publishes, with its definition, sources and how it is protected.
Generated {{ generated }} from the dbt project. {{ indicators | length }} indicators. For
families, in plain words: <a href="families.html">how your family's information is
used</a>.</p>
{% if outcomes %}
<section aria-labelledby="theory-of-change">
<h2 id="theory-of-change">Theory of change: what the indicators measure</h2>
<p>Each indicator names the outcome of the theory of change it measures. {{ unmeasured }} of
{{ outcomes | length }} outcomes are measured by no indicator yet. Where information goes, from
each source to the indicators, packs and outcomes: <a href="information_map.html">the
information map</a>.</p>
<table>
<caption>Outcomes and the indicators that measure them</caption>
<thead><tr><th scope="col">Outcome</th><th scope="col">Level</th>
<th scope="col">Measured by</th></tr></thead>
<tbody>
{% for outcome in outcomes %}<tr><th scope="row">{{ outcome.text }}</th>
<td>{{ outcome.level }}</td><td>{% if outcome.titles %}{{ outcome.titles | join("; ") }}
{%- else %}<strong>No indicator measures this outcome</strong>{% endif %}</td></tr>
{% endfor %}</tbody>
</table>
<p>Indicators serving no outcome of the theory of change:
{% if orphans %}{{ orphans | join("; ") }}{% else %}none{% endif %}.</p>
</section>
{% endif %}
{% if inequality %}
<section aria-labelledby="inequality-measures">
<h2 id="inequality-measures">Inequality measures</h2>
<p>For each indicator broken down by deprivation fifths (quintiles), Chorus publishes the slope
index of inequality in <code>indicators/inequality.csv</code>: the gap between the most and the
least deprived areas, estimated across all five fifths, with its 95% confidence limits and a
sentence saying what it means. {{ inequality_method }}. It is worked only from the published
fifths, after small numbers are hidden.</p>
<ul>
{% for indicator_id, breakdown in inequality.items() %}<li><a href="#{{ indicator_id }}">
{{- titles.get(indicator_id, indicator_id) }}</a>: slope index of inequality across its
{{ breakdown }} breakdown</li>
{% endfor %}</ul>
</section>
{% endif %}
<nav aria-label="Indicators"><ul>
{% for row in indicators %}<li><a href="#{{ row.indicator_id }}">{{ row.title }}</a>
 <span class="tag">{{ row.source_type }}</span></li>
{% endfor %}</ul></nav>
{% for row in indicators %}
<section aria-labelledby="{{ row.indicator_id }}">
<h2 id="{{ row.indicator_id }}">{{ row.title }}</h2>
<dl>
<dt>Indicator id</dt><dd><code>{{ row.indicator_id }}</code></dd>
{% for field, label in labels.items() %}{% if field != "title" %}
<dt>{{ label }}</dt><dd>{{ row[field] }}</dd>
{% endif %}{% endfor %}
{% if row.indicator_id in inequality %}<dt>Inequality measure</dt><dd>Slope index of
inequality across the {{ inequality[row.indicator_id] }} breakdown, published in
<code>indicators/inequality.csv</code> (<a href="#inequality-measures">how</a>)</dd>{% endif %}
</dl>
</section>
{% endfor %}
</main>
</body>
</html>
"""


def describe_relations(raw: object) -> str:
    """A declaration of relations in words, for the published register."""
    try:
        relations = parse_relations("indicator", raw)
    except RelationsError:
        return "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw)
    words = {
        "total": "the area's total",
        "partition": "groups add up to the total",
        "disjoint": "groups do not overlap; their total is not published",
        "overlapping": "groups overlap",
    }
    parts = [
        (
            "Neighbourhoods add up to their authority"
            if relations.areas == "add_up"
            else "Areas do not add up"
        )
        + "."
    ]

    def groups(declared) -> str:
        if isinstance(declared.groups, str):
            return f"the {declared.groups} in the item bank"
        return ", ".join(declared.groups)

    parts.append(
        "Breakdowns: "
        + "; ".join(f"{b.name} ({words[b.kind]}: {groups(b)})" for b in relations.breakdowns)
        + "."
    )
    data = json.loads(raw) if isinstance(raw, str) else raw
    for rule in data.get("rules", []):
        if rule["kind"] in ("equal", "at_most"):
            sign = "=" if rule["kind"] == "equal" else "<="
            text = f"{rule['left']} {sign} {rule['right']}"
        elif rule["kind"] == "score_bounds":
            text = f"{rule.get('sum', 'numerator')} within the scores of " + ", ".join(
                f"{c['count']} ({c['scores']})" for c in rule["classes"]
            )
        elif rule["kind"] == "parts_of_year":
            text = f"the parts of a year add up to {rule['whole']}"
        else:
            text = f"numerator: respondents positive on most of the domain's {rule['items']}"
        cells = rule.get("cells")
        where = (" where " + ", ".join(f"{k} {v}" for k, v in cells.items())) if cells else ""
        why = f": {rule['why']}" if rule.get("why") else ""
        parts.append(f"{text}{where}{why}")
    return " ".join(parts)


def _time_period(value: object) -> str:
    """A declared time period as published ('202122'); '' when undeclared."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip().removesuffix(".0")


def register_table(register: pd.DataFrame) -> pd.DataFrame:
    """The register as published: one row per indicator, every metadata field, no blanks,
    relations in words, and how its recent trend is read (`trend_method`, derived from its
    value type and units)."""
    from indicators.stats.indicator_values import trend_method

    table = register.copy()
    for column in REGISTER_COLUMNS:
        if column not in table:
            table[column] = ""
    table["trend_method"] = [
        trend_method(str(value_type), str(unit))
        for value_type, unit in zip(table["value_type"], table["denominator_unit"], strict=True)
    ]
    table["comparable_from"] = [_time_period(value) for value in table["comparable_from"]]
    table["relations"] = table["relations"].map(describe_relations)
    return table[REGISTER_COLUMNS].fillna("").astype(str).sort_values("indicator_id")


_OUTCOME_LEVELS = {"long_term": "Long-term outcome", "intermediate": "Intermediate outcome"}


def render_register_html(
    register: pd.DataFrame, generated: str, theory: pd.DataFrame | None = None
) -> str:
    """A readable, accessible page of the register (one section per indicator), opening with
    the theory of change's coverage when `theory` (the information map's theory of change,
    each row with the `indicators` measuring it) is given: every outcome with the indicators
    measuring it or none, and the indicators serving no outcome; and the inequality measures
    (indicators/inequality.csv) of the indicators with a declared deprivation-quintile
    partition."""
    from jinja2 import Environment, select_autoescape

    from indicators.publish.inequality import METHOD as INEQUALITY_METHOD
    from indicators.publish.inequality import quintile_breakdowns

    environment = Environment(autoescape=select_autoescape(default=True))
    rows = register_table(register).to_dict("records")
    title = {row["indicator_id"]: row["title"] for row in rows}
    outcomes, orphans = [], []
    if theory is not None:
        for row in theory.to_dict("records"):
            if row["level"] in _OUTCOME_LEVELS:
                outcomes.append(
                    {
                        "text": row["text"],
                        "level": _OUTCOME_LEVELS[row["level"]],
                        "titles": [title.get(i, i) for i in row["indicators"]],
                    }
                )
        texts = set(theory.loc[theory["level"] != "vision", "text"])
        orphans = [r["title"] for r in rows if str(r.get("outcome", "")).strip() not in texts]
    return environment.from_string(_PAGE).render(
        indicators=rows,
        labels=LABELS,
        generated=generated,
        outcomes=outcomes,
        unmeasured=sum(1 for o in outcomes if not o["titles"]),
        orphans=orphans,
        inequality=quintile_breakdowns(register),
        inequality_method=INEQUALITY_METHOD,
        titles=title,
    )
