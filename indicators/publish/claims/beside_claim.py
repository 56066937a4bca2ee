"""The `beside` claim: two published figures a framework sets side by side (`beside:`), in
its own words, made only when both are published numbers (the rules are in
indicators/publish/claims/__init__.py).
"""

from __future__ import annotations

from indicators.publish.claims.claim import BESIDE, SHOWN, SYMBOL_WORDS, Claim, is_number
from indicators.publish.claims.table import Published


def _unit(meta: dict[str, str]) -> str:
    return str(meta.get("unit", "")).strip()


def _figure_row(
    pub: Published, figure: tuple[str, str, str], time_period: str, area_code: str
) -> dict[str, str] | None:
    """The published row of (indicator, breakdown, group); a blank group: the breakdown's
    only row (a total, whatever its group is called)."""
    indicator_id, breakdown, group = figure
    if group:
        return pub.row(indicator_id, time_period, area_code, breakdown, group)
    rows = pub.groups.get((indicator_id, time_period, area_code, breakdown), [])
    return rows[0] if len(rows) == 1 else None


def beside(
    pub: Published,
    time_period: str,
    area_code: str,
    first: tuple[str, str, str],
    second: tuple[str, str, str],
    labels: tuple[str, str],
    words: tuple[str, str],
) -> Claim:
    """Two published figures set side by side (a framework's `beside:`): a statutory figure
    and what people say about the same people. Made when both are published numbers for the
    area and period; otherwise not made, naming the figure that is not shown and why.

    `first`, `second`: (indicator, breakdown, group; blank group: the breakdown's only row);
    `labels`: each figure in words; `words`: the sentences made and not made."""
    rows = [_figure_row(pub, figure, time_period, area_code) for figure in (first, second)]
    evidence: list[tuple[str, str]] = []
    for part, row, figure in zip(("first", "second"), rows, (first, second), strict=True):
        if part == "second":
            evidence += [("second_breakdown", figure[1]), ("second_group", figure[2])]
        for column in ("value", "numerator", "denominator"):
            evidence.append((f"{part}_{column}", row[column] if row is not None else ""))
        if part == "second":
            evidence.append(("second_unit", _unit(pub.meta(figure[0]))))
    reason = ""
    for label, row in zip(labels, rows, strict=True):
        if row is None:
            reason = f"{label} is not published for {pub.names.get(area_code, area_code)}"
        elif not is_number(row["value"]):
            reason = f"{label} is {SYMBOL_WORDS.get(row['value'], row['value'])}"
        if reason:
            break
    return Claim(
        kind=BESIDE,
        indicator_id=first[0],
        time_period=time_period,
        area_code=area_code,
        breakdown=first[1],
        group=rows[0]["group"] if rows[0] is not None else first[2],
        benchmark=second[0],
        made=not reason,
        verdict="" if reason else SHOWN,
        evidence=tuple(evidence),
        reason=reason,
        subject=pub.names.get(area_code, area_code),
        benchmark_label=labels[1],
        title=labels[0],
        unit=_unit(pub.meta(first[0])),
        words=words,
    )
