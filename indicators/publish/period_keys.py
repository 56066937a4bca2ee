"""Periods as packs and claims key, order and name them.

The published indicator table names a period by (time_period, time_identifier). Packs and
claims key every row by one text, `time_period`: `keyed` rewrites it, for a row whose time
identifier belongs to a period type named by more than its year (periods.yml: a
`period_label` other than "{year}": months, quarters, financial and calendar years), as
`<time_period>-<code>` ("2024-M04", "202425-FYQ1", "202425-FY"); a period of a type named
by its year alone (the academic year) keeps its time period ("202324"), so a publication of
academic years is keyed, ordered and named as it was. `key_text` names a key in the period
type's words ("April 2024", "Financial year Q1 2024/25", "Financial year 2024/25"; an
academic year "2024/25"), `key_order` places it in time (its first month) and
`key_ordinal` among the periods of its type (consecutive months differ by one); `latest`
and `sort_periods` choose and order by them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import pandas as pd

from indicators.declarations import PeriodType, identifier_places

SEPARATOR = "-"


@cache
def _divided() -> dict[str, tuple[PeriodType, int]]:
    """Each time identifier (label and code) of a period type named by more than its year
    (one that divides the year, or a financial or calendar year) -> that type and the
    identifier's place in the year."""
    return {
        identifier: (kind, place)
        for identifier, (kind, place) in identifier_places().items()
        if kind.parts > 1 or "{identifier}" in kind.period_label
    }


def period_key(time_period: object, time_identifier: object = None) -> str:
    """The key of one published period: '2024-M04' for April 2024, '202324' for 2023/24."""
    period = str(time_period).strip().removesuffix(".0")
    found = _divided().get(str(time_identifier or "").strip())
    if found is None:
        return period
    kind, place = found
    return f"{period}{SEPARATOR}{kind.time_identifiers[place].code}"


def split_key(key: object) -> tuple[str, PeriodType | None, int]:
    """(time_period, its divided period type or None, the identifier's place) of a key."""
    period, _, code = str(key).partition(SEPARATOR)
    found = _divided().get(code) if code else None
    if found is None:
        return str(key), None, 0
    return period, found[0], found[1]


def bare_year_type() -> PeriodType | None:
    """The period type whose keys are their year alone (the academic year), or None."""
    kinds = [kind for kind, _ in identifier_places().values() if kind.parts == 1]
    return next((k for k in kinds if "{identifier}" not in k.period_label), None)


def time_identifier(key: object) -> str:
    """A key's time identifier label ('April'), or '' for an academic year's key."""
    _, kind, place = split_key(key)
    return kind.time_identifiers[place].label if kind else ""


def time_period(key: object) -> str:
    """A key's published time period ('2024' for '2024-M04')."""
    return split_key(key)[0]


def key_text(key: object) -> str:
    """'April 2024', 'Financial year Q1 2024/25'; a key without its type as before: '202425' ->
    '2024/25' (EES six-digit years), anything else unchanged."""
    period, kind, place = split_key(key)
    if kind is not None:
        return kind.text(period, kind.time_identifiers[place].code)
    return f"{period[:4]}/{period[4:]}" if re.fullmatch(r"\d{6}", period) else period


def key_order(key: object) -> int:
    """A key's place in time, in months: its first month (an academic year's key: January
    of the year it starts in), so keys of one type sort as their periods follow each
    other."""
    period, kind, place = split_key(key)
    year = int(period[:4]) if re.match(r"\d{4}", period) else 0
    if kind is None:
        return year * 12
    start = (kind.starts or 1) - 1
    return year * 12 + start + place * 12 // kind.parts


def key_ordinal(key: object, kind: PeriodType) -> int:
    """A key's place among the periods of `kind` (consecutive periods differ by one)."""
    period, divided, place = split_key(key)
    if divided is None:  # a bare time period of a divided year starts at its first part
        return kind.ordinal(period, kind.time_identifiers[0].code)
    return kind.ordinal(period, divided.time_identifiers[place].code)


def at_or_before(key: object, other: object) -> bool:
    """Whether the period `key` is `other` or comes before it (academic years as text)."""
    if split_key(key)[1] is None and split_key(other)[1] is None:
        return str(key) <= str(other)
    return key_order(key) <= key_order(other)


def divided(keys: Iterable[object]) -> bool:
    """Whether any key carries its period type (a month, a quarter, a financial year)."""
    return any(split_key(key)[1] is not None for key in keys)


def parts_of_years(keys: Iterable[object]) -> bool:
    """Whether any key names a part of a year (a month, a quarter)."""
    kinds = {split_key(key)[1] for key in keys} - {None}
    return any(kind.parts > 1 for kind in kinds)


def latest(keys: pd.Series) -> str:
    """The latest key (by its place in time; academic years as text, as before)."""
    if not divided(keys):
        return keys.max()
    return max(keys, key=key_order)


def ordered(keys: Iterable[object]) -> list:
    """Keys in time order (academic years as text, as before)."""
    keys = list(keys)
    return sorted(keys, key=key_order) if divided(keys) else sorted(keys)


def sort_periods(frame: pd.DataFrame, **options: object) -> pd.DataFrame:
    """`frame` sorted by its time_period key, in time order (academic years as before)."""
    if not divided(frame["time_period"]):
        return frame.sort_values("time_period", **options)
    return frame.sort_values(
        "time_period", key=lambda keys: keys.map(key_order), kind="stable", **options
    )


def keyed(values: pd.DataFrame) -> pd.DataFrame:
    """The published indicator table with `time_period` as packs and claims key it (one
    text per period) and no `time_identifier`; unchanged without that column."""
    if "time_identifier" not in values:
        return values
    frame = values.copy()
    frame["time_period"] = [
        period_key(period, identifier)
        for period, identifier in zip(frame["time_period"], frame["time_identifier"], strict=True)
    ]
    return frame.drop(columns="time_identifier")


def key_of_ordinal(ordinal: int, kind: PeriodType) -> str:
    """The key of the period of `kind` at `ordinal` (key_ordinal's inverse)."""
    year, place = divmod(int(ordinal), kind.parts)
    period = f"{year}{(year + 1) % 100:02d}" if kind.time_period == "two_years" else str(year)
    if kind.parts == 1 and "{identifier}" not in kind.period_label:
        return period
    return f"{period}{SEPARATOR}{kind.time_identifiers[place].code}"


def ordinals(keys: Iterable[object]) -> list[int] | None:
    """Each key's ordinal among the periods of its own type, for keys that carry their type
    (a missing period is a gap: stats.xmr's `periods`); None for academic years."""
    keys = list(keys)
    if not divided(keys):
        return None
    found = [split_key(key)[1] for key in keys]
    first = next(kind for kind in found if kind is not None)  # a bare year: its first part
    return [key_ordinal(key, kind or first) for key, kind in zip(keys, found, strict=True)]


def span(keys: Iterable[object]) -> list:
    """Every period from the first key to the last, in order, for keys of months or
    quarters of one type (a chart's x-axis: a missing month is a slot of its own, a gap);
    other keys in order, as they are."""
    keys = ordered(keys)
    kinds = {split_key(key)[1] for key in keys}
    if len(kinds) != 1 or None in kinds:
        return keys
    kind = kinds.pop()
    first, last = key_ordinal(keys[0], kind), key_ordinal(keys[-1], kind)
    return [key_of_ordinal(ordinal, kind) for ordinal in range(first, last + 1)]


def periods_word(key: object) -> str:
    """What several periods of a key's type are called in a sentence: 'years' for an
    academic year; 'financial years' (the type's label, plural); 'months', 'quarters of
    the financial year' (its first word plural) for a part of a year."""
    _, kind, _ = split_key(key)
    if kind is None:
        return "years"
    if kind.parts == 1:
        return f"{kind.label}s"  # financial years
    first, _, rest = kind.label.partition(" ")
    return f"{first}s {rest}".strip()


def period_word(key: object) -> str:
    """One period of a key's type: 'year', 'month', 'quarter of the financial year'."""
    _, kind, _ = split_key(key)
    return "year" if kind is None else kind.label


def evidence_name(key: object) -> str:
    """A period as claims' evidence names it: the key for an academic year (as before), its
    words for a month or quarter ('April 2024')."""
    return str(key) if split_key(key)[1] is None else key_text(key)


def words_for(keys: Iterable[object]) -> tuple[str, str]:
    """(one, several) periods of a set of keys all of one divided type ('month', 'months');
    ('year', 'years') otherwise."""
    kinds = {split_key(key)[1] for key in keys}
    if len(kinds) != 1 or None in kinds:
        return "year", "years"
    kind = kinds.pop()
    key = key_of_ordinal(0, kind)
    return period_word(key), periods_word(key)
