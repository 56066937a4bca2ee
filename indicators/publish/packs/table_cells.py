"""The cells of a pack's tables: a value (with its reliability), its interval with a bar,
counts in their units, a claim in words, quotes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

from markupsafe import Markup

from indicators.disclosure import (
    LOW_RELIABILITY,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
)
from indicators.publish import claims as cl
from indicators.publish.packs import charts
from indicators.publish.packs.model import Cell, Quote
from indicators.publish.packs.wording import (
    SYMBOLS,
    count_text,
    count_units,
    sheet_format,
    unit_suffix,
    with_unit_suffix,
)

# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------


def number_or_none(value: float) -> float | None:
    """A finite published number, or None (a symbol, or missing)."""
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def nan_of(value: float) -> float:
    """A finite published number, or NaN (what the charts take for 'not published')."""
    number = number_or_none(value)
    return math.nan if number is None else number


def value_cell(row: Mapping, unit: str, reliability: bool = False) -> Cell:
    """The published value with its unit; `(u)` marks low reliability.

    With `reliability` the spreadsheet gets a second column holding `u` (or nothing).
    """
    text, number = row["value"], number_or_none(row["_value"])
    low = row["reliability"] == "low"
    flag = (LOW_RELIABILITY if low else "",) if reliability else ()
    if number is None:
        return Cell(
            text=text, values=(text, *flag) if reliability else (), css="symbol num", code=text
        )
    shown = with_unit_suffix(text, unit) + (" (u)" if low else "")
    return Cell(
        text=shown,
        values=(number, *flag),
        formats=(sheet_format(text, unit), ""),
        css="num low-reliability" if low else "num",
        code=LOW_RELIABILITY if low else "",
    )


def interval_cell(row: Mapping, unit: str, bar: Markup | None = None) -> Cell:
    """'62.0% to 69.8%' (two numbers in the spreadsheet), with an optional interval bar."""
    lower, upper = row["lower_ci_95"], row["upper_ci_95"]
    low, high = number_or_none(row["_lower_ci_95"]), number_or_none(row["_upper_ci_95"])
    if low is None or high is None or number_or_none(row["_value"]) is None:
        symbol = (
            row["value"]
            if row["value"] in SYMBOLS
            else lower
            if lower in SYMBOLS
            else upper
            if upper in SYMBOLS
            else NOT_AVAILABLE
        )
        return Cell(text=symbol, values=(symbol, symbol), css="symbol num", code=symbol)
    return Cell(
        text=f"{with_unit_suffix(lower, unit)} to {with_unit_suffix(upper, unit)}",
        values=(low, high),
        formats=(sheet_format(lower, unit), sheet_format(upper, unit)),
        css="num",
        graphic=bar,
    )


def bar_bounds(
    records: Sequence[Mapping], unit: str, benchmarks: Iterable[float] = ()
) -> tuple[float, float]:
    """0 to 100 for percentages, else a round range around every interval and benchmark."""
    if unit_suffix(unit):
        return 0.0, 100.0
    numbers = [
        n
        for r in records
        for n in (nan_of(r["_lower_ci_95"]), nan_of(r["_upper_ci_95"]), nan_of(r["_value"]))
        if math.isfinite(n)
    ]
    numbers += [n for n in benchmarks if math.isfinite(n)]
    low, high, _ = charts.nice_scale(min(numbers, default=math.nan), max(numbers, default=math.nan))
    return low, high


def bar_markup(
    record: Mapping,
    unit: str,
    bounds: tuple[float, float],
    label: str,
    *,
    borough: float = math.nan,
    england: float = math.nan,
    cohort: float = math.nan,
    share_label: str = "share of the cohort",
    la_word: str = "borough",
) -> Markup | None:
    value = nan_of(record["_value"])
    if not math.isfinite(value):
        return None
    suffix = unit_suffix(unit)
    words = [
        f"{label}: {record['value']}{suffix}, 95% interval {record['lower_ci_95']}"
        f"{suffix} to {record['upper_ci_95']}{suffix}"
    ]
    if math.isfinite(borough):
        words.append(f"{la_word} average {borough:g}{suffix}")
    if math.isfinite(england):
        words.append(f"England {england:g}{suffix}")
    if math.isfinite(cohort):
        words.append(f"{share_label} {cohort:g}{suffix}")
    return charts.interval_bar(
        value=value,
        lower=nan_of(record["_lower_ci_95"]),
        upper=nan_of(record["_upper_ci_95"]),
        bounds=bounds,
        label="; ".join(words),
        borough=borough,
        england=england,
        cohort=cohort,
    )


def bar_note(
    bounds: tuple[float, float],
    unit: str,
    borough: bool,
    england: bool,
    cohort: bool = False,
    la_word: str = "borough",
    intervals: bool = True,
    no_interval: str = "c",
) -> str:
    """The caption under a table's bars; `intervals` False when no row shows its 95%
    interval: then the bars are the values alone and the caption says so, and why by the
    symbol the rows carry (`no_interval`): c, hidden; x, a figure with none (a census);
    cx, some of each."""
    suffix = unit_suffix(unit)
    marks = ["● the value"]
    if borough:
        marks.append(f"◆ the {la_word} average")
    if england:
        marks.append("□ England")
    if cohort:
        marks.append("▲ the share of children in the cohort")
    scale = f"on a scale from {bounds[0]:g}{suffix} to {bounds[1]:g}{suffix}"
    if not intervals:
        why = {
            "x": "which a count of everyone (a census) does not have (x)",
            "cx": "which a count of everyone (a census) does not have (x), or which is not "
            "shown (c)",
        }.get(no_interval, "which is not shown (c)")
        return f"Each value is marked {scale}, without its 95% interval, {why}: {', '.join(marks)}."
    return f"Bars show each 95% interval {scale}: {', '.join(marks)}."


def score_cell(row: Mapping | None) -> Cell:
    """An average score with its interval in one cell: '3.9 (3.6 to 4.1)'."""
    if row is None:
        return Cell(
            text=NOT_APPLICABLE, values=(NOT_APPLICABLE,) * 3, css="symbol", code=NOT_APPLICABLE
        )
    value = number_or_none(row["_value"])
    if value is None:
        return Cell(text=row["value"], values=(row["value"],) * 3, css="symbol", code=row["value"])
    low, high = number_or_none(row["_lower_ci_95"]), number_or_none(row["_upper_ci_95"])
    text = row["value"] + (
        f" ({row['lower_ci_95']} to {row['upper_ci_95']})"
        if low is not None and high is not None
        else ""
    )
    if row["reliability"] == "low":
        text += " (u)"
    values = (
        value,
        low if low is not None else row["lower_ci_95"],
        high if high is not None else row["upper_ci_95"],
    )
    formats = tuple(
        sheet_format(t, "") for t in (row["value"], row["lower_ci_95"], row["upper_ci_95"])
    )
    return Cell(text=text, values=values, formats=formats, css="num")


def _count_value(text: str, number: float) -> tuple[float | str, str]:
    value = number_or_none(number)
    return (value, "#,##0") if value is not None else (text, "")


def count_cell(row: Mapping, meta: Mapping[str, str]) -> Cell:
    """The counts behind a value, named by the register's units: '157 of 234' when both
    count the same thing, '61 families, 495 children' when they differ, and for an average
    the number it is over."""
    numerator_unit, denominator_unit = count_units(meta)
    den, den_format = _count_value(row["denominator"], row["_denominator"])
    if meta.get("value_type") in ("mean", "median"):  # over its count alone
        return Cell(
            text=count_text(row["denominator"]), values=(den,), formats=(den_format,), css="num"
        )
    num, num_format = _count_value(row["numerator"], row["_numerator"])
    text = (
        f"{count_text(row['numerator'])} of {count_text(row['denominator'])}"
        if numerator_unit == denominator_unit
        else f"{count_text(row['numerator'])} {numerator_unit}, {count_text(row['denominator'])} "
        f"{denominator_unit}"
    )
    return Cell(text=text, values=(num, den), formats=(num_format, den_format), css="num")


def claim_cell(claim: cl.Claim) -> Cell:
    """A claim in a column named after its benchmark: 'similar', 'lower (worse)', 'c'.

    `code` is the published code the claim rests on (e.g. the published compared_with_la).
    """
    code = (
        claim.value("published") or claim.verdict or NOT_AVAILABLE
        if claim.kind == cl.COMPARISON
        else claim.verdict or NOT_AVAILABLE
    )
    css = "cmp cmp-" + re.sub(r"[^a-z]+", "-", code.lower()).strip("-")
    return Cell(text=cl.short(claim), css=css, code=code, claim=claim.claim_id)


def quotes_cell(quotes: Sequence[Quote]) -> Cell:
    text = "\n".join(f"“{q.text}” ({q.source})" for q in quotes)
    return Cell(text=text or "none", quotes=tuple(quotes), css="quotes")
