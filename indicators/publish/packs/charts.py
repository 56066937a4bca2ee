"""Static inline SVG charts for board packs: the same picture in the HTML and the PDF.

Charts (`headline_chart`, `trend_chart`) are an `<svg role="img">` with a `<title>` and
`<desc>` (their text alternative, named by `aria-labelledby`); interval bars inside table
cells (`interval_bar`) carry an `aria-label`. The numbers drawn are always in a table beside
them. Meaning never rests on colour alone: the area is a filled circle, the borough average a
diamond, England a hollow square and the cohort a triangle, named in a legend or note in
words, and suppressed values are written as `c (not shown)` where the point would be (`c`
alone where a period's slot is too narrow for more, e.g. months; the table beside says why).

Charts are built from plain numbers (NaN for anything not published), so they never see a
suppressed count; colours come from the GOV.UK palette and keep 3:1 against white
(WCAG 2.2 non-text contrast), text 4.5:1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from indicators.publish.packs import chart_axis, chart_events

WIDTH = 660
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
TEXT = "#0b0c0c"
AREA = "#1d70b8"
BOROUGH = "#505a5f"
ENGLAND = "#4c2c92"
AMBITION = "#942514"
COHORT = "#00703c"
GRID = "#8a8f92"
LIGHT_GRID = "#dcdfe0"
CHAR_WIDTH = 6.4
"""Rough width in px of one character at 12 px, used to keep labels inside their space."""
AXIS_LINE = 13.0
"""Px between the lines of an x-axis label written on two lines (chart_axis.axis_labels)."""


class Ids:
    """Unique element ids within one pack (SVG titles must be referable by id)."""

    def __init__(self, prefix: str = "c") -> None:
        self._prefix = prefix
        self._count = 0

    def next(self, stem: str = "chart") -> str:
        self._count += 1
        return f"{self._prefix}{self._count}-{stem}"


@dataclass(frozen=True)
class Series:
    """One line of a trend chart, oldest first (NaN where a year is not published)."""

    label: str
    values: Sequence[float]
    lower: Sequence[float] = field(default_factory=tuple)
    upper: Sequence[float] = field(default_factory=tuple)
    symbols: Sequence[str | None] = field(default_factory=tuple)
    """What is published instead of each missing value (e.g. 'c'), written on the chart;
    None for a period with no published row (a missing month: a gap, nothing written)."""
    role: str = "area"
    """'area' (filled circles, solid line), 'borough' (diamonds, dashed) or 'england'
    (hollow squares, dotted): the same shapes as the interval bars."""


@dataclass(frozen=True)
class ProcessLimits:
    """XmR centre line and process limits to draw behind a single series."""

    mean: float
    lower: float
    upper: float


def _f(number: float) -> str:
    """A coordinate with at most one decimal place."""
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _fit(text: str, width: float) -> str:
    """Shorten a label with an ellipsis so it fits `width` px (the full text is in the table)."""
    most = max(4, int(width / CHAR_WIDTH))
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def nice_scale(
    low: float, high: float, *, ticks: int = 5, bounds: tuple[float, float] | None = None
) -> tuple[float, float, list[float]]:
    """An axis from a little below `low` to a little above `high`, with round tick values.

    `bounds` clamps the axis (e.g. 0 to 100 for percentages).
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = bounds if bounds else (0.0, 1.0)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    raw = (high - low) / max(ticks - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    stop = math.ceil(high / step) * step
    if bounds:
        start, stop = max(start, bounds[0]), min(stop, bounds[1])
    values = []
    tick = start
    while tick <= stop + step * 1e-6:
        values.append(round(tick, 10))
        tick += step
    return start, stop, values


def _tick_label(value: float, unit_suffix: str) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return f"{text}{unit_suffix}"


def _grid(positions: Sequence[float], start: float, end: float, *, vertical: bool) -> str:
    """Light grid lines as one path (fewer elements keep the PDF quick to render)."""
    if vertical:
        moves = " ".join(f"M{_f(x)} {_f(start)} V{_f(end)}" for x in positions)
    else:
        moves = " ".join(f"M{_f(start)} {_f(y)} H{_f(end)}" for y in positions)
    return f'<path d="{moves}" stroke="{LIGHT_GRID}" stroke-width="1" fill="none"/>'


def _open(ids: Ids, height: float, title: str, desc: str) -> tuple[list[str], str]:
    title_id, desc_id = ids.next("title"), ids.next("desc")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {WIDTH} {_f(height)}" width="{WIDTH}" height="{_f(height)}" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="{FONT}" font-size="12" '
        f'fill="{TEXT}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(desc)}</desc>',
    ]
    return parts, title_id


def _diamond(x: float, y: float, r: float = 5.5) -> str:
    return (
        f'<path d="M{_f(x)} {_f(y - r)} L{_f(x + r)} {_f(y)} L{_f(x)} {_f(y + r)} '
        f'L{_f(x - r)} {_f(y)} Z" fill="{BOROUGH}" stroke="#ffffff" stroke-width="1"/>'
    )


def _square(x: float, y: float, r: float = 4.5, colour: str = ENGLAND) -> str:
    return (
        f'<rect x="{_f(x - r)}" y="{_f(y - r)}" width="{_f(2 * r)}" height="{_f(2 * r)}" '
        f'fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
    )


def _triangle(x: float, y: float, r: float = 5.5, colour: str = COHORT) -> str:
    return (
        f'<path d="M{_f(x)} {_f(y - r)} L{_f(x + r)} {_f(y + r * 0.8)} '
        f'L{_f(x - r)} {_f(y + r * 0.8)} Z" fill="{colour}"/>'
    )


def _circle(x: float, y: float, colour: str = AREA) -> str:
    return (
        f'<circle cx="{_f(x)}" cy="{_f(y)}" r="4.5" fill="{colour}" stroke="#ffffff" '
        f'stroke-width="1"/>'
    )


def _marker(kind: str, x: float, y: float) -> str:
    """A legend or data marker centred on (x, y)."""
    if kind == "interval":
        return (
            f'<rect x="{_f(x - 7)}" y="{_f(y - 4)}" width="14" height="8" fill="{AREA}" '
            f'fill-opacity="0.4" stroke="{AREA}" stroke-width="1"/>'
        )
    if kind == "whisker":
        return (
            f'<path d="M{_f(x)} {_f(y - 6)} v12 M{_f(x - 4)} {_f(y - 6)} h8 '
            f'M{_f(x - 4)} {_f(y + 6)} h8" stroke="{TEXT}" stroke-width="1.5" fill="none"/>'
        )
    if kind == "borough":
        return _diamond(x, y)
    if kind == "england":
        return _square(x, y)
    if kind == "cohort":
        return _triangle(x, y)
    if kind == "mean":
        return f'<path d="M{_f(x - 7)} {_f(y)} h14" stroke="{BOROUGH}" stroke-width="2"/>'
    if kind == "limits":
        return (
            f'<path d="M{_f(x - 7)} {_f(y)} h14" stroke="{AMBITION}" stroke-width="2" '
            f'stroke-dasharray="4 3"/>'
        )
    if kind in _SHAPES:
        return _point(kind, x, y)
    return _circle(x, y)


def _legend(items: list[tuple[str, str]], y: float, x: float = 8) -> list[str]:
    """Legend entries (marker kind, words) on one line starting at (x, y)."""
    parts = []
    for kind, words in items:
        parts.append(_marker(kind, x + 7, y - 4))
        parts.append(f'<text x="{_f(x + 18)}" y="{_f(y)}">{escape(words)}</text>')
        x += 34 + CHAR_WIDTH * len(words)
    return parts


@dataclass(frozen=True)
class Bar:
    """One bar of the headline chart."""

    label: str
    value: float
    shown: str
    colour: str
    lower: float = math.nan
    upper: float = math.nan


def headline_chart(
    bars: Sequence[Bar],
    *,
    ambition: float | None,
    ambition_label: str,
    ids: Ids,
    title: str,
    desc: str,
    label_width: float = 190.0,
) -> Markup:
    """Horizontal bars (0 to 100%) for the area and its benchmarks, with the ambition line
    (none when `ambition` is None); `label_width` px for the labels on the left."""
    plot_left, plot_right = label_width + 10, WIDTH - 70
    row_height, top = 40.0, 30.0
    height = top + row_height * len(bars) + 30

    def x_of(value: float) -> float:
        return plot_left + value / 100 * (plot_right - plot_left)

    parts, _ = _open(ids, height, title, desc)
    axis_y = top + row_height * len(bars)
    parts.append(_grid([x_of(tick) for tick in range(0, 101, 25)], top, axis_y, vertical=True))
    for tick in (0, 50, 100):
        parts.append(
            f'<text x="{_f(x_of(tick))}" y="{_f(axis_y + 16)}" text-anchor="middle">{tick}%</text>'
        )
    for index, bar in enumerate(bars):
        y = top + row_height * index
        parts.append(
            f'<text x="{_f(label_width)}" y="{_f(y + row_height / 2 + 4)}" '
            f'text-anchor="end" font-weight="bold">'
            f"{escape(_fit(bar.label, label_width))}</text>"
        )
        if math.isfinite(bar.value):
            width = x_of(bar.value) - plot_left
            parts.append(
                f'<rect x="{_f(plot_left)}" y="{_f(y + 8)}" width="{_f(width)}" '
                f'height="{_f(row_height - 16)}" fill="{bar.colour}"/>'
            )
            end = x_of(bar.value)
            if math.isfinite(bar.lower) and math.isfinite(bar.upper):
                x1, x2, mid = x_of(bar.lower), x_of(bar.upper), y + row_height / 2
                parts.append(
                    f'<path d="M{_f(x1)} {_f(mid - 7)} v14 M{_f(x1)} {_f(mid)} H{_f(x2)} '
                    f'M{_f(x2)} {_f(mid - 7)} v14" stroke="{TEXT}" stroke-width="2" '
                    f'fill="none"/>'
                )
                end = max(end, x2)
            parts.append(
                f'<text x="{_f(end + 6)}" y="{_f(y + row_height / 2 + 4)}" '
                f'font-weight="bold">{escape(bar.shown)}</text>'
            )
        else:
            parts.append(
                f'<text x="{_f(plot_left + 6)}" y="{_f(y + row_height / 2 + 4)}">'
                f"{escape(bar.shown)}</text>"
            )
    if ambition is not None:
        x = x_of(ambition)
        parts.append(
            f'<line x1="{_f(x)}" y1="{_f(top - 6)}" x2="{_f(x)}" y2="{_f(axis_y)}" '
            f'stroke="{AMBITION}" stroke-width="2.5" stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{_f(x)}" y="{_f(top - 10)}" text-anchor="middle" '
            f'fill="{AMBITION}" font-weight="bold">{escape(ambition_label)}</text>'
        )
    parts.append(
        f'<line x1="{_f(plot_left)}" y1="{_f(axis_y)}" x2="{_f(plot_right)}" '
        f'y2="{_f(axis_y)}" stroke="{GRID}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


_SHAPES = ("circle", "square", "triangle")
_ROLE_STYLE = {
    "area": ("area", AREA, ""),
    "borough": ("borough", BOROUGH, "6 3"),
    "england": ("england", ENGLAND, "2 3"),
}
"""Marker kind, line colour and dash pattern of each series role."""


def _point(shape: str, x: float, y: float, colour: str = AREA) -> str:
    if shape == "square":
        return (
            f'<rect x="{_f(x - 4.5)}" y="{_f(y - 4.5)}" width="9" height="9" '
            f'fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
        )
    if shape == "triangle":
        return (
            f'<path d="M{_f(x)} {_f(y - 5.5)} L{_f(x + 5.5)} {_f(y + 4.5)} '
            f'L{_f(x - 5.5)} {_f(y + 4.5)} Z" fill="{colour}"/>'
        )
    return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="4.5" fill="{colour}"/>'


def trend_chart(
    periods: Sequence[str],
    series: Sequence[Series],
    *,
    ids: Ids,
    title: str,
    desc: str,
    unit_suffix: str = "",
    limits: ProcessLimits | None = None,
    bounds: tuple[float, float] | None = None,
    markers: Sequence[tuple[int, str]] = (),
) -> Markup:
    """Values over the years: up to three lines (the area first, then its benchmarks).

    Each line has its own colour, marker and dash pattern, named in the legend. A series with
    intervals shows them as whiskers; `limits` adds the XmR mean and process limits (draw them
    only when there are enough points to trust them). `markers`: (period index, words), each
    a labelled vertical line at the start of that period (an event, e.g. a trial starting),
    its words above the plot (wrapped to fit beside the line).
    """
    series = list(series)[: len(_SHAPES)]
    plot_left, plot_right = 56.0, WIDTH - 20.0
    step = (plot_right - plot_left) / max(len(periods), 1)
    starts = [plot_left + step * i for i in range(len(periods))]
    events = chart_events.wrapped(markers, starts, WIDTH, CHAR_WIDTH)
    labels, every = chart_axis.axis_labels(periods, step)
    top, plot_height = 30.0 + chart_events.height(events), 110.0
    height = top + plot_height + 30 + AXIS_LINE * (max(map(len, labels), default=1) - 1)
    numbers = [n for s in series for n in (*s.values, *s.lower, *s.upper) if math.isfinite(n)]
    if limits:
        numbers += [limits.lower, limits.upper]
    low, high, ticks = nice_scale(
        min(numbers, default=math.nan), max(numbers, default=math.nan), ticks=3, bounds=bounds
    )

    def x_of(index: int) -> float:
        return plot_left + step * (index + 0.5)

    def y_of(value: float) -> float:
        return top + plot_height - (value - low) / (high - low) * plot_height

    parts, _ = _open(ids, height, title, desc)
    legend = [(_ROLE_STYLE.get(one.role, _ROLE_STYLE["area"])[0], one.label) for one in series]
    if any(one.lower for one in series):
        legend.append(("whisker", "95% interval"))
    if limits:
        legend += [("mean", "mean"), ("limits", "process limits")]
    parts += _legend(legend, 14)
    parts.append(_grid([y_of(tick) for tick in ticks], plot_left, plot_right, vertical=False))
    for tick in ticks:
        parts.append(
            f'<text x="{_f(plot_left - 6)}" y="{_f(y_of(tick) + 4)}" '
            f'text-anchor="end">{escape(_tick_label(tick, unit_suffix))}</text>'
        )
    base = top + plot_height
    parts.append(
        f'<line x1="{_f(plot_left)}" y1="{_f(base)}" x2="{_f(plot_right)}" '
        f'y2="{_f(base)}" stroke="{GRID}" stroke-width="1"/>'
    )
    for index, lines in enumerate(labels):
        if index % every:
            continue
        for line_number, line in enumerate(lines):
            parts.append(
                f'<text x="{_f(x_of(index))}" y="{_f(base + 18 + AXIS_LINE * line_number)}" '
                f'text-anchor="middle">{escape(line)}</text>'
            )
    if limits:
        for value, colour, dash in (
            (limits.mean, BOROUGH, ""),
            (limits.upper, AMBITION, ' stroke-dasharray="4 3"'),
            (limits.lower, AMBITION, ' stroke-dasharray="4 3"'),
        ):
            if math.isfinite(value) and low <= value <= high:
                parts.append(
                    f'<line x1="{_f(plot_left)}" y1="{_f(y_of(value))}" '
                    f'x2="{_f(plot_right)}" y2="{_f(y_of(value))}" stroke="{colour}" '
                    f'stroke-width="2"{dash}/>'
                )
    parts += chart_events.lines(events, base, TEXT)
    shown = " (not shown)" if step >= 16 * 5.8 else ""  # months: the symbol alone fits
    for number, one in enumerate(series):
        kind, colour, dash = _ROLE_STYLE.get(one.role, _ROLE_STYLE["area"])
        offset = (number - (len(series) - 1) / 2) * 3  # keep overlapping markers apart
        whiskers = []
        for index, (lo, hi) in enumerate(zip(one.lower, one.upper, strict=False)):
            if math.isfinite(lo) and math.isfinite(hi):
                x = x_of(index) + offset
                whiskers.append(
                    f"M{_f(x)} {_f(y_of(hi))} V{_f(y_of(lo))} M{_f(x - 4)} "
                    f"{_f(y_of(hi))} h8 M{_f(x - 4)} {_f(y_of(lo))} h8"
                )
        if whiskers:
            parts.append(
                f'<path d="{" ".join(whiskers)}" stroke="{TEXT}" stroke-width="1.5" fill="none"/>'
            )
        segment: list[str] = []
        for index, value in enumerate([*one.values, math.nan]):
            if math.isfinite(value):
                segment.append(f"{_f(x_of(index) + offset)},{_f(y_of(value))}")
                continue
            if len(segment) > 1:
                dashes = f' stroke-dasharray="{dash}"' if dash else ""
                parts.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" '
                    f'stroke="{colour}" stroke-width="2"{dashes}/>'
                )
            segment = []
        for index, value in enumerate(one.values):
            if math.isfinite(value):
                parts.append(_marker(kind, x_of(index) + offset, y_of(value)))
            elif number == 0:
                symbol = one.symbols[index] if index < len(one.symbols) else "x"
                if symbol is None:
                    continue  # no published row: the gap is the empty slot
                parts.append(
                    f'<text x="{_f(x_of(index))}" y="{_f(base - 8)}" '
                    f'text-anchor="middle">{escape(symbol)}{shown}</text>'
                )
    parts.append("</svg>")
    return Markup("".join(parts))


BAR_WIDTH = 120
BAR_HEIGHT = 16


def interval_bar(
    *,
    value: float,
    lower: float,
    upper: float,
    bounds: tuple[float, float],
    label: str,
    borough: float = math.nan,
    england: float = math.nan,
    cohort: float = math.nan,
) -> Markup:
    """A small bar for one table row: the 95% interval, the value and its benchmarks.

    It carries no text (the row beside it has the numbers, and `label` names it for screen
    readers), which keeps it quick to render in a PDF. Shapes follow the big charts: a filled
    circle for the value, a diamond for the borough, a hollow square for England, a triangle
    for the cohort.
    """
    low, high = bounds
    pad = 6.0
    width = BAR_WIDTH - 2 * pad

    def x_of(number: float) -> float:
        return pad + (min(max(number, low), high) - low) / (high - low) * width

    mid = BAR_HEIGHT / 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="bar" '
        f'width="{BAR_WIDTH}" height="{BAR_HEIGHT}" viewBox="0 0 {BAR_WIDTH} {BAR_HEIGHT}" '
        f'aria-label="{escape(label)}">',
        f'<path d="M{_f(pad)} {_f(mid)} H{_f(pad + width)} M{_f(pad)} 3 V13 '
        f'M{_f(pad + width)} 3 V13" stroke="{LIGHT_GRID}" stroke-width="1" fill="none"/>',
    ]
    if math.isfinite(lower) and math.isfinite(upper):
        x1, x2 = x_of(lower), x_of(upper)
        parts.append(
            f'<rect x="{_f(x1)}" y="{_f(mid - 4)}" width="{_f(max(x2 - x1, 1.5))}" '
            f'height="8" fill="{AREA}" fill-opacity="0.4" stroke="{AREA}" '
            f'stroke-width="1"/>'
        )
    if math.isfinite(borough):
        parts.append(_diamond(x_of(borough), mid, 5))
    if math.isfinite(england):
        parts.append(_square(x_of(england), mid, 4))
    if math.isfinite(cohort):
        parts.append(_triangle(x_of(cohort), mid, 5))
    if math.isfinite(value):
        parts.append(_circle(x_of(value), mid))
    parts.append("</svg>")
    return Markup("".join(parts))
