"""The x-axis labels of a trend chart (charts.trend_chart): each period's label on one line,
or on two, or a label every few periods, so that no two labels overlap."""

from __future__ import annotations

import math
from collections.abc import Sequence


def axis_labels(periods: Sequence[str], step: float) -> tuple[list[list[str]], int]:
    """Each period's label as lines, and how often one is written (every `every`-th period).

    At ~5.8 px a character a label fits its slot of `step` px or it does not. Labels that do
    not fit on one line go on two, split at the last space ('Financial year' over '2020/21',
    'September' over '2023'); when even that does not fit, a label every few periods."""

    def width(lines: Sequence[str]) -> float:
        return max((len(line) for line in lines), default=0) * 5.8

    whole = [[period] for period in periods]
    if all(width(lines) <= step for lines in whole):
        return whole, 1
    split = [period.rsplit(" ", 1) for period in periods]
    widest = max((width(lines) for lines in split), default=0.0)
    return split, max(1, math.ceil(widest / step))
