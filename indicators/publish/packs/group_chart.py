"""One indicator's values across one breakdown's groups, as bars with their 95% intervals (a
framework's `group_charts:`): the journey chart, GLD at five by two-year communication result.

Every bar is a published cell of the area's latest period for that indicator and breakdown;
a hidden cell is drawn as the word "suppressed" with its symbol, never as a bar or a number.
The chart's text alternative is the framework's `alt` followed by the published values in
words; the same values are in the table after it (value, interval, counts).
"""

from __future__ import annotations

from indicators.publish import period_keys as pk
from indicators.publish.frameworks import GroupChart
from indicators.publish.packs import charts
from indicators.publish.packs.blocks import meta_of
from indicators.publish.packs.frames import Publication, as_records
from indicators.publish.packs.model import Block, Build, Chart, Column, Row, Table
from indicators.publish.packs.table_cells import count_cell, interval_cell, nan_of, value_cell
from indicators.publish.packs.wording import period_label, slugify, with_unit_suffix

SUPPRESSED_WORD = "suppressed"
"""What a hidden bar reads as on the chart (its symbol follows in brackets)."""


def _bar(record: dict) -> charts.Bar:
    value = nan_of(record["_value"])
    if value != value:  # NaN: a symbol is published instead of the value
        return charts.Bar(
            label=record["_label"],
            value=value,
            shown=f"{SUPPRESSED_WORD} ({record['value']})",
            colour=charts.AREA,
        )
    return charts.Bar(
        label=record["_label"],
        value=value,
        shown=with_unit_suffix(record["value"], "%"),
        colour=charts.AREA,
        lower=nan_of(record["_lower_ci_95"]),
        upper=nan_of(record["_upper_ci_95"]),
    )


def group_chart_block(
    pub: Publication, build: Build, area_code: str, area_name: str, entry: GroupChart
) -> Block | None:
    """The chart of `entry` for one area, with its table; None when the area has no row of
    the indicator over the breakdown."""
    own = pub.by_area.get(area_code)
    if own is None or entry.indicator not in pub.register:
        return None
    part = own[
        (own["indicator_id"] == entry.indicator) & (own["_published_breakdown"] == entry.breakdown)
    ]
    if part.empty:
        return None
    period = pk.latest(part["time_period"])
    records = as_records(part[part["time_period"] == period].sort_values("_order", kind="stable"))
    meta = meta_of(pub, entry.indicator)
    unit = meta.get("unit", "")
    title = f"{entry.heading}: {area_name}, {period_label(period)}"
    bars = [_bar(record) for record in records]
    alt = entry.alt.format(area=area_name, period=period_label(period))
    desc = f"{alt} " + "; ".join(f"{bar.label} {bar.shown}" for bar in bars) + "."
    widest = max(len(bar.label) for bar in bars) * charts.CHAR_WIDTH
    svg = charts.headline_chart(
        bars,
        ambition=None,
        ambition_label="",
        ids=build,
        title=title,
        desc=desc,
        label_width=min(max(190.0, widest + 8), 320.0),
    )
    block = Block(
        id=build.next(slugify(f"group-chart-{entry.heading}")),
        heading=entry.heading,
        indicator_id=entry.indicator,
    )
    if entry.intro:
        block.paragraphs.append(entry.intro)
    block.charts.append(Chart(svg=svg, caption=f"{title}. The black whiskers show 95% intervals."))
    rows = [
        Row(
            header=record["_label"],
            cells=[value_cell(record, unit), interval_cell(record, unit), count_cell(record, meta)],
            attrs={
                "indicator": entry.indicator,
                "breakdown": entry.breakdown,
                "group": record["_published_group"],
                "period": period,
                "area": area_code,
                "group-chart": "yes",
            },
        )
        for record in records
    ]
    block.tables.append(
        Table(
            caption=f"{title} (the chart's figures)",
            columns=[
                Column(entry.breakdown, width=40),
                Column("Value", numeric=True, width=14),
                Column("95% interval", ("95% interval from", "95% interval to"), numeric=True),
                Column("Counts", ("Counted", "Out of"), numeric=True),
            ],
            rows=rows,
            kind="group-chart",
        )
    )
    return block
