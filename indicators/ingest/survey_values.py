"""A voice survey load's values, each worked out once: normalised codes, dates, answers and
scores per distinct value, the item bank per item, scrubbed text per distinct text.

Speed: a year's survey is a hundred or more files of a few hundred responses, and nearly
every column holds a handful of codes, so each normalisation runs once per distinct value
over the whole load (`SurveyLoad`), not once per file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.ingest.cells import POSTCODE_PATTERN, distinct_text, parse_dates, per_distinct
from indicators.ingest.lookups import Reference
from indicators.ingest.privacy import postcode_sector
from indicators.ingest.spec_rules import normalised_codes
from indicators.ingest.survey_columns import shape
from indicators.ingest.upn import upn_problems
from indicators.sources.spec import Column
from indicators.voice.items import (
    normalise_answers,
    parse_positive,
    scores,
    valid_answers,
    version_starts,
)
from indicators.voice.quotes import ScrubResult, scrub


def _strip_time(values: pd.Series) -> pd.Series:
    """'2023-10-05 14:32:00' or '05/10/2023 14:32' -> the date part."""
    return values.str.replace(
        r"^\s*(\S+?)(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?\s*$",
        r"\1",
        regex=True,
    )


def parse_response_dates(values: pd.Series) -> pd.Series:
    """ISO or dd/mm/yyyy dates, with or without a time of day; anything else is NaT."""
    return per_distinct(
        values, lambda distinct: parse_dates(_strip_time(distinct.fillna("").astype(str)))
    )


def _normalise_sectors(values: pd.Series) -> pd.Series:
    """Upper case, one space; a full postcode is reduced to its sector at once."""
    text = (
        values.fillna("").astype(str).str.upper().str.strip().str.replace(r"\s+", " ", regex=True)
    )
    full = text.str.fullmatch(POSTCODE_PATTERN)
    return text.where(~full, postcode_sector(text.where(full, "XX0 0XX")).astype(str))


def strip_values(values: pd.Series) -> pd.Series:
    """`values.astype(str).str.strip()`."""
    text = distinct_text(values)
    if text is None:
        return values.astype(str).str.strip()
    return pd.Series(
        [value.strip() for value in text[0]], index=values.index, name=values.name, dtype=str
    )


def normalise_upns(values: pd.Series) -> pd.Series:
    text = distinct_text(values)
    if text is None:
        return values.fillna("").astype(str).str.replace(r"\s+", "", regex=True).str.upper()
    items, distinct = text  # as the line above: str.split() splits where \s matches
    upns = {value: "".join(value.split()).upper() for value in distinct}
    return pd.Series(
        [upns[value] for value in items], index=values.index, name=values.name, dtype=str
    )


def _valid_upn(values: pd.Series) -> pd.Series:
    """True for a UPN python-stdnum accepts (one matching UPN_PATTERN, as stdnum would quietly
    drop spaces)."""
    return pd.Series(
        [problem == "" for problem in upn_problems(values.tolist())], index=values.index, dtype=bool
    )


def item_columns_of(frame: pd.DataFrame, item_ids: Iterable[str]) -> list[str]:
    known = set(item_ids)
    return [column for column in frame.columns if column in known]


def comment_columns_of(frame: pd.DataFrame, item_ids: Iterable[str]) -> list[str]:
    known = set(item_ids)
    suffix = shape().comment_suffix
    return [
        column
        for column in frame.columns
        if column.endswith(suffix) and column[: -len(suffix)] in known
    ]


# Speed: a year's survey is a hundred or more files of a few hundred responses, and nearly
# every column holds a handful of codes. Rather than run each normalisation and rule as
# pandas string operations on every file (most of the time went there), `SurveyLoad` works out
# each one once per distinct value over the whole load, and the item bank once.


class _PerValue:
    """An element-wise operation on a text column, remembered value by value for one load.

    `self(values)` gives exactly `operation(values)` (values and dtype; the index and name
    are the input's), running `operation` only on the values this load has not seen yet.
    The operation must be element-wise and give the same dtype whatever the values.
    """

    def __init__(self, operation: Callable[[pd.Series], pd.Series]) -> None:
        self.operation = operation
        self.seen: dict[object, dict[str, object]] = {}
        self.dtypes: dict[object, object] = {}

    def __call__(self, values: pd.Series) -> pd.Series:
        text = distinct_text(values)
        if text is None or values.empty:
            return self.operation(values)
        items, distinct = text
        return pd.Series(
            self.results(items, values.dtype, distinct),
            index=values.index,
            name=values.name,
            dtype=self.dtypes[values.dtype],
        )

    def results(
        self, items: list[str], dtype: object, distinct: set[str] | None = None
    ) -> list[object]:
        """The operation's result for each of `items` (text, from a column of `dtype`)."""
        seen = self.seen.setdefault(dtype, {})
        new = [
            value for value in (set(items) if distinct is None else distinct) if value not in seen
        ]
        if new:
            done = self.operation(pd.Series(new, dtype=dtype))
            seen.update(zip(new, done.tolist(), strict=True))
            self.dtypes[dtype] = done.dtype
        return [seen[value] for value in items]


@dataclass
class _Item:
    """What validation and the door need to know about one item of the bank."""

    scale: str
    allowed: frozenset[str]
    starts: list[tuple[int, pd.Timestamp]]
    """(version, in use from), as `version_starts`."""
    positive: dict[object, set[str]]
    """version -> the answers that count as positive (from every row of the item)."""
    when: str
    """When it was first in use, as the item_not_in_use message says it."""


class SurveyLoad:
    """What every file of one load shares: the item bank worked out once, normalisations and
    rules remembered per value, scrubbed quotes per distinct text."""

    def __init__(
        self, items: pd.DataFrame, reference: Reference, neighbourhood_codes: frozenset[str]
    ) -> None:
        self.items = items
        self.item_ids: list[str] = items["item_id"].unique().tolist()
        self._items: dict[str, _Item] = {}
        self._codes: dict[str, _PerValue] = {}
        self.sectors = _PerValue(_normalise_sectors)
        self.hoods = _PerValue(lambda values: values.astype(str).str.strip().str.upper())
        self.valid_upn = _PerValue(_valid_upn)
        self.answers: dict[str, _PerValue] = {}
        self.scores: dict[str, _PerValue] = {}
        self.sectors_known = reference.sectors
        self.neighbourhood_codes = neighbourhood_codes
        self.dates: dict[str, np.datetime64] = {}
        self.scrubbed: dict[str, ScrubResult] = {}

    def codes(self, column: Column) -> _PerValue:
        """A coded column as its spec's code list reads it (synonyms, blanks, snake_case),
        each distinct value once a load."""
        if column.name not in self._codes:
            self._codes[column.name] = _PerValue(lambda values: normalised_codes(values, column))
        return self._codes[column.name]

    def item(self, item_id: str) -> _Item:
        if item_id not in self._items:
            rows = self.items[self.items["item_id"] == item_id]
            scale = rows["response_scale"].iloc[0]
            positive: dict[object, set[str]] = {}
            for version, row_scale, answers in zip(
                rows["version"], rows["response_scale"], rows["positive_responses"], strict=True
            ):
                positive.setdefault(version, set()).update(parse_positive(row_scale, answers))
            first_use = rows.loc[rows["status"] != "draft", "co_designed_on"].min()
            when = (
                f"first version in use from {first_use}"
                if isinstance(first_use, str)
                else ("no version is in use yet: it is a draft")
            )
            self._items[item_id] = _Item(
                scale, valid_answers(scale), version_starts(self.items, item_id), positive, when
            )
        return self._items[item_id]

    def _answers(self, item_id: str) -> _PerValue:
        scale = self.item(item_id).scale
        if scale not in self.answers:
            self.answers[scale] = _PerValue(lambda answers: normalise_answers(scale, answers))
        return self.answers[scale]

    def normalised_answers(self, item_id: str, values: pd.Series) -> pd.Series:
        return self._answers(item_id)(values)

    def item_scores(self, item_id: str, answers: list[str], dtype: object) -> np.ndarray:
        """`scores` of answers to the item (text, from a column of `dtype`)."""
        scale = self.item(item_id).scale
        if scale not in self.scores:
            self.scores[scale] = _PerValue(lambda answers: scores(scale, answers))
        return np.array(self.scores[scale].results(answers, dtype), dtype="float64")

    def parsed_dates(self, values: pd.Series) -> pd.Series:
        """The dates of `parse_response_dates(values)`, each distinct value parsed once a load.

        Always in microseconds (parse_response_dates gives seconds when no value is a date):
        these dates are only compared, tested for being missing and shown as months.
        """
        text = distinct_text(values)
        if text is None:
            return parse_response_dates(values)
        items, distinct = text
        new = [value for value in distinct if value not in self.dates]
        if new:
            parsed = parse_response_dates(pd.Series(new, dtype=values.dtype))
            self.dates.update(zip(new, parsed.to_numpy().astype("datetime64[us]"), strict=True))
        return pd.Series(
            np.array([self.dates[value] for value in items], dtype="datetime64[us]"),
            index=values.index,
        )

    def scrub(self, text: str, allow: tuple[str, ...]) -> ScrubResult:
        """`scrub(text, allow=allow)`, once per distinct text."""
        if text not in self.scrubbed:
            self.scrubbed[text] = scrub(text, allow=allow)
        return self.scrubbed[text]
