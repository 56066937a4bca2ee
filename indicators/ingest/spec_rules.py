"""Row rules from a source spec: each column's cell rules, format, code list, date window
and range, one rule, one message, one column (indicators/ingest/defects.py).

The spec declares the rules; the procedural ones are named there (`format: upn`, `format:
date`) and implemented here once, for any source.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from indicators.declarations import period_type
from indicators.ingest.cells import (
    POSTCODE_PATTERN,
    Once,
    failing_values,
    not_fullmatch,
    not_in,
    parse_dates,
    postcodes_well_formed,
)
from indicators.ingest.defects import RowRule, cell_rules
from indicators.ingest.nhs_number import compact, nhs_number_rules
from indicators.ingest.privacy import sector_of
from indicators.ingest.upn import upn_rules
from indicators.sources.spec import Column, Format, SourceSpec

Flags = Callable[[pd.Series], pd.Series]


def period_start(period_label: str, period: str = "academic_year") -> dt.date:
    """The first day of a YYYY/YY year of the spec's period type, from the month its year
    `starts` (dbt_project/metadata/periods.yml): an academic year's ('2023/24' -> 1
    September 2023), a financial year's (-> 1 April 2023)."""
    return dt.date(int(period_label[:4]), period_type(period).starts or 9, 1)


def spec_rules(spec: SourceSpec, period_label: str, start: dt.date | None = None) -> list[RowRule]:
    """Every row rule of a spec for one period: control characters, line breaks and length
    in every cell read first (dropped columns too, where line breaks are allowed), then each
    column's own rules in the spec's order. Date windows count from `start` (a month's or
    quarter's first day, indicators/periods.py), else from the start of the year the label
    names."""
    free = spec.free_text_columns  # line breaks allowed, and up to free_text.longest
    rules = [
        *cell_rules(name for name in spec.read_columns if name not in free),
        *cell_rules(spec.dropped, line_breaks=False),
        *cell_rules(free, line_breaks=False, longest=spec.longest_free_text),
    ]
    start = start or period_start(period_label, spec.period)
    for column in spec.columns:
        if column.invalid == "drop":
            continue  # an invalid value is dropped and counted, never a defect
        rules.extend(column_rules(column, period_label, start))
    return rules


def blanks_pass(column: Column, rules: list[RowRule]) -> list[RowRule]:
    """An optional column's rules with its blanks passing each (a column no longer
    collected, or left out of a file, is blank: not a bad format, code or range)."""
    if column.required:
        return rules
    return [replace(rule, failing=_unless_blank(rule.failing)) for rule in rules]


def _unless_blank(failing: Flags) -> Flags:
    def flags(values: pd.Series) -> pd.Series:
        return failing(values) & (values.fillna("").astype(str).str.strip() != "")

    return flags


def column_rules(column: Column, period_label: str, start: dt.date) -> list[RowRule]:
    rules: list[RowRule] = []
    dates_of = Once(parse_dates)
    if column.format is not None:
        rules.extend(_format_rules(column.name, column.format, dates_of))
    if column.window is not None:
        first, last = column.window.bounds(start)

        def outside(values: pd.Series) -> pd.Series:
            dates = dates_of(values)
            return dates.notna() & ((dates < pd.Timestamp(first)) | (dates > pd.Timestamp(last)))

        rules.append(
            RowRule(
                column.window.rule, column.name, column.window.text(period_label, start), outside
            )
        )
    if column.codes is not None:
        rules.append(
            RowRule(column.codes.rule, column.name, column.codes.text(), codes_failing(column))
        )
    if column.range is not None:
        rules.append(
            RowRule(
                column.range.rule,
                column.name,
                column.range.message,
                outside_range(column.range.least, column.range.most),
            )
        )
    return blanks_pass(column, rules)


def _format_rules(name: str, form: Format, dates_of: Once) -> list[RowRule]:
    if form.named == "upn":
        return upn_rules(name)
    if form.named == "date":
        return [RowRule(form.rule, name, form.message, lambda values: dates_of(values).isna())]
    if form.named == "nhs_number":
        return nhs_number_rules(name, form.rule, form.message)
    if form.named == "postcode_sector":
        return [RowRule(form.rule, name, form.message, not_fullmatch(SECTOR_PATTERN))]
    if form.named == "uk_postcode":
        return [
            RowRule(form.rule, name, form.message, lambda values: ~postcodes_well_formed(values))
        ]
    if form.named == "not_blank":
        return [
            RowRule(
                form.rule,
                name,
                form.message,
                lambda values: failing_values(
                    values,
                    lambda value: value.strip() == "",
                    lambda values: values.str.strip() == "",
                ),
            )
        ]
    if form.pattern is not None:
        return [RowRule(form.rule, name, form.message, not_fullmatch(form.pattern))]
    return []  # datetime: the voice survey's engine applies it


SECTOR_PATTERN = r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]"
"""`format: postcode_sector`: the outward code, a space and one digit (as the voice survey's
engine reads it, indicators/ingest/survey_columns.py)."""


def _sector_form(value: str) -> str:
    """Upper case, one space; a full postcode reduced to its sector at once."""
    text = " ".join(value.upper().split())
    return sector_of(text) if re.fullmatch(POSTCODE_PATTERN, text) else text


CANONICAL_FORMS: dict[str, Callable[[str], str]] = {
    "nhs_number": compact,
    "postcode_sector": _sector_form,
}
"""The one form a named format's value is checked, keyed, placed and pseudonymised in,
whichever way it was written: `999 123 4567` is `9991234567`, `xh3  2` is `XH3 2`."""


def in_canonical_form(frame: pd.DataFrame, spec: SourceSpec) -> pd.DataFrame:
    """`frame` with each column whose named format has a canonical form written in it (a
    blank stays blank)."""
    out = frame
    for column in spec.columns:
        named = column.format.named if column.format is not None else None
        if named not in CANONICAL_FORMS or column.name not in frame:
            continue
        form = CANONICAL_FORMS[named]
        values = out[column.name].fillna("").astype(str)
        distinct = {value: form(value) for value in set(values.tolist())}
        out = out.assign(**{column.name: values.map(distinct)})
    return out


def codes_failing(column: Column) -> Flags:
    """Values not in the column's code list; a blank passes when the column is optional and
    the list declares no `blank:` code."""
    assert column.codes is not None
    failing = not_in(column.codes.codes)
    if not column.blank_passes:
        return failing
    return lambda values: failing(values) & (values.fillna("").astype(str).str.strip() != "")


def outside_range(least: float | None, most: float | None) -> Flags:
    def outside(values: pd.Series) -> pd.Series:
        numbers = pd.to_numeric(values.where(values.astype(str).str.strip() != ""), errors="coerce")
        bad = numbers.isna() & (values.astype(str).str.strip() != "")
        if least is not None:
            bad |= numbers < least
        if most is not None:
            bad |= numbers > most
        return bad

    return outside


def normalised_codes(values: pd.Series, column: Column) -> pd.Series:
    """A code column as its code list reads it: synonyms, blanks, snake_case."""
    codes = column.codes
    if codes is None:
        return values
    text = values.fillna("").astype(str).str.strip()
    if codes.normalise == "snake_case":
        return text.str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    text = text.str.upper().replace(codes.synonyms)
    return text.where(text != "", codes.blank) if codes.blank is not None else text


def read_as_code_lists(frame: pd.DataFrame, spec: SourceSpec) -> pd.DataFrame:
    """`frame` (trimmed and upper-cased) with each code column whose list declares
    `normalise`, `synonyms` or `blank` read as the list says (as the voice engine reads its
    own): `Personal adviser` as personal_adviser, `YES` as Y, a blank as its code. A column
    whose list declares none of them is left as it is."""
    out = frame
    for column in spec.columns:
        codes = column.codes
        if codes is None or column.name not in frame:
            continue
        if codes.synonyms or codes.blank is not None or codes.normalise:
            out = out.assign(**{column.name: normalised_codes(out[column.name], column)})
    return out


PATTERN_CACHE: dict[str, re.Pattern] = {}
