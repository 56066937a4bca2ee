"""A funnel plot in the authority's pack (a framework's `funnels:`): each of its areas (a
combined authority's local authorities) at its published denominator (across) and its
published value (up), around the authority's own published figure with the 95% and 99.8%
control limits of PHEindicatormethods' `calculate_funnel_limits` (indicators/stats/funnel.py),
then a table of the same figures, and the words: a claim (claims/funnel_claim.py), which
names the areas outside the limits and those not plotted (a hidden count, c).

Everything drawn is a published cell or computed from published cells: the centre is the
authority's published numerator over its published denominator, the limits follow from it
and the published denominators. An area whose count is hidden is not drawn. The SVG follows
charts.py: a title and description (the framework's `alt`, then every value in words), a
legend in words, the centre line solid, the 95% limits dashed and the 99.8% limits dotted
(told apart in greyscale by the pattern, not the colour), each point labelled by its name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from indicators.disclosure import NOT_AVAILABLE
from indicators.publish import claims as cl
from indicators.publish import period_keys as pk
from indicators.publish.claims.funnel_claim import (
    FunnelData,
    funnel_data,
    not_plotted,
    position_words,
)
from indicators.publish.frameworks import Funnel
from indicators.publish.packs import charts
from indicators.publish.packs.blocks import meta_of
from indicators.publish.packs.charts import _f, _fit, _grid, _open, _tick_label
from indicators.publish.packs.frames import Publication, as_records
from indicators.publish.packs.layout import ALL
from indicators.publish.packs.model import Block, Build, Cell, Chart, Column, Row, Table
from indicators.publish.packs.table_cells import count_cell, value_cell
from indicators.publish.packs.wording import (
    count_text,
    count_units,
    period_label,
    slugify,
)
from indicators.stats import funnel as fn

CENTRE = charts.BOROUGH
LIMIT_95 = charts.ENGLAND
LIMIT_998 = charts.AMBITION
DASH_95 = "7 4"
DASH_998 = "2 3"
LABEL_CHAR = 5.9
"""Rough width in px of one character of a point's label (11 px)."""


@dataclass(frozen=True)
class Point:
    """One plotted area: its name, published denominator and value (in per cent)."""

    label: str
    denominator: float
    value: float


def _limit_lines(limits, low: float, high: float, x_of, y_of) -> list[tuple[str, str, str, str]]:
    """(path, colour, dash, name) of each limit line, drawn where it lies within the plot's
    range (the limits are monotone in the denominator: each in-range part is one stretch)."""
    lines = []
    for column, colour, dash in (
        ("upper_99_8", LIMIT_998, DASH_998),
        ("lower_99_8", LIMIT_998, DASH_998),
        ("upper_95", LIMIT_95, DASH_95),
        ("lower_95", LIMIT_95, DASH_95),
    ):
        moves = [
            f"{_f(x_of(n))} {_f(y_of(v))}"
            for n, v in zip(limits["denominator"], limits[column], strict=True)
            if low <= v <= high
        ]
        if len(moves) > 1:
            lines.append(("M" + " L".join(moves), colour, dash, column))
    return lines


def _label_places(
    points: Sequence[tuple[float, float, str]], box: tuple[float, float, float, float]
) -> list[tuple[float, float, str]]:
    """(x, y, anchor) of each point's label: the first of eight places around the point that
    stays in the plot and clear of every other point and label placed before it (or the one
    overlapping least)."""
    left, top, right, bottom = box
    taken = [(x - 5, y - 5, x + 5, y + 5) for x, y, _ in points]
    places = []
    offsets = (
        (8, 4, "start"),
        (-8, 4, "end"),
        (0, -9, "middle"),
        (0, 17, "middle"),
        (6, -7, "start"),
        (6, 15, "start"),
        (-6, -7, "end"),
        (-6, 15, "end"),
    )
    for x, y, text in points:
        width = len(text) * LABEL_CHAR
        best, best_overlap = None, math.inf
        for dx, dy, anchor in offsets:
            start = x + dx - {"start": 0, "middle": width / 2, "end": width}[anchor]
            rect = (start, y + dy - 10, start + width, y + dy + 2)
            overlap = sum(_overlap(rect, other) for other in taken)
            if rect[0] < left or rect[2] > right or rect[1] < top or rect[3] > bottom:
                overlap += 10_000
            if overlap < best_overlap:
                best, best_overlap = (x + dx, y + dy, anchor, rect), overlap
            if overlap == 0:
                break
        places.append(best[:3])
        taken.append(best[3])
    return places


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def funnel_svg(
    points: Sequence[Point],
    centre: tuple[float, float],
    *,
    centre_label: str,
    point_label: str,
    x_label: str,
    ids: charts.Ids,
    title: str,
    desc: str,
) -> Markup:
    """The funnel plot: `points` around the centre (the authority's published numerator and
    denominator), with the 95% and 99.8% limits over PHEindicatormethods' 100-point axis of
    the points' denominators, each point named."""
    numerator, denominator = centre
    dens = [p.denominator for p in points]
    axis = fn.funnel_axis(min(dens), max(dens))
    limits = fn.funnel_limits([numerator], [denominator], points=axis)
    value = 100 * numerator / denominator
    plot_left, plot_right, top, plot_height = 56.0, charts.WIDTH - 16.0, 52.0, 240.0
    base = top + plot_height
    height = base + 44
    # the value axis: every point and the limits at half the smallest area's size
    near = fn.funnel_limits([numerator], [denominator], points=[max(1.0, min(dens) / 2)])
    numbers = [p.value for p in points] + [value]
    numbers += [float(near[c].iloc[0]) for c in ("lower_99_8", "upper_99_8")]
    low, high, ticks = charts.nice_scale(min(numbers), max(numbers), ticks=5, bounds=(0, 100))
    x_low, x_high, x_ticks = charts.nice_scale(0.0, float(axis[-1]), ticks=5)
    x_low = 0.0

    def x_of(n: float) -> float:
        return plot_left + (n - x_low) / (x_high - x_low) * (plot_right - plot_left)

    def y_of(v: float) -> float:
        return base - (v - low) / (high - low) * plot_height

    parts, _ = _open(ids, height, title, desc)
    parts += _legend(point_label, centre_label, 16)
    parts.append(_grid([y_of(t) for t in ticks], plot_left, plot_right, vertical=False))
    parts.append(_grid([x_of(t) for t in x_ticks], top, base, vertical=True))
    for tick in ticks:
        parts.append(
            f'<text x="{_f(plot_left - 6)}" y="{_f(y_of(tick) + 4)}" text-anchor="end">'
            f"{escape(_tick_label(tick, '%'))}</text>"
        )
    for tick in x_ticks:
        parts.append(
            f'<text x="{_f(x_of(tick))}" y="{_f(base + 16)}" text-anchor="middle">'
            f"{escape(f'{tick:,.0f}')}</text>"
        )
    parts.append(
        f'<text x="{_f((plot_left + plot_right) / 2)}" y="{_f(base + 36)}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
    )
    parts.append(
        f'<path d="M{_f(plot_left)} {_f(top)} V{_f(base)} H{_f(plot_right)}" '
        f'stroke="{charts.GRID}" stroke-width="1" fill="none"/>'
    )
    if low <= value <= high:
        parts.append(
            f'<path d="M{_f(plot_left)} {_f(y_of(value))} H{_f(plot_right)}" '
            f'stroke="{CENTRE}" stroke-width="2" fill="none"/>'
        )
    for path, colour, dash, _ in _limit_lines(limits, low, high, x_of, y_of):
        parts.append(
            f'<path d="{path}" stroke="{colour}" stroke-width="2" '
            f'stroke-dasharray="{dash}" fill="none"/>'
        )
    placed = [(x_of(p.denominator), y_of(p.value), p.label) for p in points]
    for x, y, _ in placed:
        parts.append(charts._circle(x, y))
    box = (plot_left + 2, top + 2, plot_right - 2, base - 2)
    for (x, y, anchor), (_, _, text) in zip(_label_places(placed, box), placed, strict=True):
        text = _fit(text, 150)
        width = len(text) * LABEL_CHAR
        start = x - {"start": 0, "middle": width / 2, "end": width}[anchor]
        parts.append(  # a white backing keeps the name readable over a limit line
            f'<rect x="{_f(start - 1)}" y="{_f(y - 10)}" width="{_f(width + 2)}" height="13" '
            'fill="#ffffff" fill-opacity="0.85"/>'
        )
        parts.append(
            f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" font-size="11">'
            f"{escape(text)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(point_label: str, centre_label: str, y: float) -> list[str]:
    """The legend in words: the point, the centre line and the two limits' patterns."""
    items = [
        ("point", point_label, "", ""),
        ("line", centre_label, CENTRE, ""),
        ("line", "95% limits", LIMIT_95, DASH_95),
        ("line", "99.8% limits", LIMIT_998, DASH_998),
    ]
    parts, x = [], 8.0
    for kind, words, colour, dash in items:
        if kind == "point":
            parts.append(charts._circle(x + 7, y - 4))
        else:
            pattern = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<path d="M{_f(x)} {_f(y - 4)} h22" stroke="{colour}" stroke-width="2"{pattern}/>'
            )
        parts.append(f'<text x="{_f(x + 28)}" y="{_f(y)}">{escape(words)}</text>')
        x += 40 + charts.CHAR_WIDTH * len(words)
    return parts


def _limits_cell(row: dict | None, centre: tuple[float, float], level: float) -> Cell:
    """The limits at the area's published denominator, '61.9% to 72.8%' (two numbers in the
    spreadsheet), or the symbol its denominator is published as."""
    if row is None or not cl.is_number(row["denominator"]) or float(row["denominator"]) <= 0:
        symbol = row["denominator"] if row is not None else NOT_AVAILABLE
        symbol = symbol if not cl.is_number(symbol) else NOT_AVAILABLE
        return Cell(text=symbol, values=(symbol, symbol), css="symbol num", code=symbol)
    label = "99_8" if level == 0.998 else "95"
    limits = fn.funnel_limits(
        [centre[0]], [centre[1]], confidence=(level,), points=[float(row["denominator"])]
    )
    lower, upper = (
        round(float(limits[f"{side}_{label}"].iloc[0]), 1) for side in ("lower", "upper")
    )
    return Cell(
        text=f"{lower:.1f}% to {upper:.1f}%",
        values=(lower, upper),
        formats=('0.0"%"', '0.0"%"'),
        css="num",
    )


def funnel_block(
    pub: Publication, build: Build, area_code: str, area_name: str, entry: Funnel
) -> Block | None:
    """The funnel of `entry` in the authority's pack (None in an area's pack, or when the
    authority has no total row of the indicator): the framework's intro, the claim's words,
    the chart when the claim is made, and the table of every area's figures."""
    own = pub.by_area.get(area_code)
    if area_code != pub.la_code or own is None or entry.indicator not in pub.register:
        return None
    totals = own[(own["indicator_id"] == entry.indicator) & (own["breakdown"] == ALL)]
    if totals.empty:
        return None
    period = pk.latest(totals["time_period"])
    meta = meta_of(pub, entry.indicator)
    claim = build.claim(cl.funnel(pub.published, entry.indicator, period, area_code))
    data = funnel_data(pub.published, entry.indicator, period, area_code)
    block = Block(
        id=build.next(slugify(f"funnel-{entry.heading}")),
        heading=entry.heading,
        indicator_id=entry.indicator,
    )
    if entry.intro:
        block.paragraphs.append(entry.intro)
    block.paragraphs.append(cl.sentence(claim))
    title = f"{entry.heading}: {area_name}, {period_label(period)}"
    if claim.made:
        block.charts.append(_chart(pub, build, entry, area_name, period, meta, claim, data, title))
    block.tables.append(_table(pub, entry, period, meta, claim, data, title))
    return block


def _chart(pub, build, entry, area_name, period, meta, claim, data: FunnelData, title) -> Chart:
    row = data.centre_row
    centre = (float(row["numerator"]), float(row["denominator"]))
    points = [  # at its published value (its counts' share where the value is a symbol)
        Point(
            p.area_name,
            float(p.row["denominator"]),
            cl.finite(p.row["value"])
            if cl.is_number(p.row["value"])
            else 100 * float(p.row["numerator"]) / float(p.row["denominator"]),
        )
        for p in data.placed
    ]
    unit = count_units(meta)[1]
    centre_label = f"{area_name} ({row['value']}%)"
    described = [
        f"{p.area_name} {p.row['value']}% of {count_text(p.row['denominator'])} {unit}: "
        f"{position_words(p.position, claim.polarity)}"
        for p in data.placed
    ]
    not_placed = not_plotted(data.points)  # the claim's words
    alt = entry.alt.format(area=area_name, period=period_label(period))
    desc = (
        f"{alt} The centre line is {centre_label}. "
        + "; ".join(described)
        + "."
        + (f" {not_placed}." if not_placed else "")
    )
    level = pub.area_level.lower() or "area"
    svg = funnel_svg(
        points,
        centre,
        centre_label=centre_label,
        point_label=level,
        x_label=f"Number of {unit} (the denominator)",
        ids=build,
        title=title,
        desc=desc,
    )
    caption = (
        f"{title}. Each point is a {level}, at its number of {unit} (across) and its value "
        f"(up). The solid line is {centre_label}, the dashed lines its 95% limits and the "
        "dotted lines its 99.8% limits: a point outside them differs from it by more than "
        "chance would explain for its size."
    )
    if not_placed:
        caption += f" {not_placed}."
    return Chart(svg=svg, caption=caption)


def _records(pub: Publication, codes: Sequence[str], indicator: str, period: str) -> dict:
    """area code -> its published total row of the indicator in the period, as the pack's
    records (with the parsed numbers the cells read)."""
    found = {}
    for code in codes:
        own = pub.by_area.get(code)
        if own is None:
            continue
        part = own[
            (own["indicator_id"] == indicator)
            & (own["breakdown"] == ALL)
            & (own["time_period"] == period)
        ]
        found.update({record["area_code"]: record for record in as_records(part)})
    return found


def _table(pub, entry, period, meta, claim, data: FunnelData, title) -> Table:
    unit = meta.get("unit", "")
    own = _records(pub, [p.area_code for p in data.points], entry.indicator, period)
    row = data.centre_row
    centre = (
        (float(row["numerator"]), float(row["denominator"])) if math.isfinite(data.centre) else None
    )
    rows = []
    for point in data.points:
        record = own.get(point.area_code)
        missing = Cell(text=NOT_AVAILABLE, css="symbol num", code=NOT_AVAILABLE)
        if point.placed:
            where = position_words(point.position, claim.polarity)
        elif centre is None or not claim.made:
            where = "not placed"
        else:
            where = f"not plotted: {point.why}"
        cells = [
            value_cell(record, unit) if record else missing,
            count_cell(record, meta) if record else missing,
            _limits_cell(point.row, centre, 0.95) if centre else missing,
            _limits_cell(point.row, centre, 0.998) if centre else missing,
            Cell(text=where, code=point.position or "not placed", claim=claim.claim_id),
        ]
        rows.append(
            Row(
                header=point.area_name,
                cells=cells,
                attrs={
                    "indicator": entry.indicator,
                    "period": period,
                    "area": point.area_code,
                    "funnel": "yes",
                },
            )
        )
    level = pub.area_level or "Area"
    return Table(
        caption=f"{title} (the chart's figures)",
        columns=[
            Column(level, width=24),
            Column("Value", numeric=True, width=11),
            Column("Counts", ("Counted", "Out of"), numeric=True, width=15),
            Column("95% limits", ("95% limit from", "95% limit to"), numeric=True, width=17),
            Column("99.8% limits", ("99.8% limit from", "99.8% limit to"), numeric=True, width=17),
            Column("Where it lies", width=26),
        ],
        rows=rows,
        kind="funnel",
    )
