"""The x-axis labels of a pack's trend chart as a reader sees them: a label written on two
lines (one <text> under another at the same x) read as one, in order along the axis."""

from __future__ import annotations

import re

_TEXT = re.compile(r'<text x="([\d.]+)" y="([\d.]+)" text-anchor="middle">([^<]*)</text>')


def axis_labels(svg: str) -> list[str]:
    """Every middle-anchored text of `svg`, lines stacked at one x (13 px apart) joined."""
    labels: list[tuple[float, float, str]] = []
    for x, y, text in _TEXT.findall(svg):
        if labels and labels[-1][0] == float(x) and abs(float(y) - labels[-1][1] - 13) < 0.01:
            labels[-1] = (float(x), float(y), f"{labels[-1][2]} {text}")
        else:
            labels.append((float(x), float(y), text))
    return [text for _, _, text in labels]
