"""The voice survey's row rules: one rule, one message, one column (as the statutory returns'),
the placing of a response in a neighbourhood, duplicate response ids, and values withheld
from messages when they might identify someone.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from functools import partial

import numpy as np
import pandas as pd

from indicators.ingest.cells import failing_values, not_fullmatch
from indicators.ingest.defects import (
    SHORTEST_WITHHELD,
    Defect,
    RowRule,
    printable,
    shows_safely,
)
from indicators.ingest.lookups import Reference
from indicators.ingest.spec_rules import blanks_pass, outside_range, period_start
from indicators.ingest.survey_columns import SECTOR_PATTERN, WITHHELD_VALUE, shape
from indicators.ingest.survey_values import SurveyLoad
from indicators.reference import AcademicYear
from indicators.sources.spec import Column
from indicators.voice.items import (
    versions_in_force,
)
from indicators.voice.quotes import may_identify


def defects_for_rows(
    frame: pd.DataFrame,
    mask: pd.Series,
    column: str,
    rule: str,
    message: Callable[[str], str],
    file: str | Sequence[object],
) -> list[Defect]:
    """A defect for each flagged row; `file` names the file, or each row's file."""
    flags = mask.to_numpy(dtype=bool)
    if not flags.any():
        return []
    files = (
        itertools.repeat(file) if isinstance(file, str) else np.asarray(file, dtype=object)[flags]
    )
    return [
        Defect(row_file, int(row), column, printable(value), rule, message(printable(value)))
        for row_file, row, value in zip(
            files,
            frame["_source_row"].to_numpy()[flags],
            frame[column].to_numpy()[flags],
            strict=False,
        )
    ]  # one file repeats


_ESCAPE = re.compile(r"\\x[0-9a-f]{2}|\\[nrt]")
"""How `printable` shows a control character or line break in a value."""


def safe_defect(defect: Defect, item_ids: Iterable[str] = ()) -> Defect:
    """A defect's value is shown only when its column is declared safe (a code column, the
    area, the response date, an item's answers: `shows_safely`) and nothing in it might
    identify someone (a name typed as an answer); every other value (a response id, a UPN,
    free text, a column not declared) is withheld."""
    if not defect.value or defect.value == WITHHELD_VALUE or defect.row is None:
        return defect  # a file defect's value is about the file (a header), not a person
    declared = defect.column in set(item_ids)
    if shows_safely(defect.column, defect.value, declared_safe=declared) and (
        defect.column in {shape().date.name, shape().sector}
        or not may_identify(_ESCAPE.sub(" ", defect.value).strip())
    ):  # as read
        return replace(defect, shown=True)
    message = defect.message.replace(f"'{defect.value}'", f"'{WITHHELD_VALUE}'")
    if len(defect.value.strip()) >= SHORTEST_WITHHELD:
        message = message.replace(defect.value, WITHHELD_VALUE)
    return replace(defect, value=WITHHELD_VALUE, message=message)


def voice_rules(
    year: AcademicYear,
    items: pd.DataFrame,
    item_columns: Sequence[str],
    dates: pd.Series,
    *,
    load: SurveyLoad | None = None,
    in_force: Mapping[str, pd.Series] | None = None,
) -> list[RowRule]:
    """Row rules for consenting responses. `dates` are the rows' parsed response dates.

    `load` (the load's shared state) and `in_force` (item -> the version in use on each
    date) save working them out again.
    """
    load = load or SurveyLoad(items, Reference(None, None), frozenset())
    rules = respondent_rules(year, load)
    dated = dates.notna().to_numpy(dtype=bool)
    for column in item_columns:
        item = load.item(column)
        shown = ", ".join(sorted(item.allowed, key=lambda code: (len(code), code)))
        rules.append(
            RowRule(
                "answer_value",
                column,
                f"an answer to {column} ({item.scale}) "
                f"must be one of {shown}, or blank if not answered",
                _not_an_answer(item.allowed),
            )
        )
        versions = (
            in_force[column]
            if in_force is not None and column in in_force
            else versions_in_force(items, column, dates)
        )
        rules.append(
            RowRule(
                "item_not_in_use",
                column,
                f"{column} was not in use on the "
                f"response date ({item.when}): check the date or the column",
                _answered_when(dates, dated & versions.isna().to_numpy()),
            )
        )
    return rules


def respondent_rules(year: AcademicYear, load: SurveyLoad) -> list[RowRule]:
    """The rules of the survey spec's own columns (not its items), in the spec's order:
    the key not blank, the date's format and window, the sector's format, each code list
    but the aggregate consent's (checked at the door, before any other rule). Each rule is
    decided once per distinct value (`failing_values`, the load's parsed dates)."""
    survey = shape()
    start = period_start(year.label, survey.spec.period)
    rules: list[RowRule] = []
    for column in survey.spec.columns:
        if column.name == survey.aggregate.name or column.invalid == "drop":
            continue
        rules.extend(blanks_pass(column, _column_rules(column, year, load, start)))
    return rules


_SECTOR = re.compile(SECTOR_PATTERN)
NAMED_FORMATS: dict[str, Callable[[SurveyLoad, pd.Series], pd.Series]] = {
    "not_blank": lambda load, values: failing_values(
        values, lambda value: value.strip() == "", lambda values: values.str.strip() == ""
    ),
    "datetime": lambda load, values: load.parsed_dates(values).isna(),
    "postcode_sector": lambda load, values: failing_values(
        values,
        lambda value: value != "" and _SECTOR.fullmatch(value) is None,
        lambda values: (values != "") & ~values.str.fullmatch(SECTOR_PATTERN),
    ),
}
"""The survey's own columns' named formats (`format: {named: ...}`): which values fail
each, decided once per distinct value (`failing_values`, the load's parsed dates)."""


def _column_rules(
    column: Column, year: AcademicYear, load: SurveyLoad, start: dt.date
) -> list[RowRule]:
    """One of the survey's own columns' rules (`respondent_rules`)."""
    rules: list[RowRule] = []
    form = column.format
    test = NAMED_FORMATS.get(form.named) if form is not None and form.named else None
    if form is not None and test is not None:
        rules.append(RowRule(form.rule, column.name, form.message, partial(test, load)))
    if column.window is not None:
        first, last = (pd.Timestamp(day) for day in column.window.bounds(start))

        def outside(values: pd.Series, first=first, last=last) -> pd.Series:
            parsed = load.parsed_dates(values)
            return parsed.notna() & ((parsed < first) | (parsed > last))

        rules.append(
            RowRule(
                column.window.rule,
                column.name,
                column.window.text(year.label, start),
                outside,
            )
        )
    if column.codes is not None:
        rules.append(
            RowRule(
                column.codes.rule,
                column.name,
                column.codes.text(),
                _not_one_of(column.codes.codes, column.blank_passes),
            )
        )
    if form is not None and form.pattern is not None:  # as any source's (spec_rules.py)
        rules.append(RowRule(form.rule, column.name, form.message, not_fullmatch(form.pattern)))
    if column.range is not None:
        bounds = outside_range(column.range.least, column.range.most)
        rules.append(RowRule(column.range.rule, column.name, column.range.message, bounds))
    return rules


def _not_one_of(
    codes: Mapping[str, str], blank_passes: bool = False
) -> Callable[[pd.Series], pd.Series]:
    """`~values.isin(set(codes))`, a blank passing when the column is optional and its code
    list declares no blank code."""

    def blank(values: pd.Series) -> pd.Series:
        return values.fillna("").astype(str).str.strip() == ""

    if not blank_passes:
        return lambda values: failing_values(
            values, lambda value: value not in codes, lambda values: ~values.isin(set(codes))
        )
    return lambda values: failing_values(
        values,
        lambda value: value not in codes and str(value).strip() != "",
        lambda values: ~values.isin(set(codes)) & ~blank(values),
    )


def _not_an_answer(allowed: frozenset[str]) -> Callable[[pd.Series], pd.Series]:
    """`(values != "") & ~values.isin(allowed)`."""
    return lambda values: failing_values(
        values,
        lambda value: value != "" and value not in allowed,
        lambda values: (values != "") & ~values.isin(allowed),
    )


def _answered_when(dates: pd.Series, flags: np.ndarray) -> Callable[[pd.Series], pd.Series]:
    """`(values != "") & not_in_use`, `flags` being `not_in_use` for the rows of `dates`."""

    def failing(values: pd.Series) -> pd.Series:
        if not values.index.equals(dates.index):
            return (values != "") & pd.Series(flags, index=dates.index)
        return pd.Series((values.to_numpy(dtype=object) != "") & flags, index=values.index)

    return failing


def area_rule_defects(
    frame: pd.DataFrame,
    files: Sequence[str] | str,
    reference: Reference,
    neighbourhood_codes: frozenset[str],
    lookup: Mapping[str, str] | None,
) -> list[Defect]:
    """Rows that cannot be placed, or whose sector or neighbourhood is unknown or disagree.

    `files` is the file of every row (or one file for all of them); the defects come rule by
    rule, each in row order.
    """
    survey = shape()
    sector, hood = frame[survey.sector], frame[survey.neighbourhood]
    codes = sorted(neighbourhood_codes)
    known = (
        ", ".join(codes[:8]) + (f" ... ({len(codes)} in all)" if len(codes) > 8 else "")
    ) or "(none known)"
    formed = re.compile(SECTOR_PATTERN)
    well_formed = failing_values(
        sector,
        lambda value: formed.fullmatch(value) is not None,
        lambda values: values.str.fullmatch(SECTOR_PATTERN),
    )
    defects = defects_for_rows(
        frame,
        (sector == "") & (hood == ""),
        survey.sector,
        "area_missing",
        lambda _: (
            "give the postcode sector (preferred) or the neighbourhood code, so the "
            "response can be placed"
        ),
        files,
    )
    if reference.sectors is not None:  # None: the lookup could not be read (said elsewhere)
        known_sectors = reference.sectors
        set_aside = reference.sector_problems
        unknown = well_formed & ~failing_values(
            sector, lambda value: value in known_sectors, lambda values: values.isin(known_sectors)
        )
        aside = unknown & failing_values(
            sector, lambda value: value in set_aside, lambda values: values.isin(set(set_aside))
        )
        defects += defects_for_rows(
            frame,
            aside,
            survey.sector,
            "postcode_sector_set_aside",
            lambda value: (
                f"sector {value} has its row in the neighbourhood lookup set aside: "
                f"{set_aside[value]}; correct seeds/neighbourhood_lookup.csv and run "
                "again"
            ),
            files,
        )
        defects += defects_for_rows(
            frame,
            unknown & ~aside,
            survey.sector,
            "postcode_sector_unknown",
            lambda value: (
                f"sector {value} is not in the neighbourhood lookup "
                "(seeds/neighbourhood_lookup.csv): add the sector or correct it"
            ),
            files,
        )
    defects += defects_for_rows(
        frame,
        (hood != "")
        & ~failing_values(
            hood,
            lambda value: value in neighbourhood_codes,
            lambda values: values.isin(neighbourhood_codes),
        ),
        survey.neighbourhood,
        "neighbourhood_unknown",
        lambda value: (
            f"neighbourhood {value} is not in the neighbourhood lookup "
            f"(seeds/neighbourhood_lookup.csv): use one of {known}"
        ),
        files,
    )
    if lookup:
        placed = placed_in(sector, lookup)
        conflict = well_formed & placed.notna() & (hood != "") & (placed != hood)
        defects += defects_for_rows(
            frame,
            conflict,
            survey.neighbourhood,
            "area_conflict",
            lambda value: (
                f"neighbourhood {value} disagrees with the postcode sector given on "
                "the same row: correct one of them (the sector is preferred)"
            ),
            files,
        )
    return defects


def placed_in(sectors: pd.Series, lookup: Mapping[str, str]) -> pd.Series:
    """The neighbourhood each sector is in (missing where the lookup has none): the values
    of `sectors.map(lookup)`, looked up in Python rather than by a Series made of the
    lookup."""
    if isinstance(lookup, dict) and hasattr(lookup, "__missing__"):
        return sectors.map(lookup)
    places = []
    for sector in sectors.tolist():
        try:
            places.append(lookup.get(sector))
        except TypeError:  # not hashable
            places.append(None)
    return pd.Series(places, index=sectors.index, dtype=object)


def duplicate_ids_in(stacked: pd.DataFrame, key: str, rule: str) -> list[Defect]:
    """The same response key twice in a year's rows of `stacked` (with their `_file`): every
    occurrence is a defect (`rule`, the spec's `key.rule`)."""
    repeated = stacked[stacked[key].duplicated(keep=False) & (stacked[key].str.strip() != "")]
    defects = []
    for response_id, group in repeated.groupby(key, sort=False):
        places = [
            f"{file} row {row}"
            for file, row in zip(group["_file"], group["_source_row"], strict=True)
        ]
        for file, row in zip(group["_file"], group["_source_row"], strict=True):
            others = "; ".join(place for place in places if place != f"{file} row {row}")
            defects.append(
                Defect(
                    file,
                    int(row),
                    key,
                    str(response_id),
                    rule,
                    f"{key} '{response_id}' also appears at {others}: "
                    "each response once a year; keep one and land again",
                )
            )
    return defects
