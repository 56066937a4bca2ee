"""What a framework sets side by side: a statutory figure beside what people say (`beside:`),
several indicators as columns over one breakdown's groups (`side_by_side:`), and people's
statements beside the rows they explain (`statements:`).

Every number is a published cell (a hidden one reads as its symbol); the words beside two
figures are a claim (`claims.beside`) computed from the published table; every sentence and
heading is the framework's (dbt_project/frameworks/*.yml).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from indicators.disclosure import NOT_AVAILABLE
from indicators.publish import claims as cl
from indicators.publish import period_keys as pk
from indicators.publish.frameworks import Beside, Figure, SideBySide
from indicators.publish.packs.blocks import meta_of
from indicators.publish.packs.frames import Publication, as_records
from indicators.publish.packs.funnel_chart import funnel_block
from indicators.publish.packs.group_chart import group_chart_block
from indicators.publish.packs.model import Block, Build, Cell, Column, Row, Table
from indicators.publish.packs.statements import with_statements
from indicators.publish.packs.table_cells import count_cell, interval_cell, value_cell
from indicators.publish.packs.wording import period_label, period_words, slugify, unit_label


def _record(pub: Publication, area_code: str, figure: Figure, period: str) -> dict | None:
    own = pub.by_area.get(area_code)
    if own is None:
        return None
    part = own[
        (own["indicator_id"] == figure.indicator)
        & (own["_published_breakdown"] == figure.breakdown)
        & (own["time_period"] == period)
    ]
    if figure.group:
        part = part[part["_published_group"] == figure.group]
    records = as_records(part)
    return records[0] if len(records) == 1 else None


def _latest(pub: Publication, area_code: str, indicators: Sequence[str], breakdown: str) -> str:
    own = pub.by_area.get(area_code)
    if own is None:
        return ""
    part = own[own["indicator_id"].isin(indicators) & (own["_published_breakdown"] == breakdown)]
    return pk.latest(part["time_period"]) if len(part) else ""


def _label(pub: Publication, figure: Figure) -> str:
    return figure.label or pub.register[figure.indicator].get("title") or figure.indicator


def beside_block(
    pub: Publication, build: Build, area_code: str, area_name: str, entry: Beside
) -> Block | None:
    """The two figures, each as published, and the framework's words about them (a claim)."""
    if entry.first.indicator not in pub.register or entry.second.indicator not in pub.register:
        return None
    period = _latest(pub, area_code, [entry.first.indicator], entry.first.breakdown)
    if not period:
        return None
    labels = (_label(pub, entry.first), _label(pub, entry.second))
    claim = build.claim(
        cl.beside(
            pub.published,
            period,
            area_code,
            (entry.first.indicator, entry.first.breakdown, entry.first.group),
            (entry.second.indicator, entry.second.breakdown, entry.second.group),
            labels,
            (entry.words["made"], entry.words["not_made"]),
        )
    )
    block = Block(id=build.next(slugify(f"beside-{entry.heading}")), heading=entry.heading)
    block.paragraphs.append(cl.sentence(claim))
    rows = []
    when = period_label(period)  # with its part-period note, from a figure's row
    for figure, label in zip((entry.first, entry.second), labels, strict=True):
        record = _record(pub, area_code, figure, period)
        if record is not None and when == period_label(period):
            when = period_words(record)
        meta = meta_of(pub, figure.indicator)
        unit = meta.get("unit", "")
        if record is None:
            missing = Cell(text=NOT_AVAILABLE, css="symbol num", code=NOT_AVAILABLE)
            cells = [missing, missing, missing]
        else:
            cells = [
                value_cell(record, unit),
                interval_cell(record, unit),
                count_cell(record, meta),
            ]
        rows.append(
            Row(
                header=label,
                cells=cells,
                attrs={
                    "indicator": figure.indicator,
                    "breakdown": figure.breakdown,
                    "group": record["_published_group"] if record else figure.group,
                    "period": period,
                    "area": area_code,
                    "beside": "yes",
                },
            )
        )
    block.tables.append(
        Table(
            caption=f"{entry.heading}: {area_name}, {when}",
            columns=[
                Column("Figure", width=44),
                Column("Value", numeric=True, width=12),
                Column("95% interval", ("95% interval from", "95% interval to"), numeric=True),
                Column("Counts", ("Counted", "Out of"), numeric=True),
            ],
            rows=rows,
            kind="beside",
        )
    )
    return block


def side_by_side_block(
    pub: Publication,
    build: Build,
    area_code: str,
    area_name: str,
    entry: SideBySide,
    statements: bool = True,
) -> Block | None:
    """One row per group of the breakdown, one column per declared indicator, each cell the
    published value (a hidden one as its symbol), in the latest period any of them has; with
    the statements explaining each row when `statements`."""
    indicators = [name for name, _ in entry.columns if name in pub.register]
    period = _latest(pub, area_code, indicators, entry.breakdown)
    if not period:
        return None
    own = pub.by_area[area_code]
    part = own[
        own["indicator_id"].isin(indicators)
        & (own["_published_breakdown"] == entry.breakdown)
        & (own["time_period"] == period)
    ].sort_values("_order", kind="stable")
    by_cell: dict[tuple[str, str], Mapping] = {}
    groups: dict[str, str] = {}
    for record in as_records(part):
        by_cell[(record["indicator_id"], record["_published_group"])] = record
        groups.setdefault(record["_published_group"], record["_label"])
    first = [r["_published_group"] for r in as_records(part) if r["indicator_id"] == indicators[0]]
    order = [*dict.fromkeys(first), *(g for g in groups if g not in first)]
    columns = [Column(entry.breakdown, width=24)]
    for name, label in entry.columns:
        unit = unit_label(meta_of(pub, name).get("unit", "")) if name in pub.register else ""
        columns.append(Column(f"{label} ({unit})" if unit else label, numeric=True, width=14))
    rows = []
    for group in order:
        cells = []
        for name, _ in entry.columns:
            record = by_cell.get((name, group))
            unit = meta_of(pub, name).get("unit", "") if name in pub.register else ""
            cells.append(
                value_cell(record, unit)
                if record is not None
                else Cell(text=NOT_AVAILABLE, css="symbol num", code=NOT_AVAILABLE)
            )
        rows.append(
            Row(
                header=groups[group],
                cells=cells,
                attrs={
                    "breakdown": entry.breakdown,
                    "group": group,
                    "period": period,
                    "area": area_code,
                    "side-by-side": "yes",
                },
            )
        )
    block = Block(id=build.next(slugify(f"side-by-side-{entry.heading}")), heading=entry.heading)
    if entry.intro:
        block.paragraphs.append(entry.intro)
    table = Table(
        caption=f"{entry.heading}: {area_name}, {period_label(period)}",
        columns=columns,
        rows=rows,
        kind="side-by-side",
    )
    block.tables.append(with_statements(pub, build, table, area_code) if statements else table)
    return block


def framework_blocks(
    pub: Publication, build: Build, area_code: str, area_name: str
) -> dict[str, list[Block]]:
    """section -> the beside, side-by-side, group chart and funnel blocks it opens with, in
    declared order (group_chart.py and funnel_chart.py draw the charts). The
    statements of a breakdown go beside the first side-by-side table over it only (and then
    beside none of its indicators' own tables: block_table), so each is printed once."""
    found: dict[str, list[Block]] = {}
    given: set[str] = set()
    for entry in pub.framework.beside:
        block = beside_block(pub, build, area_code, area_name, entry)
        if block is not None:
            found.setdefault(entry.section, []).append(block)
    for entry in pub.framework.side_by_side:
        first = entry.breakdown not in given
        block = side_by_side_block(pub, build, area_code, area_name, entry, statements=first)
        if block is not None:
            found.setdefault(entry.section, []).append(block)
            given.add(entry.breakdown)
    for chart in pub.framework.group_charts:
        block = group_chart_block(pub, build, area_code, area_name, chart)
        if block is not None:
            found.setdefault(chart.section, []).append(block)
    for funnel in pub.framework.funnels:  # the authority's pack only
        block = funnel_block(pub, build, area_code, area_name, funnel)
        if block is not None:
            found.setdefault(funnel.section, []).append(block)
    return found
