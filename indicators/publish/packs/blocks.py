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
)
from indicators.publish import claims as cl
from indicators.publish import period_keys as pk
from indicators.publish.packs import charts
from indicators.publish.packs.block_table import (
    area_label,
    comparison_claim,
    latest_table,
    row_key,
    shown_claim,
)
from indicators.publish.packs.frames import Publication, as_records
from indicators.publish.packs.layout import ALL
from indicators.publish.packs.model import Block, Build, Chart
from indicators.publish.packs.table_cells import (
    nan_of,
    number_or_none,
)
from indicators.publish.packs.wording import (
    MISSING_WHY,
    count_units,
    join_words,
    lower_first,
    part_note,
    period_label,
    period_words,
    slugify,
    unit_suffix,
    valid_polarity,
    with_unit_suffix,
)
from indicators.units import independent_units


def meta_of(pub: Publication, indicator_id: str) -> dict[str, str]:
    return pub.register[indicator_id]


def block_heading(pub: Publication, meta: Mapping[str, str], breakdown: str, area_name: str) -> str:
    title = meta.get("title") or meta["indicator_id"]
    declared = pub.framework.breakdowns
    if breakdown == ALL or (declared.domains and breakdown == declared.domains):
        return title
    if declared.items and breakdown == declared.items:
        return f"{title}: question by question"
    if declared.answers and breakdown.startswith(declared.answers):
        wording = pub.item_wording(breakdown[len(declared.answers) :])
        return f"{title}, by answer to “{wording}”"
    if pub.area_level and breakdown == pub.area_level:
        return f"{title}, by {pub.area_level.lower()}"
    if breakdown.lower() in title.lower():
        return title  # "... through each channel", not "..., by channel" as well
    return f"{title}, by {lower_first(breakdown)}"


def _trend(pub: Publication, record: Mapping[str, str]) -> cl.Claim:
    """A trend claim (not yet logged: the caller logs it when the pack shows it)."""
    return cl.trend(pub.published, *row_key(record), labels=pub.labels)


def _published_run(values: np.ndarray) -> int:
    """Where the latest unbroken run of published points starts: the XmR reads that run
    (a hidden point, c, breaks it), e.g. the months since a team began recording."""
    hidden = np.flatnonzero(~np.isfinite(values))
    return int(hidden[-1]) + 1 if len(hidden) else 0


def _since_change(pub: Publication, area_code: str, keys: Sequence[str]) -> int:
    """Index of the first of `keys` (a series' periods, oldest first) in or after the period
    of the latest change marked for the area (`markers:`, e.g. its last team starting the
    Voice Note): Making Data Count recalculates the limits at a known change, so the XmR
    reads only the points since; 0 when no change is marked (or the periods are years)."""
    markers = pub.markers.get(area_code, ()) if pub.markers else ()
    months = _months_per_period(keys)
    if not markers or months is None:
        return 0
    latest = max(int(marker["month"]) for marker in markers)
    return next((i for i, key in enumerate(keys) if pk.key_order(key) + months > latest), len(keys))


def _months_per_period(keys: Sequence[str]) -> int | None:
    """The months in each of `keys`' periods when they are all months or all quarters (a
    marker's month can be placed among them); None for years or mixed types."""
    kinds = {pk.split_key(key)[1] for key in keys}
    if len(kinds) != 1 or None in kinds:
        return None
    kind = kinds.pop()
    return None if kind.parts == 1 else 12 // kind.parts


def _xmr_for(meta: Mapping[str, str]) -> bool:
    """Whether an indicator's series gets an XmR reading: not a median, whose whole-day
    values tie either side of the mean and make runs that are no signal."""
    return meta.get("value_type") != "median"


def _xmr_reading(
    values: np.ndarray, polarity: str, periods: Sequence[int] | None = None, since: int = 0
) -> tuple[str, int] | None:
    """The Making Data Count XmR reading and its number of points, when the latest unbroken
    run of published points (from `since`, the latest marked change) is long enough;
    `periods` (months, quarters: their ordinals) makes a missing period a gap."""
    start = max(_published_run(values), since)
    run = values[start:]
    if st.enough_points_for_spc(len(run)):
        part = None if periods is None else list(periods)[start:]
        result = st.xmr(run, periods=part)
        return f"XmR: {st.xmr_reading(result, valid_polarity(polarity))}", len(run)
    return None


def _value_sentence(meta: Mapping[str, str], record: Mapping, area_name: str, why: str = "") -> str:
    """'In 2024/25, Northgate: 66.0%.' (the published value, with its unit)."""
    unit = meta.get("unit", "")
    period = period_words(record)
    label = area_label(record, area_name)
    if number_or_none(record["_value"]) is None:
        why = why or MISSING_WHY.get(record["value"], "not available")
        return f"In {period}, the figure for {label} is {why}."
    value = cl.with_unit(record["value"], unit)
    if record["reliability"] == "low":
        value += " (u: low reliability)"
    return f"In {period}, {label}: {value}."


def _summary_sentences(pub: Publication, claims: Sequence[cl.Claim], benchmark: str) -> list[str]:
    """How many rows are similar to, higher or lower than a benchmark: a count of claims."""
    if not any(claim.made for claim in claims):
        return []
    counts: dict[str, int] = {}
    for claim in claims:
        words = cl.short(claim) if claim.made else "not compared"
        counts[words] = counts.get(words, 0) + 1
    order = (
        "higher",
        "higher (better)",
        "higher (worse)",
        "similar",
        "lower",
        "lower (better)",
        "lower (worse)",
        "not compared",
    )
    parts = [
        f"{n} {words}"
        for words, n in sorted(
            counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)
        )
    ]
    name = pub.la_label if benchmark == cl.LA else "England"
    return [f"Compared with {name}, of these {len(claims)}: {join_words(parts)}."]


def build_block(
    pub: Publication,
    build: Build,
    area_code: str,
    area_name: str,
    indicator_id: str,
    breakdown: str,
    rows: pd.DataFrame,
    scores: pd.DataFrame | None = None,
) -> Block:
    """One indicator (and breakdown) in one domain: values, intervals, comparisons, trend.

    A single series (e.g. the area's GLD) is one year-by-year table with a trend chart that
    sets the area beside the borough and England; several groups (e.g. questions) get a
    latest-year table with an interval chart and a table of values over the years.
    """
    meta = meta_of(pub, indicator_id)
    heading = block_heading(pub, meta, breakdown, area_name)
    latest_period = pk.latest(rows["time_period"])
    latest = rows[rows["time_period"] == latest_period].sort_values("_order", kind="stable")
    groups = list(dict.fromkeys(rows.sort_values("_order", kind="stable")["group"]))
    groups = [*latest["group"], *(g for g in groups if g not in set(latest["group"]))]
    block = Block(
        id=build.next(slugify(f"{indicator_id}-{breakdown}")),
        heading=heading,
        indicator_id=indicator_id,
    )
    if meta.get("definition"):
        block.paragraphs.append(meta["definition"])
    polarity = meta.get("polarity", "")
    if len(groups) == 1:
        series = pk.sort_periods(rows)
        table, records = latest_table(
            pub, build, area_code, area_name, meta, breakdown, series, heading, by_year=True
        )
        values = series["_value"].to_numpy(dtype=float)
        last = records[-1]
        compared = [
            claim
            for claim in (
                comparison_claim(pub, last, benchmark) for benchmark in (cl.LA, cl.ENGLAND)
            )
            if shown_claim(claim)
        ]
        if not any(claim.made for claim in compared):
            block.paragraphs.append(
                _value_sentence(meta, last, area_name, pub.missing_why(last["value"]))
            )
        block.paragraphs += [cl.sentence(build.claim(claim)) for claim in compared]
        if len(records) > 1:
            keys = [r["time_period"] for r in records]
            since = _since_change(pub, area_code, keys)
            xmr = (
                _xmr_reading(values, polarity, pk.ordinals(keys), since) if _xmr_for(meta) else None
            )
            reading = xmr[0] if xmr else None
            if xmr:
                over = pk.periods_word(keys[-1])  # years; months, quarters of the ...
                block.paragraphs.append(
                    f"Trend over {xmr[1]} {over} (Making Data Count XmR reading): {reading}."
                )
            trend = _trend(pub, last)
            if trend.verdict != NOT_APPLICABLE or not reading:
                block.paragraphs.append(cl.sentence(build.claim(trend)))
        charted = (
            meta.get("domain") in pub.framework.chart_sections
            or indicator_id in pub.framework.chart_indicators
        )
        if charted and len(records) > 1 and np.isfinite(values).any():
            block.charts.append(
                _trend_chart(pub, build, area_code, area_name, meta, records, heading)
            )
        block.tables.append(table)
        return block
    trends: dict[str, cl.Claim | str] = {}
    periods = pk.ordered(rows["time_period"].unique())
    by_group: dict[str, list[dict]] = {}
    for record in as_records(pk.sort_periods(rows)):
        by_group.setdefault(record["group"], []).append(record)
    for group, part in by_group.items():
        values = np.array([nan_of(r["_value"]) for r in part], dtype=float)
        periods_of = pk.ordinals(r["time_period"] for r in part)
        since = _since_change(pub, area_code, [r["time_period"] for r in part])
        xmr = _xmr_reading(values, polarity, periods_of, since) if _xmr_for(meta) else None
        reading = xmr[0] if xmr else None
        if part[-1]["time_period"] != latest_period:
            continue  # not in the latest year's table
        trends[group] = reading or _trend(pub, part[-1])
    if (
        meta.get("value_type") not in st.TREND_VALUE_TYPES
        or count_units(meta)[1] not in independent_units()
    ):
        trends = {}  # not tested: "how to read" says which figures have a trend
    latest_scores = None
    if scores is not None and len(scores):
        latest_scores = {
            r["group"]: r for r in as_records(scores[scores["time_period"] == latest_period])
        }
    table, records = latest_table(
        pub,
        build,
        area_code,
        area_name,
        meta,
        breakdown,
        latest,
        heading,
        trends=trends if len(periods) > 1 and trends else None,
        scores=latest_scores,
    )
    # a group with no one in it (0 of 0: children whose LSOA no landed file places, when
    # every postcode is placed) is a row of the table but not one of the figures compared
    peopled = [r for r in records if str(r.get("denominator", "")) != "0"]
    for benchmark in (cl.LA, cl.ENGLAND):
        block.paragraphs += _summary_sentences(
            pub, [comparison_claim(pub, r, benchmark) for r in peopled], benchmark
        )
    if pub.area_level and breakdown == pub.area_level:
        block.paragraphs.append(
            cl.sentence(
                build.claim(
                    cl.ranking(pub.published, indicator_id, latest_period, area_code, breakdown)
                )
            )
        )
    block.tables.append(table)
    return block


def _trend_chart(
    pub: Publication,
    ids: charts.Ids,
    area_code: str,
    area_name: str,
    meta: Mapping[str, str],
    records: Sequence[Mapping],
    heading: str,
) -> Chart:
    """One area's values over the years with 95% intervals, beside the borough and England."""
    unit = meta.get("unit", "")
    suffix = unit_suffix(unit)
    keys = [r["time_period"] for r in records]
    if pk.divided(keys):  # every month or quarter from the first to the last: gaps as gaps
        by_key = dict(zip(keys, records, strict=True))
        slots: list[Mapping | None] = [by_key.get(key) for key in pk.span(keys)]
        labels = [
            period_words(r, short=True) if r else period_label(key)
            for key, r in zip(pk.span(keys), slots, strict=True)
        ]
    else:
        slots, labels = list(records), [period_words(r, short=True) for r in records]
    label = area_label(records[-1], area_name)
    values = [nan_of(r["_value"]) if r else math.nan for r in slots]
    drawn = [
        charts.Series(
            label=label,
            values=values,
            lower=[nan_of(r["_lower_ci_95"]) if r else math.nan for r in slots],
            upper=[nan_of(r["_upper_ci_95"]) if r else math.nan for r in slots],
            symbols=[r["value"] if r else None for r in slots],
        )
    ]
    described = [
        f"{label}: "
        + ", ".join(
            f"{year} {with_unit_suffix(r['value'], unit) if r else 'no figure published'}"
            for year, r in zip(labels, slots, strict=True)
        )
    ]
    for name, benchmark in (
        (
            pub.la_label[4:].capitalize(),
            [pub.borough_value(r, area_code) if r else math.nan for r in slots],
        ),
        ("England", [pub.england_value(r) if r else math.nan for r in slots]),
    ):
        if any(math.isfinite(v) for v in benchmark):
            drawn.append(
                charts.Series(
                    label=name, values=benchmark, role="england" if name == "England" else "borough"
                )
            )
            described.append(
                f"{name}: "
                + ", ".join(
                    f"{year} {v:g}{suffix}" if math.isfinite(v) else f"{year} x"
                    for year, v in zip(labels, benchmark, strict=True)
                )
            )
    limits = None
    finite = np.array([nan_of(r["_value"]) for r in records], dtype=float)
    start = max(
        _published_run(finite), _since_change(pub, area_code, [r["time_period"] for r in records])
    )
    if _xmr_for(meta) and st.enough_points_for_spc(len(finite) - start):
        ordinals = pk.ordinals(keys)
        result = st.xmr(finite[start:], periods=None if ordinals is None else ordinals[start:])
        limits = charts.ProcessLimits(
            mean=result.mean, lower=result.lower_process_limit, upper=result.upper_process_limit
        )
    span = pk.span(keys) if pk.divided(keys) else keys
    title = f"{heading}: {period_label(span[0])} to {period_label(span[-1])}"
    parts = [period_words(r, short=True) for r in slots if r and part_note(r)]
    if parts:  # which points count only some of their months
        title += f"; part periods: {join_words(parts)}"
    desc = f"{title}. " + "; ".join(described) + "."
    if limits:
        desc += (
            f" XmR mean {limits.mean:.1f}, process limits {limits.lower:.1f} to {limits.upper:.1f}."
        )
    marked = chart_marks(
        pub.markers.get(area_code, ()), area_code, pk.span(keys) if pk.divided(keys) else []
    )
    if marked:
        desc += " Marked: " + "; ".join(f"{text} ({labels[i]})" for i, text in marked) + "."
    svg = charts.trend_chart(
        labels,
        drawn,
        ids=ids,
        title=title,
        desc=desc,
        unit_suffix=suffix,
        limits=limits,
        bounds=(0.0, 100.0) if suffix else None,
        markers=marked,
    )
    caption = (
        f"{title}: {label} with 95% intervals"
        + (", XmR mean and process limits" if limits else "")
        + (" and its benchmarks" if len(drawn) > 1 else "")
        + "."
    )
    if marked:
        caption += (
            " The vertical lines mark "
            + join_words([f"{text} ({labels[i]})" for i, text in marked])
            + "."
        )
    return Chart(svg=svg, caption=caption)


def chart_marks(
    markers: Sequence[Mapping], area_code: str, keys: Sequence[str]
) -> list[tuple[int, str]]:
    """(slot, words) of each marker on a chart of months or quarters whose slots are `keys`
    (every period from the first to the last, pk.span): the slot holding the marker's month;
    markers of one slot and label joined, naming the areas they concern unless it is the
    chart's own area
    ("Voice Note trial: North 1 Early Help team and North 2 Early Help team")."""
    months = _months_per_period(keys)
    if not markers or months is None:
        return []  # years (too coarse to mark a month in) or mixed types
    first = pk.key_order(keys[0])
    found: dict[tuple[int, str], list[str]] = {}
    for marker in markers:
        slot = (int(marker["month"]) - first) // months
        if not 0 <= slot < len(keys):
            continue
        names = found.setdefault((slot, str(marker["label"])), [])
        if marker["area_code"] != area_code:
            names.append(str(marker["area_name"]))
    return [
        (slot, f"{label}: {join_words(list(dict.fromkeys(names)))}" if names else label)
        for (slot, label), names in sorted(found.items())
    ]


def block_order(pub: Publication, indicator_id: str, breakdown: str) -> tuple:
    declared = pub.framework.breakdowns
    by_domain = bool(declared.domains) and breakdown == declared.domains
    breakdown_rank = (
        0
        if breakdown == ALL or by_domain
        else 1
        if pub.area_level and breakdown == pub.area_level
        else 2
        if declared.items and breakdown == declared.items
        else 3
    )
    source = pub.register[indicator_id].get("source_type", "")
    source_rank = {"statutory": 1, "voice": 2, "linked": 3}.get(source, 4)
    if by_domain:
        source_rank = 0
    return (
        source_rank,
        indicator_id != pub.framework.headline.indicator,
        pub.order.get(indicator_id, 0),
        breakdown_rank,
        breakdown,
    )


def domain_blocks(
    pub: Publication, ids: Build, area_code: str, area_name: str, rows: pd.DataFrame
) -> list[Block]:
    """Blocks of one domain, summary first, statutory before voice before linked."""
    keys = sorted(
        set(zip(rows["indicator_id"], rows["breakdown"], strict=True)),
        key=lambda key: block_order(pub, *key),
    )
    parts = dict(iter(rows.groupby(["indicator_id", "breakdown"], sort=False)))
    items = pub.framework.breakdowns.items
    table_of, column_of = pub.framework.breakdowns.folded or ("", "")
    folded = bool(items) and (table_of, items) in parts and (column_of, items) in parts
    blocks = []
    for indicator_id, breakdown in keys:
        if folded and (indicator_id, breakdown) == (column_of, items):
            continue  # shown as a column of the questions' table
        part = parts[(indicator_id, breakdown)]
        scores = None
        if folded and (indicator_id, breakdown) == (table_of, items):
            scores = parts[(column_of, items)]
        blocks.append(
            build_block(
                pub, ids, area_code, area_name, indicator_id, breakdown, part, scores=scores
            )
        )
    return blocks
