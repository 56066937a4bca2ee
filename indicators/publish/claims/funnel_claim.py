"""The `funnel` claim: where each of an authority's areas lies on a funnel plot of one
proportion (a framework's `funnels:`), from the published table alone (the rules are in
indicators/publish/claims/__init__.py).

Each area is placed by its published numerator and denominator against limits around the
authority's own published figure (its published numerator over its published denominator:
the pooled value of its areas), by PHEindicatormethods' `calculate_funnel_limits` and
`assign_funnel_significance` (indicators/stats/funnel.py). An area whose count is hidden
(c) or has no one in it is not placed, and the claim names it; nothing is computed from a
count that is not published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from indicators import stats as st
from indicators.publish.claims.claim import (
    ALL,
    FUNNEL,
    SYMBOL_WORDS,
    Claim,
    finite,
    is_number,
    plural,
)
from indicators.publish.claims.table import Published
from indicators.stats import funnel as fn
from indicators.units import independent_units, not_compared_why

OUTSIDE = (fn.HIGH_998, fn.LOW_998, fn.HIGH_95, fn.LOW_95)
"""funnel_position's words for an area outside the limits, in the order the claim names them."""


@dataclass(frozen=True)
class FunnelPoint:
    """One area of the funnel: its published row and, when it is placed, its position."""

    area_code: str
    area_name: str
    row: Mapping[str, str] | None
    """The area's published total row (None: no row published for the period)."""
    position: str = ""
    """funnel_position's words (fn.POSITIONS), or '' when the area is not placed."""
    why: str = ""
    """Why it is not placed, in words ('its count is not shown (c)')."""
    why_many: str = ""
    """The same, said of several areas ('their counts are not shown (c)')."""

    @property
    def placed(self) -> bool:
        return bool(self.position)


@dataclass(frozen=True)
class FunnelData:
    """What a funnel plot draws, all from published cells: the authority's total row (the
    centre), its areas (placed or not, and why) and the centre as a percentage."""

    centre_row: Mapping[str, str] | None
    points: tuple[FunnelPoint, ...]
    centre: float
    """The authority's published numerator over its published denominator, times 100 (NaN
    when either is not a published number)."""

    @property
    def placed(self) -> list[FunnelPoint]:
        return [point for point in self.points if point.placed]


def _total(pub: Published, indicator_id: str, time_period: str, area_code: str) -> dict | None:
    """An area's total row of the indicator (breakdown All, whatever its group is called)."""
    rows = pub.groups.get((indicator_id, time_period, area_code, ALL), [])
    return rows[0] if rows else None


def _why_not_placed(row: Mapping[str, str] | None) -> tuple[str, str]:
    """Why an area (or the centre) cannot be placed, said of one area and of several
    ('its count is not shown (c)', 'their counts are not shown (c)'), or ('', '')."""
    if row is None:
        return "no figure is published for it", "no figures are published for them"
    for column in ("numerator", "denominator"):
        text = str(row[column]).strip()
        if not is_number(text):
            shown = SYMBOL_WORDS.get(text, text)
            return f"its count is {shown}", f"their counts are {shown}"
    if float(row["denominator"]) <= 0:
        return "no one was counted there", "no one was counted there"
    if float(row["numerator"]) > float(row["denominator"]):
        return (
            "its published counts do not make a proportion",
            "their published counts do not make a proportion",
        )
    return "", ""


def not_plotted(points: Sequence[FunnelPoint]) -> str:
    """The areas not placed, by why: 'Bolton and Bury are not plotted: their counts are not
    shown (c)'; several reasons joined by '; '; '' when every area is placed."""
    by_why: dict[tuple[str, str], list[str]] = {}
    for point in points:
        if not point.placed:
            by_why.setdefault((point.why, point.why_many), []).append(point.area_name)
    return "; ".join(
        f"{names[0]} is not plotted: {one}"
        if len(names) == 1
        else f"{joined(names)} are not plotted: {many}"
        for (one, many), names in by_why.items()
    )


def funnel_data(pub: Published, indicator_id: str, time_period: str, area_code: str) -> FunnelData:
    """The authority's centre and each of its areas (pub.neighbourhoods: the areas of the
    framework's `areas` level within it), placed by funnel_position where its published
    numerator and denominator allow."""
    centre_row = _total(pub, indicator_id, time_period, area_code)
    centre = float("nan")
    if centre_row is not None and not _why_not_placed(centre_row)[0]:
        centre = 100 * finite(centre_row["numerator"]) / finite(centre_row["denominator"])
    points = []
    for code in pub.neighbourhoods(area_code):
        row = _total(pub, indicator_id, time_period, code)
        name = row["area_name"] if row is not None else pub.names.get(code, code)
        why, why_many = _why_not_placed(row)
        position = ""
        if not why and np.isfinite(centre):
            position = str(
                fn.funnel_position(finite(row["numerator"]), finite(row["denominator"]), centre)
            )
        points.append(FunnelPoint(code, name, row, position, why, why_many))
    return FunnelData(centre_row=centre_row, points=tuple(points), centre=centre)


def position_words(position: str, polarity: str) -> str:
    """funnel_position's words for a board: 'above the 99.8% limit (better)', 'within the
    95% limits'; the indicator's polarity says whether above is better or worse."""
    if position == fn.NOT_SIGNIFICANT:
        return "within the 95% limits"
    direction = st.HIGHER if position in (fn.HIGH_998, fn.HIGH_95) else st.LOWER
    side = "above" if direction == st.HIGHER else "below"
    where = (
        f"{side} the 99.8% limit"
        if position in (fn.HIGH_998, fn.LOW_998)
        else f"{side} the 95% limit, within the 99.8% limits"
    )
    judged = str(st.apply_polarity([direction], polarity)[0])
    return f"{where} ({judged})" if judged in (st.BETTER, st.WORSE) else where


def _verdict(points: Sequence[FunnelPoint]) -> str:
    """'Trafford: High (0.001); Bolton: Not significant; ...' for every placed area, in the
    areas' order (funnel_position's words)."""
    return "; ".join(f"{point.area_name}: {point.position}" for point in points if point.placed)


def funnel(pub: Published, indicator_id: str, time_period: str, area_code: str) -> Claim:
    """Where each of the authority's areas lies on the funnel plot of one proportion: above
    or below the 99.8% or the 95% limits around the authority's published figure, or within
    them; made when the centre is published and at least one area can be placed, naming the
    areas that cannot (their count hidden, c) in `reason`."""
    meta = pub.meta(indicator_id)
    data = funnel_data(pub, indicator_id, time_period, area_code)
    polarity = str(meta.get("polarity", "")).strip()
    polarity = polarity if polarity in st.POLARITIES else st.NOT_APPLICABLE
    noun = plural(pub.area_level) if pub.area_level else "areas"
    centre_row = data.centre_row
    evidence: list[tuple[str, str]] = [
        ("centre_value", centre_row["value"] if centre_row else ""),
        (
            "centre",
            f"{centre_row['numerator']} of {centre_row['denominator']}" if centre_row else "",
        ),
    ]
    for point in data.points:
        row = point.row
        evidence.append(
            (point.area_name, f"{row['numerator']} of {row['denominator']}" if row else "")
        )

    def claim(made: bool, reason: str) -> Claim:
        return Claim(
            kind=FUNNEL,
            indicator_id=indicator_id,
            time_period=time_period,
            area_code=area_code,
            breakdown=pub.area_level,
            group="",
            benchmark="",
            made=made,
            verdict=_verdict(data.points) if made else "",
            evidence=tuple(evidence),
            reason=reason,
            subject=pub.names.get(area_code, area_code),
            benchmark_label=noun,
            title=meta.get("title", indicator_id),
            unit=str(meta.get("unit", "")).strip(),
            polarity=polarity,
        )

    unit = str(meta.get("denominator_unit", "")).strip()
    if unit not in independent_units():
        why = not_compared_why(unit)
        return claim(False, f"it counts {unit}, {why}, so funnel limits do not apply")
    why_centre = _why_not_placed(centre_row)[0]
    if why_centre:
        name = pub.names.get(area_code, area_code)
        return claim(False, f"{name} itself cannot be placed at the centre: {why_centre}")
    if not data.placed:
        return claim(False, f"none of its {noun} can be placed ({not_plotted(data.points)})")
    return claim(True, not_plotted(data.points))


def funnel_sentence(claim: Claim, period: str) -> str:
    """The funnel claim in words: which areas lie above or below which limits, the rest
    within the 95% limits, and which are not placed and why."""
    head = f"{claim.title}, {period}, on a funnel plot of the {claim.benchmark_label}"
    if not claim.made:
        return f"{head}: not drawn, because {claim.reason}."
    centre = claim.value("centre_value")
    head += f" around {claim.subject} ({centre}{'%' if claim.unit.startswith('%') else ''})"
    positions = dict(part.split(": ", 1) for part in claim.verdict.split("; ") if part)
    parts = []
    for position in OUTSIDE:
        names = [name for name, where in positions.items() if where == position]
        if names:
            verb = "lies" if len(names) == 1 else "lie"
            parts.append(f"{joined(names)} {verb} {position_words(position, claim.polarity)}")
    within = [name for name, where in positions.items() if where == fn.NOT_SIGNIFICANT]
    if not parts:
        one = claim.breakdown.lower() or "area"
        text = f"{head}: every {one} placed lies within the 95% limits, so its difference "
        text += f"from {claim.subject} could be chance."
    else:
        text = f"{head}: " + "; ".join(parts)
        if within:
            text += f"; {joined(within)} {'lies' if len(within) == 1 else 'lie'} within the "
            text += "95% limits"
        text += "."
    if claim.reason:  # the areas not plotted, and why
        text += f" {claim.reason}."
    return text


def joined(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
