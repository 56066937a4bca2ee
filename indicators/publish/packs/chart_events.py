"""Events on a trend chart (a framework's `markers:`, e.g. a team's Voice Note trial
starting): each a dashed vertical line at the start of its period, its words above the plot,
wrapped to fit beside the line (to its right, or its left when there is no room).
charts.trend_chart draws them; the chart's text alternative and caption say the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import escape

LINE = 16.0
"""Height in px of each line of an event's words."""
TOP = 30.0
"""Where the words start: under the chart's legend."""


def wrapped(
    markers: Sequence[tuple[int, str]], starts: Sequence[float], width: float, char: float
) -> list:
    """(x, whether the words go to the right of the line, their lines) of each (period
    index, words): the start of its period (`starts`) and its words in lines that fit beside
    it in a chart `width` px wide, `char` px a character."""
    found = []
    for index, words in markers:
        x = starts[index]
        # to the right of the line, so the words cross no earlier (leftward) line, unless
        # there is too little room there
        right = (width - 10 - x) / char >= 24
        room = int(((width - 10 - x) if right else (x - 10)) / char)
        lines: list[str] = []
        for word in words.split():
            if lines and len(lines[-1]) + 1 + len(word) <= room:
                lines[-1] += " " + word
            else:
                lines.append(word)
        found.append((x, right, lines))
    return found


def height(events: list) -> float:
    """The px the events' words take above the plot."""
    return LINE * sum(len(lines) for _, _, lines in events)


def _f(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def lines(events: list, base: float, colour: str) -> list[str]:
    """SVG of each event: a dashed line from its words down to the axis at `base`."""
    parts, y = [], TOP
    for x, right, words in events:
        parts.append(
            f'<path d="M{_f(x)} {_f(y)} V{_f(base)}" stroke="{colour}" stroke-width="1.5" '
            f'stroke-dasharray="6 2 2 2" fill="none"/>'
        )
        for line in words:
            y += LINE
            parts.append(
                f'<text x="{_f(x + 4 if right else x - 4)}" y="{_f(y - 6)}" '
                f'text-anchor="{"start" if right else "end"}">{escape(line)}</text>'
            )
    return parts
