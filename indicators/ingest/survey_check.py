"""A year's voice files read and checked together, nothing pseudonymised or scrubbed yet:
what `chorus validate` reports (`check_voice_year`) and what `load_voice_year` lets through
the door.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.ingest.defects import (
    Defect,
    FileRejected,
    apply_rules,
    cell_rules,
    check_required_columns,
    length_rule,
)
from indicators.ingest.landing import FileAccount, LandedFile, sha256_of
from indicators.ingest.lookups import Reference
from indicators.ingest.readers import read_table, rows_landed
from indicators.ingest.survey_columns import apply_aliases, shape
from indicators.ingest.survey_rules import (
    area_rule_defects,
    defects_for_rows,
    duplicate_ids_in,
    safe_defect,
    voice_rules,
)
from indicators.ingest.survey_values import (
    SurveyLoad,
    comment_columns_of,
    item_columns_of,
    strip_values,
)
from indicators.reference import AcademicYear
from indicators.voice.items import in_force as versions_at
from indicators.voice.items import (
    item_bank_problems,
)


def _read_checked(
    landed: LandedFile,
    account: FileAccount,
    read: Callable[[Path, str], pd.DataFrame],
    load: SurveyLoad,
) -> pd.DataFrame:
    """A voice file read and checked as a whole (problems raise FileRejected), with every
    documented area and UPN column and no missing values."""
    display = landed.display
    item_ids = load.item_ids
    survey = shape()
    sector, hood = survey.area_columns
    try:
        frame = read(landed.path, display)
        account.rows_read = len(frame)
        frame = apply_aliases(frame)
        check_required_columns(frame, survey.required, display)
        if not any(column in frame.columns for column in survey.area_columns):
            raise FileRejected(
                Defect(
                    display,
                    None,
                    f"{sector}, {hood}",
                    "",
                    "required_columns",
                    f"the file needs a {sector} or a {hood} column to place "
                    "responses; nothing was loaded from this file",
                )
            )
        if not item_columns_of(frame, item_ids):
            raise FileRejected(
                Defect(
                    display,
                    None,
                    None,
                    "",
                    "no_item_columns",
                    "no column is named after an item in seeds/voice_items.csv (e.g. "
                    f"{', '.join(item_ids[:3])}); nothing was loaded from this file",
                )
            )
        if frame.empty:
            raise FileRejected(
                Defect(display, None, None, "", "empty_file", "the file has a header but no rows")
            )
    except FileRejected as rejected:
        account.status = "rejected"
        account.message = str(rejected.defect)
        if not account.rows_read:  # rejected before its rows could be read: counted anyway
            keywords = getattr(read, "keywords", None) or {}
            account.rows_read = rows_landed(landed.path, keywords.get("sheet"))
        account.rows_quarantined = account.rows_read
        raise
    for column in (*survey.area_columns, survey.linked_id.name, *survey.spec.names):
        if column not in frame.columns:  # an optional column left out: blank
            frame[column] = ""
    return frame.fillna("")


# A year's files are read one by one, then validated and let through the door together, as
# one frame of all their rows (a pandas operation costs about as much on one file as on all
# of them, and a year is a hundred or more files). Everything that depends on the file is
# worked out per row from its file, and put back in the order file-by-file processing gives:
# defects file by file (consent, then rule by rule, then area); answers and quotes file by
# file, then column by column as that file has them, then row by row.


@dataclass
class Survey:
    """The rows of a load's files that have aggregate consent, normalised, in file order.

    Files lacking an item or comment column that others have get it blank, which is what
    not having it means: not answered, no comment.
    """

    displays: list[str]
    """The files, in order."""
    frame: pd.DataFrame
    file_of: np.ndarray
    """For each row, its file (position in `displays`)."""
    item_columns: list[list[str]]
    """Each file's item columns, in its order."""
    comment_columns: list[list[str]]
    all_items: list[str]
    all_comments: list[str]
    excluded: np.ndarray
    """For each file, responses without consent to aggregate use (set aside)."""
    dates: pd.Series
    in_force: dict[str, pd.Series]
    """item -> the version in use on each row's date."""

    def files(self, positions: np.ndarray | None = None) -> np.ndarray:
        """The file (as displayed) of each row, or of the rows at `positions`."""
        names = np.array(self.displays, dtype=object)
        return names[self.file_of if positions is None else self.file_of[positions]]


def coded_columns() -> tuple[str, ...]:
    """The documented columns that hold codes, dates or identifiers of a response (not free
    text, not the aggregate consent, checked first, and not the linked UPN, whose problems
    only drop the link)."""
    survey = shape()
    return tuple(
        name
        for name in survey.spec.read_columns
        if name not in (survey.aggregate.name, survey.linked_id.name)
    )


def _survey(
    read_files: Sequence[tuple[str, pd.DataFrame]], load: SurveyLoad
) -> tuple[Survey, list[list[Defect]], list[list[Defect]]]:
    """The files read, stacked, split by aggregate consent and normalised; and for each file
    its consent defects and its cell defects (`cell_rules` on the values as written, of the
    consenting rows: a control character anywhere but free text, a line break in a code)."""
    displays = [display for display, _ in read_files]
    item_columns = [item_columns_of(frame, load.item_ids) for _, frame in read_files]
    comment_columns = [comment_columns_of(frame, load.item_ids) for _, frame in read_files]
    frame = pd.concat([frame for _, frame in read_files], ignore_index=True).fillna("")
    file_of = np.repeat(np.arange(len(read_files)), [len(frame) for _, frame in read_files])
    survey = shape()
    aggregate = survey.aggregate
    assert aggregate.codes is not None
    consent = load.codes(aggregate)(frame[aggregate.name])
    invalid = ~consent.isin(set(aggregate.codes.codes))
    consent_defects = defects_for_rows(
        frame,
        invalid,
        aggregate.name,
        aggregate.codes.rule,
        lambda value: f"{aggregate.name} is '{value}': {aggregate.codes.text()}",
        file_of,
    )
    excluded = np.bincount(file_of[(consent == "N").to_numpy(dtype=bool)], minlength=len(displays))
    consenting = (consent == "Y").to_numpy(dtype=bool)
    kept = frame[consenting].reset_index(drop=True)
    all_items = list(dict.fromkeys(column for columns in item_columns for column in columns))
    all_comments = list(dict.fromkeys(column for columns in comment_columns for column in columns))
    cell_defects = apply_rules(
        kept,
        [
            *cell_rules([*coded_columns(), *all_items]),
            *[length_rule(column, survey.longest_comment) for column in all_comments],
        ],
        "",
        row_files=file_of[consenting],
    )
    kept[aggregate.name] = "Y"
    kept[survey.key] = strip_values(kept[survey.key])
    for column in survey.coded:
        kept[column.name] = load.codes(column)(kept[column.name])
    kept[survey.sector] = load.sectors(kept[survey.sector])
    kept[survey.neighbourhood] = load.hoods(kept[survey.neighbourhood])
    for column in all_items:
        kept[column] = load.normalised_answers(column, kept[column])
    dates = load.parsed_dates(kept[survey.date.name])
    in_force: dict[str, pd.Series] = {}
    by_starts: dict[tuple[tuple[int, pd.Timestamp], ...], pd.Series] = {}
    for item in dict.fromkeys(
        [*all_items, *(column[: -len(survey.comment_suffix)] for column in all_comments)]
    ):
        starts = tuple(load.item(item).starts)  # items co-designed together share them
        if starts not in by_starts:
            by_starts[starts] = versions_at(list(starts), dates)
        in_force[item] = by_starts[starts]
    survey = Survey(
        displays,
        kept,
        file_of[consenting],
        item_columns,
        comment_columns,
        all_items,
        all_comments,
        excluded,
        dates,
        in_force,
    )
    return (survey, _share_out(consent_defects, displays), _share_out(cell_defects, displays))


def _share_out(defects: Sequence[Defect], displays: Sequence[str]) -> list[list[Defect]]:
    """The defects (in row order, `file` a position in `displays`) file by file."""
    shared: list[list[Defect]] = [[] for _ in displays]
    for defect in defects:
        shared[defect.file].append(replace(defect, file=displays[defect.file]))
    return shared


def _validated(
    survey: Survey,
    year: AcademicYear,
    reference: Reference,
    codes: frozenset[str],
    lookup: Mapping[str, str] | None,
    load: SurveyLoad,
) -> tuple[list[list[Defect]], list[list[Defect]]]:
    """For each file, its rule defects (rule by rule in the order its columns give) and its
    area defects."""
    rules = voice_rules(
        year, load.items, survey.all_items, survey.dates, load=load, in_force=survey.in_force
    )
    by_rule: dict[tuple[str, str], list[list[Defect]]] = {
        (rule.rule, rule.column): [[] for _ in survey.displays] for rule in rules
    }
    for defect in apply_rules(survey.frame, rules, "", row_files=survey.file_of):
        by_rule[(defect.rule, defect.column)][defect.file].append(
            replace(defect, file=survey.displays[defect.file])
        )
    items = set(survey.all_items)
    fixed = [key for key in by_rule if key[1] not in items]
    per_item = [
        rule.rule for rule in rules if survey.all_items and rule.column == survey.all_items[0]
    ]
    rule_defects = []
    for position, columns in enumerate(survey.item_columns):
        keys = fixed + [(rule, column) for column in columns for rule in per_item]
        rule_defects.append([defect for key in keys for defect in by_rule[key][position]])
    area = area_rule_defects(survey.frame, survey.file_of, reference, codes, lookup)
    by_area: dict[str, list[list[Defect]]] = {}
    for defect in area:
        by_area.setdefault(defect.rule, [[] for _ in survey.displays])[defect.file].append(
            replace(defect, file=survey.displays[defect.file])
        )
    area_defects = [
        [defect for lists in by_area.values() for defect in lists[position]]
        for position in range(len(survey.displays))
    ]
    return rule_defects, area_defects


@dataclass
class CheckedVoiceYear:
    """One academic year's voice files validated, consent read, nothing pseudonymised or
    scrubbed yet: what `chorus validate` reports, and what `load_voice_year` lets through
    the door."""

    year: AcademicYear
    defects: list[Defect]
    accounts: list[FileAccount]
    ignored_columns: list[tuple[str, str]]
    survey: Survey | None
    bad_rows: dict[str, set[int]]
    load: SurveyLoad


def check_voice_year(
    year: AcademicYear,
    files: Sequence[LandedFile],
    reference: Reference,
    items: pd.DataFrame,
    read: Callable[[Path, str], pd.DataFrame] = read_table,
    *,
    neighbourhood_codes: frozenset[str] | None = None,
    sector_lookup: Mapping[str, str] | None = None,
) -> CheckedVoiceYear:
    """Every rule `load_voice_year` applies, on every voice file of one academic year; no
    pseudonym is made and no text is scrubbed. Arguments as for `load_voice_year`."""
    problems = item_bank_problems(items)
    if problems:
        raise ValueError("the item bank has problems: " + "; ".join(problems))
    codes = (
        neighbourhood_codes
        if neighbourhood_codes is not None
        else frozenset((sector_lookup or {}).values())
    )
    load = SurveyLoad(items, reference, codes)
    accounts: list[FileAccount] = []
    landed_frames: list[tuple[str, pd.DataFrame | Defect]] = []
    for landed in files:
        account = FileAccount(landed.display, landed.kind, year.label, sha256_of(landed.path))
        accounts.append(account)
        try:
            landed_frames.append((landed.display, _read_checked(landed, account, read, load)))
        except FileRejected as rejected:
            landed_frames.append((landed.display, rejected.defect))
    read_files = [
        (display, frame) for display, frame in landed_frames if isinstance(frame, pd.DataFrame)
    ]
    survey = None
    if read_files:
        survey, consent_defects, cell_defects = _survey(read_files, load)
        rule_defects, area_defects = _validated(survey, year, reference, codes, sector_lookup, load)
    defects: list[Defect] = []
    ignored: list[tuple[str, str]] = []
    position = 0
    for display, frame in landed_frames:
        if isinstance(frame, Defect):
            defects.append(frame)
            continue
        ignored.extend(_ignored_columns(display, frame, load.item_ids))
        # A cell with a control character or a line break is reported for that alone.
        cells = {(defect.row, defect.column) for defect in cell_defects[position]}
        defects.extend(
            consent_defects[position]
            + cell_defects[position]
            + [
                defect
                for defect in rule_defects[position] + area_defects[position]
                if (defect.row, defect.column) not in cells
            ]
        )
        position += 1
    if survey is not None:
        key = shape().key
        defects.extend(
            duplicate_ids_in(
                pd.DataFrame(
                    {
                        key: survey.frame[key],
                        "_source_row": survey.frame["_source_row"],
                        "_file": survey.files(),
                    }
                ),
                key,
                shape().spec.key_rule,
            )
        )
    defects = [safe_defect(defect, load.item_ids) for defect in defects]

    bad_rows: dict[str, set[int]] = {}
    for defect in defects:
        if defect.row is not None:
            bad_rows.setdefault(defect.file, set()).add(defect.row)
    by_file: dict[str, FileAccount] = {}
    for account in accounts:
        by_file.setdefault(account.file, account)
        if account.status == "loaded":
            account.rows_quarantined = len(bad_rows.get(account.file, ()))
            account.rows_loaded = account.rows_read - account.rows_quarantined
    if survey is not None:
        for display, excluded in zip(survey.displays, survey.excluded.tolist(), strict=True):
            if excluded:
                by_file[display].message = (
                    f"{excluded} response(s) without consent to aggregate use set aside: "
                    "counted as loaded, used nowhere"
                )
    return CheckedVoiceYear(year, defects, accounts, ignored, survey, bad_rows, load)


def _ignored_columns(
    display: str, frame: pd.DataFrame, item_ids: Sequence[str]
) -> list[tuple[str, str]]:
    suffix = shape().comment_suffix
    return [
        (display, column)
        for column in frame.columns
        if not column.startswith("_")
        and column not in shape().respondent_columns
        and column not in item_ids
        and not (column.endswith(suffix) and column[: -len(suffix)] in item_ids)
    ]
