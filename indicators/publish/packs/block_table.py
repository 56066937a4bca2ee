"""A block's table: the latest figure of each area or group (or each year of one), with its
value, interval bar, counts and its comparisons with the authority and England as claims.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from indicators import stats as st
from indicators.disclosure import (
    NOT_APPLICABLE,
    NOT_AVAILABLE,
)
from indicators.publish import claims as cl
from indicators.publish import period_keys as pk
from indicators.publish.packs.frames import Publication, as_records
from indicators.publish.packs.layout import ALL
from indicators.publish.packs.model import Build, Cell, Column, Row, Table
from indicators.publish.packs.statements import with_statements
from indicators.publish.packs.table_cells import (
    bar_bounds,
    bar_markup,
    bar_note,
    claim_cell,
    count_cell,
    interval_cell,
    number_or_none,
    quotes_cell,
    score_cell,
    value_cell,
)
from indicators.publish.packs.wording import (
    count_heading,
    count_units,
    period_words,
    unit_label,
)
from indicators.units import independent_units, not_compared_why

# --------------------------------------------------------------------------------------------
# Blocks: one indicator (and breakdown) in one domain
# --------------------------------------------------------------------------------------------

_COMPARED = {st.BETTER, st.WORSE, st.SIMILAR, st.HIGHER, st.LOWER}


def _row_heading(pub: Publication, breakdown: str) -> str:
    declared = pub.framework.breakdowns
    headings = {declared.items: "Question", declared.domains: "Domain", ALL: "Area"}
    if pub.area_level:
        headings[pub.area_level] = pub.area_level
    answers = declared.answers
    return headings.get(breakdown) or (
        "Answer" if answers and breakdown.startswith(answers) else breakdown
    )


def area_label(row: Mapping[str, str], area_name: str) -> str:
    return area_name if row["breakdown"] == ALL else row["_label"]


def row_key(record: Mapping[str, str]) -> tuple[str, str, str, str, str]:
    """A pack row's published key (indicator, period, area, breakdown, group)."""
    return (
        record["indicator_id"],
        record["time_period"],
        record["area_code"],
        record["_published_breakdown"],
        record["_published_group"],
    )


def comparison_claim(pub: Publication, record: Mapping[str, str], benchmark: str) -> cl.Claim:
    """A comparison claim (not yet logged: the caller logs it when the pack shows it)."""
    return cl.comparison(
        pub.published, *row_key(record), benchmark, labels=pub.labels, la_label=pub.la_label
    )


def shown_claim(claim: cl.Claim) -> bool:
    """Whether a comparison is worth a word: made, or a published comparison not made."""
    return claim.made or claim.value("published") in _COMPARED


def latest_table(
    pub: Publication,
    build: Build,
    area_code: str,
    area_name: str,
    meta: Mapping[str, str],
    breakdown: str,
    latest: pd.DataFrame,
    heading: str,
    *,
    by_year: bool = False,
    trends: Mapping[str, cl.Claim | str] | None = None,
    scores: Mapping[str, Mapping] | None = None,
) -> tuple[Table, list]:
    """Value, interval, counts and comparisons: one row per group, or (`by_year`) per year.

    `trends` (group -> a trend claim, or an XmR reading) adds a Trend column (dropped when no
    trend applies); `scores` (group -> the question's
    average-score row) adds an Average score column. Every comparison cell shows a claim.
    """
    unit = meta.get("unit", "")
    proportion = meta.get("value_type", "proportion") not in ("mean", "median")
    heading_count, sheet_count = count_heading(meta)
    records = as_records(latest)
    la_claims = [comparison_claim(pub, r, cl.LA) for r in records]
    england_claims = [comparison_claim(pub, r, cl.ENGLAND) for r in records]
    show_la = any(shown_claim(c) for c in la_claims)
    show_england = any(shown_claim(c) for c in england_claims)
    declared = pub.framework.breakdowns
    voice = meta.get("source_type") in ("voice", "linked") or (
        bool(declared.domains) and breakdown == declared.domains
    )
    with_quotes = (
        bool(declared.items)
        and breakdown == declared.items
        and meta.get("value_type") not in ("mean", "median")
        and len(pub.quotes) > 0
    )
    unit_text = unit_label(unit)
    if trends and all(
        isinstance(t, cl.Claim) and t.verdict == NOT_APPLICABLE for t in trends.values()
    ):
        trends = None
    trend_heading = (
        "Trend (XmR)"
        if trends and all(isinstance(t, str) for t in trends.values())
        else "Recent trend (Fingertips)"
    )
    by_part = pk.parts_of_years(latest["time_period"])  # months, quarters: "Period"
    columns = [
        Column(
            ("Period" if by_part else "Year") if by_year else _row_heading(pub, breakdown),
            width=12 if by_year else 28,
        ),
        Column(
            f"Value ({unit_text})",
            (f"Value ({unit_text})", "Reliability") if voice else (),
            numeric=True,
            width=12,
        ),
        Column(
            "95% interval",
            (f"95% interval from ({unit_text})", f"95% interval to ({unit_text})"),
            numeric=True,
            width=17 if by_year else 24,
        ),
        Column(heading_count, sheet_count, numeric=True, width=13 if proportion else 11),
    ]
    if show_la:
        columns.append(Column(f"Compared with {pub.la_label}", width=14))
    if show_england:
        columns.append(Column("Compared with England", width=14))
    if trends:
        columns.append(Column(trend_heading, width=15))
    if scores:
        columns.append(
            Column(
                "Average score (95% interval)",
                (
                    "Average score",
                    "Average score: 95% interval from",
                    "Average score: 95% interval to",
                ),
                numeric=True,
                width=14,
            )
        )
    if with_quotes:
        columns.append(Column(pub.framework.said("quotes_column") or "Quotes", width=36))
    rows = []
    boroughs = [pub.borough_value(r, area_code) for r in records]
    englands = [pub.england_value(r) for r in records]
    bounds = bar_bounds(records, unit, [*boroughs, *englands])
    for record, borough, england, la_claim, england_claim in zip(
        records, boroughs, englands, la_claims, england_claims, strict=True
    ):
        bar = (
            None
            if by_year
            else bar_markup(
                record,
                unit,
                bounds,
                area_label(record, area_name),
                borough=borough,
                england=england,
                la_word=pub.run.la_word,
            )
        )
        cells = [
            value_cell(record, unit, reliability=voice),
            interval_cell(record, unit, bar),
            count_cell(record, meta),
        ]
        if show_la:
            cells.append(claim_cell(build.claim(la_claim)))
        if show_england:
            cells.append(claim_cell(build.claim(england_claim)))
        if trends:
            trend = trends.get(record["group"])
            cells.append(
                Cell(text=NOT_AVAILABLE, code=NOT_AVAILABLE)
                if trend is None
                else Cell(text=trend, code="xmr")
                if isinstance(trend, str)
                else claim_cell(build.claim(trend))
            )
        if scores:
            cells.append(score_cell(scores.get(record["group"])))
        if with_quotes:
            cells.append(quotes_cell(pub.quotes_for(area_code, record["group"])))
        attrs = {
            "indicator": record["indicator_id"],
            "breakdown": record["_published_breakdown"],
            "group": record["_published_group"],
            "period": record["time_period"],
            "area": record["area_code"],
        }
        header = period_words(record, short=True) if by_year else area_label(record, area_name)
        rows.append(Row(header=header, cells=cells, attrs=attrs))
    notes = []
    shown = [r for r in records if number_or_none(r["_value"]) is not None]
    missing_intervals = {r["lower_ci_95"] for r in shown}  # {"x"}: figures that have none
    if not by_year and shown:
        notes.append(
            bar_note(
                bounds,
                unit,
                any(math.isfinite(b) for b in boroughs),
                any(math.isfinite(e) for e in englands),
                la_word=pub.run.la_word,
                intervals=any(
                    number_or_none(r["_lower_ci_95"]) is not None
                    and number_or_none(r["_upper_ci_95"]) is not None
                    for r in records
                ),
                no_interval="".join(sorted(missing_intervals & {"c", "x"})) or "c",
            )
        )
    if scores:
        notes.append(
            "Average score: the mean answer on the question's own scale (1 to 5, or "
            "0 to 10), for questions with a scale."
        )
    if any(r["reliability"] == "low" for r in records):
        notes.append(
            f"(u) low reliability: fewer than twice the minimum number of {count_units(meta)[1]}."
        )
    unit = count_units(meta)[1]
    if unit not in independent_units():  # why, in the unit's own words (units.yml)
        why = not_compared_why(unit)
        dependent = pub.framework.said("dependent_counts", unit=unit, not_compared=why)
        if dependent:
            notes.append(dependent)
    if by_year:
        every = "period by period" if by_part else "year by year"
        caption = f"{heading}: {area_label(records[0], area_name)}, {every}"
    else:
        caption = f"{heading}, {period_words(records[0], short=True) if records else ''}"
    table = Table(caption=caption, columns=columns, rows=rows, notes=notes)
    if pub.framework.statements.explains:  # beside its indicator's rows, year by year too
        table = with_statements(pub, build, table, area_code)
    elif not by_year and not any(e.breakdown == breakdown for e in pub.framework.side_by_side):
        table = with_statements(pub, build, table, area_code)  # else beside the side by side
    return table, records
