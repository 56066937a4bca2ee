"""What a cell holds, worked out once per distinct value: trimmed and upper-cased codes,
values failing a test, postcodes, dates, patterns found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

# A full UK postcode: outward code, space, inward code (digit and two letters).
POSTCODE_PATTERN = r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}"


# Speed: a year's returns are hundreds of files of a few thousand rows, and most columns hold
# a handful of codes. The helpers below work on each column's distinct values with plain
# Python, which costs far less than a pandas string operation per file per column; each
# gives exactly what the pandas expression beside it gives (tests/test_fast_paths.py).

_WHITESPACE = re.compile(r"\s")
"""Python's whitespace (str.isspace, what str.strip removes)."""


def distinct_text(values: pd.Series) -> tuple[list[str], set[str]] | None:
    """The values as a list and as a set, when every value is text (none missing)."""
    items = values.to_numpy(dtype=object).tolist()
    try:
        distinct = set(items)
        "".join(distinct)  # str.join takes only text: a quick check that none is missing
    except TypeError:
        return None
    return items, distinct


def per_distinct(values: pd.Series, transform: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`transform`, an element-wise operation, run once per distinct value and spread back.

    The same result as `transform(values)` (index, name and dtype included), at the cost of
    the distinct values: a column of codes has a handful, whatever its length.
    """
    text = (
        distinct_text(values)
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype)
        else None
    )
    if text is None:
        codes, uniques = pd.factorize(values.array, use_na_sentinel=False)
    else:
        items, distinct = text
        if len(distinct) == len(items):
            return transform(values)
        uniques = list(dict.fromkeys(items))
        position = {value: number for number, value in enumerate(uniques)}
        codes = np.fromiter(map(position.__getitem__, items), dtype=np.intp, count=len(items))
    if len(uniques) == len(values):
        return transform(values)
    done = transform(pd.Series(uniques, dtype=values.dtype, name=values.name))
    return pd.Series(done.array.take(codes), index=values.index, name=done.name, dtype=done.dtype)


def strip_upper(values: pd.Series) -> pd.Series:
    """`values.str.strip().str.upper()`."""
    changed = strip_upper_changes(values)
    return values.copy() if changed is None else changed


def strip_upper_changes(values: pd.Series) -> pd.Series | None:
    """`strip_upper(values)`, or None when it would change nothing."""
    items = values.to_numpy(dtype=object).tolist()
    try:
        joined = ",".join(items)  # only if every value is text
    except TypeError:
        return values.str.strip().str.upper()
    if joined.upper() == joined and _WHITESPACE.search(joined) is None:
        return None  # upper-casing changes no character, and there is none to trim
    changed = {value: clean for value in set(items) if (clean := value.strip().upper()) != value}
    if not changed:
        return None
    return pd.Series(
        [changed.get(value, value) for value in items],
        index=values.index,
        name=values.name,
        dtype=values.dtype,
    )


def failing_values(
    values: pd.Series, failing: Callable[[str], bool], otherwise: Callable[[pd.Series], pd.Series]
) -> pd.Series:
    """True where `failing(value)`, decided once per distinct value: the same as the pandas
    expression `otherwise(values)`, which is used when a value is missing or not text."""
    text = distinct_text(values)
    if text is None:
        return otherwise(values)
    items, distinct = text
    return failing_where(values, items, {value for value in distinct if failing(value)})


def failing_where(values: pd.Series, items: list[str], bad: set[str]) -> pd.Series:
    """True for the values in `bad`, as a Series like `values`."""
    if not bad:
        flags = np.zeros(len(items), dtype=bool)
    else:
        flags = np.fromiter((value in bad for value in items), dtype=bool, count=len(items))
    return pd.Series(flags, index=values.index, name=values.name)


def fullmatches(values: pd.Series, pattern: str) -> pd.Series:
    """`values.str.fullmatch(pattern)`."""
    text = distinct_text(values)
    if text is None:
        return values.str.fullmatch(pattern)
    items, distinct = text
    compiled = re.compile(pattern)
    return failing_where(
        values, items, {value for value in distinct if compiled.fullmatch(value) is not None}
    )


_POSTCODE = re.compile(POSTCODE_PATTERN)
_POSTCODE_SHAPES = {
    **dict.fromkeys(range(ord("A"), ord("Z") + 1), "A"),
    **dict.fromkeys(range(ord("0"), ord("9") + 1), "9"),
}
"""A capital letter -> A, a digit -> 9: POSTCODE_PATTERN's classes ([A-Z], [0-9], [A-Z0-9]
and the space) cannot tell a character from its stand-in, and every other character is
left as it is, so a postcode matches exactly when its shape does."""


def postcodes_formed(postcodes: Sequence[object]) -> list[bool] | None:
    """`re.fullmatch(POSTCODE_PATTERN, postcode)` for each postcode, tested once per shape
    ("XA2 1RB" -> "AA9 9AA"; a year's half a million postcodes have a handful of shapes).
    None when a postcode is not text (or holds a NUL), and the caller should test them."""
    try:
        joined = "\x00".join(postcodes)
    except TypeError:
        return None
    shapes = joined.translate(_POSTCODE_SHAPES).split("\x00")
    if len(shapes) != len(postcodes):
        return None
    formed = {shape: _POSTCODE.fullmatch(shape) is not None for shape in set(shapes)}
    return [formed[shape] for shape in shapes]


def postcodes_well_formed(values: pd.Series) -> pd.Series:
    """`values.str.fullmatch(POSTCODE_PATTERN)`, tested once per shape where it can be."""
    formed = postcodes_formed(values.to_numpy(dtype=object).tolist())
    if formed is None:
        return fullmatches(values, POSTCODE_PATTERN)
    return pd.Series(np.array(formed, dtype=bool), index=values.index, name=values.name)


def not_fullmatch(pattern: str) -> Callable[[pd.Series], pd.Series]:
    """`~values.str.fullmatch(pattern)`."""
    return lambda values: ~fullmatches(values, pattern)


def not_in(codes: dict[str, str]) -> Callable[[pd.Series], pd.Series]:
    """`~values.isin(codes)`."""
    allowed = set(codes)

    def failing(values: pd.Series) -> pd.Series:
        text = distinct_text(values)
        if text is None:
            return ~values.isin(allowed)
        items, distinct = text
        return failing_where(values, items, distinct - allowed)

    return failing


def describe_codes(codes: dict[str, str]) -> str:
    return ", ".join(f"{code} ({meaning})" for code, meaning in codes.items())


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO (2019-03-14) or UK (14/03/2019) dates; anything else becomes NaT."""
    return per_distinct(values, _parse_dates)


def _parse_dates(values: pd.Series) -> pd.Series:
    uk = values.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}")
    iso_text = values.where(
        ~uk, values.str.replace(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", r"\3-\2-\1", regex=True)
    )
    iso_text = iso_text.where(iso_text.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}"), "")
    return pd.to_datetime(iso_text, format="%Y-%m-%d", errors="coerce")


class Once:
    """`operation(values)`, worked out again only when the values change: two rules on one
    column share it."""

    def __init__(self, operation: Callable[[pd.Series], pd.Series]) -> None:
        self.operation = operation
        self.values: pd.Series | None = None
        self.result = pd.Series(dtype=object)

    def __call__(self, values: pd.Series) -> pd.Series:
        if not (
            self.values is not None
            and values.index.equals(self.values.index)
            and values.name == self.values.name
            and values.dtype == self.values.dtype
            and values.to_numpy(dtype=object).tolist()
            == self.values.to_numpy(dtype=object).tolist()
        ):
            self.values, self.result = values, self.operation(values)
        return self.result


def containing(pattern: re.Pattern[str]) -> Callable[[pd.Series], pd.Series]:
    """True for the values in which `pattern` is found (looked for once in all of them
    first: nearly always it is in none)."""

    def failing(values: pd.Series) -> pd.Series:
        text = distinct_text(values)
        if text is None:
            return values.astype(str).str.contains(pattern.pattern, regex=True)
        items, distinct = text
        if pattern.search("\t".join(distinct)) is None:
            return failing_where(values, items, set())
        return failing_where(
            values, items, {value for value in distinct if pattern.search(value) is not None}
        )

    return failing


def normalise_codes(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Trim and upper-case code columns, so ' m ' and 'M' mean the same."""
    out = frame.copy(deep=False)  # pandas copies on write: out is independent of frame
    for column in columns:
        changed = strip_upper_changes(out[column])
        if changed is not None:
            out[column] = changed
    return out
