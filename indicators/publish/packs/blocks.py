"""Each domain's indicators as blocks: the latest figures of every area or group with their
comparisons (claims), a sentence of what they say, and a trend (XmR where there are enough
points, else the published Fingertips trend).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from indicators import stats as st
from indicators.disclosure import (
    NOT_APPLICABLE,
    NOT_AVAILABLE,
)
from indicators.publish import claims as cl
from indicators.publish.packs import charts
from indicators.publish.packs.layout import (
    ALL,
    DOMAIN_BREAKDOWN,
    HEADLINE_INDICATOR,
    ITEM_BREAKDOWN,
    ITEM_MEAN,
    ITEM_POSITIVE,
    LINKED_PREFIX,
    NEIGHBOURHOOD_BREAKDOWN,
    SCHOOL_READINESS,
    TREND_CHART_INDICATORS,
)
from indicators.publish.packs.model import Block, Build, Cell, Chart, Column, Row, Table
from indicators.publish.packs.published import Publication, as_records
from indicators.publish.packs.table_cells import (
    bar_bounds,
    bar_markup,
    bar_note,
    claim_cell,
    count_cell,
    interval_cell,
    nan_of,
    number_or_none,
    quotes_cell,
    score_cell,
    value_cell,
)
from indicators.publish.packs.wording import (
    SYMBOL_WORDS,
    count_heading,
    count_units,
    join_words,
    lower_first,
    period_label,
    slugify,
    unit_label,
    unit_suffix,
    valid_polarity,
    with_unit_suffix,
)

# --------------------------------------------------------------------------------------------
# Blocks: one indicator (and breakdown) in one domain
# --------------------------------------------------------------------------------------------

_COMPARED = {st.BETTER, st.WORSE, st.SIMILAR, st.HIGHER, st.LOWER}


def meta_of(pub: Publication, indicator_id: str) -> dict[str, str]:
    return pub.register[indicator_id]


def _row_heading(breakdown: str) -> str:
    return {ITEM_BREAKDOWN: "Question", DOMAIN_BREAKDOWN: "Domain",
            NEIGHBOURHOOD_BREAKDOWN: "Neighbourhood", ALL: "Area"}.get(
        breakdown, "Answer" if breakdown.startswith(LINKED_PREFIX) else breakdown)


def block_heading(pub: Publication, meta: Mapping[str, str], breakdown: str,
                   area_name: str) -> str:
    title = meta.get("title") or meta["indicator_id"]
    if breakdown in (ALL, DOMAIN_BREAKDOWN):
        return title
    if breakdown == ITEM_BREAKDOWN:
        return f"{title}: question by question"
    if breakdown.startswith(LINKED_PREFIX):
        wording = pub.item_wording(breakdown[len(LINKED_PREFIX):])
        return f"{title}, by answer to “{wording}”"
    if breakdown == NEIGHBOURHOOD_BREAKDOWN:
        return f"{title}, by neighbourhood"
    if breakdown.lower() in title.lower():
        return title  # "... through each channel", not "..., by channel" as well
    return f"{title}, by {lower_first(breakdown)}"


def _label(row: Mapping[str, str], area_name: str) -> str:
    return area_name if row["breakdown"] == ALL else row["_label"]


def row_key(record: Mapping[str, str]) -> tuple[str, str, str, str, str]:
    """A pack row's published key (indicator, period, area, breakdown, group)."""
    return (record["indicator_id"], record["time_period"], record["area_code"],
            record["_published_breakdown"], record["_published_group"])


def comparison_claim(pub: Publication, record: Mapping[str, str], benchmark: str) -> cl.Claim:
    """A comparison claim (not yet logged: the caller logs it when the pack shows it)."""
    return cl.comparison(pub.published, *row_key(record), benchmark, labels=pub.labels,
                         la_label=pub.la_label)


def _shown(claim: cl.Claim) -> bool:
    """Whether a comparison is worth a word: made, or a published comparison not made."""
    return claim.made or claim.value("published") in _COMPARED


def _trend(pub: Publication, record: Mapping[str, str]) -> cl.Claim:
    """A trend claim (not yet logged: the caller logs it when the pack shows it)."""
    return cl.trend(pub.published, *row_key(record), labels=pub.labels)


def _xmr_reading(values: np.ndarray, polarity: str) -> str | None:
    """The Making Data Count XmR reading when there are enough points, all published."""
    if st.enough_points_for_spc(len(values)) and np.isfinite(values).all():
        return f"XmR: {st.xmr_reading(st.xmr(values), valid_polarity(polarity))}"
    return None


def _latest_table(pub: Publication, build: Build, area_code: str, area_name: str,
                  meta: Mapping[str, str], breakdown: str, latest: pd.DataFrame, heading: str,
                  *, by_year: bool = False,
                  trends: Mapping[str, cl.Claim | str] | None = None,
                  scores: Mapping[str, Mapping] | None = None) -> tuple[Table, list]:
    """Value, interval, counts and comparisons: one row per group, or (`by_year`) per year.

    `trends` (group -> a trend claim, or an XmR reading) adds a Trend column (dropped when no
    trend applies); `scores` (group -> the question's
    average-score row) adds an Average score column. Every comparison cell shows a claim.
    """
    unit = meta.get("unit", "")
    proportion = meta.get("value_type", "proportion") != "mean"
    heading_count, sheet_count = count_heading(meta)
    records = as_records(latest)
    la_claims = [comparison_claim(pub, r, cl.LA) for r in records]
    england_claims = [comparison_claim(pub, r, cl.ENGLAND) for r in records]
    show_la = any(_shown(c) for c in la_claims)
    show_england = any(_shown(c) for c in england_claims)
    voice = meta.get("source_type") in ("voice", "linked") or breakdown == DOMAIN_BREAKDOWN
    with_quotes = (breakdown == ITEM_BREAKDOWN and meta.get("value_type") != "mean"
                   and len(pub.quotes) > 0)
    unit_text = unit_label(unit)
    if trends and all(isinstance(t, cl.Claim) and t.verdict == NOT_APPLICABLE
                      for t in trends.values()):
        trends = None
    trend_heading = ("Trend (XmR)" if trends and all(isinstance(t, str) for t in
                                                      trends.values())
                     else "Recent trend (Fingertips)")
    columns = [Column("Year" if by_year else _row_heading(breakdown),
                      width=12 if by_year else 28),
               Column(f"Value ({unit_text})",
                      (f"Value ({unit_text})", "Reliability") if voice else (), numeric=True,
                      width=12),
               Column("95% interval", (f"95% interval from ({unit_text})",
                                       f"95% interval to ({unit_text})"), numeric=True,
                      width=17 if by_year else 24),
               Column(heading_count, sheet_count, numeric=True,
                      width=13 if proportion else 11)]
    if show_la:
        columns.append(Column(f"Compared with {pub.la_label}", width=14))
    if show_england:
        columns.append(Column("Compared with England", width=14))
    if trends:
        columns.append(Column(trend_heading, width=15))
    if scores:
        columns.append(Column("Average score (95% interval)",
                              ("Average score", "Average score: 95% interval from",
                               "Average score: 95% interval to"), numeric=True, width=14))
    if with_quotes:
        columns.append(Column("What families said", width=36))
    rows = []
    boroughs = [pub.borough_value(r, area_code) for r in records]
    englands = [pub.england_value(r) for r in records]
    bounds = bar_bounds(records, unit, [*boroughs, *englands])
    for record, borough, england, la_claim, england_claim in zip(
            records, boroughs, englands, la_claims, england_claims, strict=True):
        bar = None if by_year else bar_markup(record, unit, bounds, _label(record, area_name),
                                        borough=borough, england=england)
        cells = [value_cell(record, unit, reliability=voice),
                 interval_cell(record, unit, bar), count_cell(record, meta)]
        if show_la:
            cells.append(claim_cell(build.claim(la_claim)))
        if show_england:
            cells.append(claim_cell(build.claim(england_claim)))
        if trends:
            trend = trends.get(record["group"])
            cells.append(Cell(text=NOT_AVAILABLE, code=NOT_AVAILABLE) if trend is None else
                         Cell(text=trend, code="xmr") if isinstance(trend, str) else
                         claim_cell(build.claim(trend)))
        if scores:
            cells.append(score_cell(scores.get(record["group"])))
        if with_quotes:
            cells.append(quotes_cell(pub.quotes_for(area_code, record["group"])))
        attrs = {"indicator": record["indicator_id"],
                 "breakdown": record["_published_breakdown"],
                 "group": record["_published_group"], "period": record["time_period"],
                 "area": record["area_code"]}
        header = period_label(record["time_period"]) if by_year else _label(record, area_name)
        rows.append(Row(header=header, cells=cells, attrs=attrs))
    notes = []
    if not by_year and any(number_or_none(r["_value"]) is not None for r in records):
        notes.append(bar_note(bounds, unit, any(math.isfinite(b) for b in boroughs),
                               any(math.isfinite(e) for e in englands),
                               la_word=pub.run.la_word))
    if scores:
        notes.append("Average score: the mean answer on the question's own scale (1 to 5, or "
                     "0 to 10), for questions with a scale.")
    if any(r["reliability"] == "low" for r in records):
        notes.append(f"(u) low reliability: fewer than twice the minimum number of "
                     f"{count_units(meta)[1]}.")
    if count_units(meta)[1] not in cl.INDEPENDENT_UNITS:
        notes.append(f"These figures count {count_units(meta)[1]}, not people: a family "
                     "answers several questions, so the intervals are too narrow and the "
                     "figures are not compared.")
    if by_year:
        caption = f"{heading}: {_label(records[0], area_name)}, year by year"
    else:
        caption = f"{heading}, {period_label(records[0]['time_period']) if records else ''}"
    return Table(caption=caption, columns=columns, rows=rows, notes=notes), records


def _value_sentence(meta: Mapping[str, str], record: Mapping, area_name: str) -> str:
    """'In 2024/25, Northgate: 66.0%.' (the published value, with its unit)."""
    unit = meta.get("unit", "")
    period = period_label(record["time_period"])
    label = _label(record, area_name)
    if number_or_none(record["_value"]) is None:
        return (f"In {period}, the figure for {label} is not shown ({record['value']}): "
                f"{SYMBOL_WORDS.get(record['value'], 'no figure')}.")
    value = cl.with_unit(record["value"], unit)
    if record["reliability"] == "low":
        value += " (u: low reliability)"
    return f"In {period}, {label}: {value}."


def _summary_sentences(pub: Publication, claims: Sequence[cl.Claim], benchmark: str
                       ) -> list[str]:
    """How many rows are similar to, higher or lower than a benchmark: a count of claims."""
    if not any(claim.made for claim in claims):
        return []
    counts: dict[str, int] = {}
    for claim in claims:
        words = cl.short(claim) if claim.made else "not compared"
        counts[words] = counts.get(words, 0) + 1
    order = ("higher", "higher (better)", "higher (worse)", "similar", "lower",
             "lower (better)", "lower (worse)", "not compared")
    parts = [f"{n} {words}" for words, n in
             sorted(counts.items(), key=lambda kv: order.index(kv[0])
                    if kv[0] in order else len(order))]
    name = pub.la_label if benchmark == cl.LA else "England"
    return [f"Compared with {name}, of these {len(claims)}: {join_words(parts)}."]


def build_block(pub: Publication, build: Build, area_code: str, area_name: str,
                indicator_id: str, breakdown: str, rows: pd.DataFrame,
                scores: pd.DataFrame | None = None) -> Block:
    """One indicator (and breakdown) in one domain: values, intervals, comparisons, trend.

    A single series (e.g. the area's GLD) is one year-by-year table with a trend chart that
    sets the area beside the borough and England; several groups (e.g. questions) get a
    latest-year table with an interval chart and a table of values over the years.
    """
    meta = meta_of(pub, indicator_id)
    heading = block_heading(pub, meta, breakdown, area_name)
    latest_period = rows["time_period"].max()
    latest = rows[rows["time_period"] == latest_period].sort_values("_order", kind="stable")
    groups = list(dict.fromkeys(rows.sort_values("_order", kind="stable")["group"]))
    groups = [*latest["group"], *(g for g in groups if g not in set(latest["group"]))]
    block = Block(id=build.next(slugify(f"{indicator_id}-{breakdown}")), heading=heading,
                  indicator_id=indicator_id)
    if meta.get("definition"):
        block.paragraphs.append(meta["definition"])
    polarity = meta.get("polarity", "")
    if len(groups) == 1:
        series = rows.sort_values("time_period")
        table, records = _latest_table(pub, build, area_code, area_name, meta, breakdown,
                                       series, heading, by_year=True)
        values = series["_value"].to_numpy(dtype=float)
        last = records[-1]
        compared = [claim for claim in (comparison_claim(pub, last, benchmark)
                                        for benchmark in (cl.LA, cl.ENGLAND)) if _shown(claim)]
        if not any(claim.made for claim in compared):
            block.paragraphs.append(_value_sentence(meta, last, area_name))
        block.paragraphs += [cl.sentence(build.claim(claim)) for claim in compared]
        if len(records) > 1:
            reading = _xmr_reading(values, polarity)
            if reading:
                block.paragraphs.append(f"Trend over {len(records)} years (Making Data Count "
                                        f"XmR reading): {reading}.")
            trend = _trend(pub, last)
            if trend.verdict != NOT_APPLICABLE or not reading:
                block.paragraphs.append(cl.sentence(build.claim(trend)))
        charted = (meta.get("domain") == SCHOOL_READINESS
                   or indicator_id in TREND_CHART_INDICATORS)
        if charted and len(records) > 1 and np.isfinite(values).any():
            block.charts.append(_trend_chart(pub, build, area_code, area_name, meta, records,
                                             heading))
        block.tables.append(table)
        return block
    trends: dict[str, cl.Claim | str] = {}
    periods = sorted(rows["time_period"].unique())
    by_group: dict[str, list[dict]] = {}
    for record in as_records(rows.sort_values("time_period")):
        by_group.setdefault(record["group"], []).append(record)
    for group, part in by_group.items():
        values = np.array([nan_of(r["_value"]) for r in part], dtype=float)
        reading = _xmr_reading(values, polarity)
        if part[-1]["time_period"] != latest_period:
            continue  # not in the latest year's table
        trends[group] = reading or _trend(pub, part[-1])
    if (meta.get("value_type") not in st.TREND_VALUE_TYPES
            or count_units(meta)[1] not in cl.INDEPENDENT_UNITS):
        trends = {}  # not tested: "how to read" says which figures have a trend
    latest_scores = None
    if scores is not None and len(scores):
        latest_scores = {r["group"]: r for r in
                         as_records(scores[scores["time_period"] == latest_period])}
    table, records = _latest_table(pub, build, area_code, area_name, meta, breakdown, latest,
                                   heading, trends=trends if len(periods) > 1 and trends
                                   else None,
                                   scores=latest_scores)
    for benchmark in (cl.LA, cl.ENGLAND):
        block.paragraphs += _summary_sentences(
            pub, [comparison_claim(pub, r, benchmark) for r in records], benchmark)
    if breakdown == NEIGHBOURHOOD_BREAKDOWN:
        block.paragraphs.append(cl.sentence(build.claim(cl.ranking(
            pub.published, indicator_id, latest_period, area_code, cl.NEIGHBOURHOODS))))
    block.tables.append(table)
    return block


def _trend_chart(pub: Publication, ids: charts.Ids, area_code: str, area_name: str,
                 meta: Mapping[str, str], records: Sequence[Mapping], heading: str) -> Chart:
    """One area's values over the years with 95% intervals, beside the borough and England."""
    unit = meta.get("unit", "")
    suffix = unit_suffix(unit)
    labels = [period_label(r["time_period"]) for r in records]
    label = _label(records[-1], area_name)
    values = [nan_of(r["_value"]) for r in records]
    drawn = [charts.Series(label=label, values=values,
                           lower=[nan_of(r["_lower_ci_95"]) for r in records],
                           upper=[nan_of(r["_upper_ci_95"]) for r in records],
                           symbols=[r["value"] for r in records])]
    described = [f"{label}: " + ", ".join(f"{year} {with_unit_suffix(r['value'], unit)}"
                                          for year, r in zip(labels, records, strict=True))]
    for name, benchmark in ((pub.la_label[4:].capitalize(),
                             [pub.borough_value(r, area_code) for r in records]),
                            ("England", [pub.england_value(r) for r in records])):
        if any(math.isfinite(v) for v in benchmark):
            drawn.append(charts.Series(label=name, values=benchmark,
                                       role="england" if name == "England" else "borough"))
            described.append(f"{name}: " + ", ".join(
                f"{year} {v:g}{suffix}" if math.isfinite(v) else f"{year} x"
                for year, v in zip(labels, benchmark, strict=True)))
    limits = None
    finite = np.array(values, dtype=float)
    if st.enough_points_for_spc(len(finite)) and np.isfinite(finite).all():
        result = st.xmr(finite)
        limits = charts.ProcessLimits(mean=result.mean, lower=result.lower_process_limit,
                                      upper=result.upper_process_limit)
    title = f"{heading}: {labels[0]} to {labels[-1]}"
    desc = f"{title}. " + "; ".join(described) + "."
    if limits:
        desc += (f" XmR mean {limits.mean:.1f}, process limits {limits.lower:.1f} to "
                 f"{limits.upper:.1f}.")
    svg = charts.trend_chart(labels, drawn, ids=ids, title=title, desc=desc,
                             unit_suffix=suffix, limits=limits,
                             bounds=(0.0, 100.0) if suffix else None)
    caption = (f"{title}: {label} with 95% intervals"
               + (", XmR mean and process limits" if limits else "")
               + (" and its benchmarks" if len(drawn) > 1 else "") + ".")
    return Chart(svg=svg, caption=caption)


def block_order(pub: Publication, indicator_id: str, breakdown: str) -> tuple:
    breakdown_rank = (0 if breakdown in (ALL, DOMAIN_BREAKDOWN) else
                      1 if breakdown == NEIGHBOURHOOD_BREAKDOWN else
                      2 if breakdown == ITEM_BREAKDOWN else 3)
    source = pub.register[indicator_id].get("source_type", "")
    source_rank = {"statutory": 1, "voice": 2, "linked": 3}.get(source, 4)
    if breakdown == DOMAIN_BREAKDOWN:
        source_rank = 0
    return (source_rank, indicator_id != HEADLINE_INDICATOR,
            pub.order.get(indicator_id, 0), breakdown_rank, breakdown)


def domain_blocks(pub: Publication, ids: Build, area_code: str, area_name: str,
                  rows: pd.DataFrame) -> list[Block]:
    """Blocks of one domain, summary first, statutory before voice before linked."""
    keys = sorted(set(zip(rows["indicator_id"], rows["breakdown"], strict=True)),
                  key=lambda key: block_order(pub, *key))
    parts = dict(iter(rows.groupby(["indicator_id", "breakdown"], sort=False)))
    folded = (ITEM_POSITIVE, ITEM_BREAKDOWN) in parts and (ITEM_MEAN, ITEM_BREAKDOWN) in parts
    blocks = []
    for indicator_id, breakdown in keys:
        if folded and (indicator_id, breakdown) == (ITEM_MEAN, ITEM_BREAKDOWN):
            continue  # shown as a column of the questions' table
        part = parts[(indicator_id, breakdown)]
        scores = None
        if folded and (indicator_id, breakdown) == (ITEM_POSITIVE, ITEM_BREAKDOWN):
            scores = parts[(ITEM_MEAN, ITEM_BREAKDOWN)]
        blocks.append(build_block(pub, ids, area_code, area_name, indicator_id, breakdown,
                                  part, scores=scores))
    return blocks
