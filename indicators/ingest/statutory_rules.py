"""Rules for the statutory returns (EYFSP, school census): their required columns, code
lists and row rules, one rule, one message, one affected column (indicators/ingest/defects.py),
and the same UPN twice in a year's files of one kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.ingest.cells import (
    Once,
    describe_codes,
    not_fullmatch,
    not_in,
    parse_dates,
    postcodes_well_formed,
)
from indicators.ingest.defects import Defect, RowRule
from indicators.ingest.upn import upn_rules
from indicators.reference import ELG_COLUMNS, AcademicYear

EYFSP_REQUIRED = ("la_code", "estab", "upn", "surname", "forename", "dob", "sex", *ELG_COLUMNS)
CENSUS_REQUIRED = (
    "upn",
    "fsm_eligible",
    "first_language",
    "sen_provision",
    "ethnicity",
    "postcode",
)
SEX_CODES = {"M": "male", "F": "female"}
ELG_CODES = {"1": "emerging", "2": "expected", "A": "not assessed"}
FSM_CODES = {"Y": "eligible", "N": "not eligible"}
LANGUAGE_CODES = {"ENG": "English", "OTH": "other than English", "UNK": "unknown"}
SEN_CODES = {"N": "no special provision", "K": "SEN support", "E": "EHC plan"}
ETHNICITY_CODES = {
    "WHIT": "White",
    "MIXD": "Mixed",
    "ASIA": "Asian",
    "BLAC": "Black",
    "CHNE": "Chinese",
    "AOEG": "any other ethnic group",
    "REFU": "refused",
    "NOBT": "not yet obtained",
}


def eyfsp_rules(year: AcademicYear) -> list[RowRule]:
    first, last = year.reception_birth_window()
    dates_of = Once(parse_dates)

    def outside_window(values: pd.Series) -> pd.Series:
        dates = dates_of(values)
        return dates.notna() & ((dates < pd.Timestamp(first)) | (dates > pd.Timestamp(last)))

    return [
        RowRule(
            "la_code_format", "la_code", "the LA number must be 3 digits", not_fullmatch(r"\d{3}")
        ),
        RowRule(
            "estab_format",
            "estab",
            "the establishment number must be 4 digits (or the "
            "7-digit DfE number: LA number then establishment number)",
            not_fullmatch(r"\d{4}|\d{7}"),
        ),
        *upn_rules(),
        RowRule("sex_code", "sex", f"sex must be {describe_codes(SEX_CODES)}", not_in(SEX_CODES)),
        RowRule(
            "dob_format",
            "dob",
            "date of birth must be a date such as 2019-03-14 or 14/03/2019",
            lambda values: dates_of(values).isna(),
        ),
        RowRule(
            "dob_in_cohort",
            "dob",
            f"a child in reception in {year.label} was born between "
            f"{first:%d %B %Y} and {last:%d %B %Y}",
            outside_window,
        ),
        *[
            RowRule(
                "elg_value",
                column,
                f"ELG results must be {describe_codes(ELG_CODES)}",
                not_in(ELG_CODES),
            )
            for column in ELG_COLUMNS
        ],
    ]


def census_rules() -> list[RowRule]:
    return [
        *upn_rules(),
        RowRule(
            "fsm_code", "fsm_eligible", f"must be {describe_codes(FSM_CODES)}", not_in(FSM_CODES)
        ),
        RowRule(
            "first_language_code",
            "first_language",
            f"must be {describe_codes(LANGUAGE_CODES)}",
            not_in(LANGUAGE_CODES),
        ),
        RowRule(
            "sen_provision_code",
            "sen_provision",
            f"must be {describe_codes(SEN_CODES)}",
            not_in(SEN_CODES),
        ),
        RowRule(
            "ethnicity_code",
            "ethnicity",
            f"must be a DfE major ethnic group code: {', '.join(ETHNICITY_CODES)}",
            not_in(ETHNICITY_CODES),
        ),
        RowRule(
            "postcode_format",
            "postcode",
            "must be a full UK postcode such as OL11 3AB",
            lambda values: ~postcodes_well_formed(values),
        ),
    ]


@dataclass(frozen=True)
class Stack:
    """A year's files of one kind one after another, as plain lists: for each row its file
    (as displayed), its spreadsheet row, and its values of some columns."""

    files: list[str]
    rows: list[int]
    values: dict[str, list[object]]

    def text(self, column: str) -> bool:
        """Every value of the column is text (so sets and dicts treat them as pandas does)."""
        try:
            "".join(self.values[column])
        except TypeError:
            return False
        return True

    def where(self, flags: Sequence[bool]) -> Iterable[tuple[str, int, list[object]]]:
        """(file, row, [values]) of the flagged rows, in order."""
        columns = list(self.values.values())
        for position in np.flatnonzero(np.asarray(flags, dtype=bool)).tolist():
            yield (
                self.files[position],
                self.rows[position],
                [values[position] for values in columns],
            )


def stacked(
    frames: Sequence[tuple[str, pd.DataFrame]],
    columns: Sequence[str] = ("upn",),
    without: Mapping[str, set[int | None]] | None = None,
) -> Stack:
    """A year's files of one kind as a `Stack`, in file order, leaving out the rows `without`
    names for each file."""
    files: list[str] = []
    rows: list[int] = []
    values: dict[str, list[object]] = {column: [] for column in columns}
    for file, frame in frames:
        numbers = frame["_source_row"].to_numpy().tolist()
        keep = None
        if without and without.get(file):
            left_out = without[file]
            keep = [number not in left_out for number in numbers]
            numbers = [number for number, kept in zip(numbers, keep, strict=True) if kept]
        files.extend([file] * len(numbers))
        rows.extend(numbers)
        for column in columns:
            column_values = frame[column].to_numpy(dtype=object).tolist()
            if keep is not None:
                column_values = [
                    value for value, kept in zip(column_values, keep, strict=True) if kept
                ]
            values[column].extend(column_values)
    return Stack(files, rows, values)


def duplicate_upns(frames: Sequence[tuple[str, pd.DataFrame]]) -> list[Defect]:
    """The same UPN more than once in a year's files of one kind: every occurrence is a defect."""
    return duplicates_in(stacked(frames))


def duplicates_in(stack: Stack) -> list[Defect]:
    """`duplicate_upns` of the files `stacked` gives."""
    upns = stack.values["upn"]
    if stack.text("upn") and len(set(upns)) == len(upns):
        return []  # no UPN twice (the usual case, and quick to see)
    frame = pd.DataFrame(
        {"upn": pd.Series(upns, dtype=object), "_file": stack.files, "_source_row": stack.rows}
    )
    repeated = frame[frame["upn"].duplicated(keep=False) & (frame["upn"] != "")]
    members = [
        (upn, list(zip(group["_file"], group["_source_row"], strict=True)))
        for upn, group in repeated.groupby("upn", sort=False)
    ]
    defects = []
    for upn, group in members:
        places = [f"{file} row {row}" for file, row in group]
        for file, row in group:
            others = [place for place in places if place != f"{file} row {row}"]
            defects.append(
                Defect(
                    file=file,
                    row=int(row),
                    column="upn",
                    value=str(upn),
                    rule="duplicate_upn",
                    message=f"the same child (UPN '{upn}') also appears at {'; '.join(others)}: "
                    "keep one record and land the file again",
                )
            )
    return defects
