"""Rules for statutory returns: one rule, one message, one affected column.

Every defect names the file, the row as the user sees it in a spreadsheet (the header is
row 1), the column, the value and the rule. Row defects send that row to quarantine; file
defects (unreadable, empty, a required column missing) reject the whole file.
Values of identifier columns are withheld from anything that leaves the raw zone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import pandas as pd
from stdnum import exceptions as stdnum_errors
from stdnum.gb import upn as stdnum_upn

from indicators.reference import ELG_COLUMNS, AcademicYear

IDENTIFIER_COLUMNS = frozenset({"upn", "surname", "forename", "dob", "postcode"})
WITHHELD = "(withheld: identifier)"

EYFSP_REQUIRED = ("la_code", "estab", "upn", "surname", "forename", "dob", "sex", *ELG_COLUMNS)
CENSUS_REQUIRED = ("upn", "fsm_eligible", "first_language", "sen_provision", "ethnicity",
                   "postcode")
SEX_CODES = {"M": "male", "F": "female"}
ELG_CODES = {"1": "emerging", "2": "expected", "A": "not assessed"}
FSM_CODES = {"Y": "eligible", "N": "not eligible"}
LANGUAGE_CODES = {"ENG": "English", "OTH": "other than English", "UNK": "unknown"}
SEN_CODES = {"N": "no special provision", "K": "SEN support", "E": "EHC plan"}
ETHNICITY_CODES = {
    "WHIT": "White", "MIXD": "Mixed", "ASIA": "Asian", "BLAC": "Black", "CHNE": "Chinese",
    "AOEG": "any other ethnic group", "REFU": "refused", "NOBT": "not yet obtained",
}
# A full UK postcode: outward code, space, inward code (digit and two letters).
POSTCODE_PATTERN = r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}"
UPN_PATTERN = r"[A-Z][0-9]{11}[0-9A-Z]"
UPN_FORMAT = ("a UPN is 13 characters: a check letter, then 11 digits, then a digit or a "
              "letter (never I, O or S)")
# A value this short is not withheld wherever it appears in a message, only where quoted.
SHORTEST_WITHHELD = 4


@dataclass(frozen=True)
class Defect:
    file: str
    row: int | None
    """Spreadsheet row: the header is row 1, so the first child is row 2. None for file defects."""
    column: str | None
    value: str
    rule: str
    message: str
    sensitive: bool = False
    """The value may identify a child even though the column is not an identifier column."""

    @property
    def level(self) -> str:
        return "file" if self.row is None else "row"

    def public(self) -> Defect:
        """The defect as it may leave the raw zone: identifier values withheld."""
        if not self.value or not (self.sensitive or self.column in IDENTIFIER_COLUMNS):
            return self
        message = self.message.replace(f"'{self.value}'", WITHHELD)
        if len(self.value.strip()) >= SHORTEST_WITHHELD:
            message = message.replace(self.value, WITHHELD)
        return replace(self, value=WITHHELD, message=message)

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message} [{self.rule}]"


class FileRejected(Exception):
    """A file-level defect: nothing is loaded from the file."""

    def __init__(self, defect: Defect):
        super().__init__(str(defect))
        self.defect = defect


@dataclass(frozen=True)
class RowRule:
    """One check on one column: `failing` marks the values that break it."""

    rule: str
    column: str
    explain: str
    failing: Callable[[pd.Series], pd.Series]


def _not_in(codes: dict[str, str]) -> Callable[[pd.Series], pd.Series]:
    allowed = set(codes)
    return lambda values: ~values.isin(allowed)


def describe_codes(codes: dict[str, str]) -> str:
    return ", ".join(f"{code} ({meaning})" for code, meaning in codes.items())


def upn_problem(number: str) -> str:
    """'' for a valid UPN, else which python-stdnum check it fails: format, la or check."""
    if not re.fullmatch(UPN_PATTERN, number):  # stdnum would quietly drop spaces
        return "format"
    try:
        stdnum_upn.validate(number)
    except stdnum_errors.InvalidComponent:
        return "la"
    except stdnum_errors.InvalidChecksum:
        return "check"
    except stdnum_errors.ValidationError:
        return "format"
    return ""


def _upn_failing(problem: str, memo: dict[str, str]) -> Callable[[pd.Series], pd.Series]:
    def failing(values: pd.Series) -> pd.Series:
        memo.update((number, upn_problem(number)) for number in values.unique()
                    if number not in memo)
        return values.map(memo).eq(problem).astype(bool)

    return failing


def upn_rules() -> list[RowRule]:
    """UPN checks, in order: a malformed UPN is not also reported for its check letter.

    The three rules share one python-stdnum verdict per distinct UPN.
    """
    memo: dict[str, str] = {}
    return [
        RowRule("upn_format", "upn", UPN_FORMAT, _upn_failing("format", memo)),
        RowRule("upn_issuing_la", "upn", "the 3 digits after the check letter must be the LA "
                "number of the authority that issued the UPN, and these are not one; check it "
                "was copied correctly", _upn_failing("la", memo)),
        RowRule("upn_check_letter", "upn", "the check letter does not match the rest of the "
                "UPN; check it was copied correctly", _upn_failing("check", memo)),
    ]


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO (2019-03-14) or UK (14/03/2019) dates; anything else becomes NaT."""
    uk = values.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}")
    iso_text = values.where(~uk, values.str.replace(
        r"^(\d{1,2})/(\d{1,2})/(\d{4})$", r"\3-\2-\1", regex=True))
    iso_text = iso_text.where(iso_text.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}"), "")
    return pd.to_datetime(iso_text, format="%Y-%m-%d", errors="coerce")


def eyfsp_rules(year: AcademicYear) -> list[RowRule]:
    first, last = year.reception_birth_window()

    def outside_window(values: pd.Series) -> pd.Series:
        dates = parse_dates(values)
        return dates.notna() & ((dates < pd.Timestamp(first)) | (dates > pd.Timestamp(last)))

    return [
        RowRule("la_code_format", "la_code", "the LA number must be 3 digits",
                lambda values: ~values.str.fullmatch(r"\d{3}")),
        RowRule("estab_format", "estab", "the establishment number must be 4 digits (or the "
                "7-digit DfE number: LA number then establishment number)",
                lambda values: ~values.str.fullmatch(r"\d{4}|\d{7}")),
        *upn_rules(),
        RowRule("sex_code", "sex", f"sex must be {describe_codes(SEX_CODES)}",
                _not_in(SEX_CODES)),
        RowRule("dob_format", "dob", "date of birth must be a date such as 2019-03-14 or "
                "14/03/2019", lambda values: parse_dates(values).isna()),
        RowRule("dob_in_cohort", "dob", f"a child in reception in {year.label} was born between "
                f"{first:%d %B %Y} and {last:%d %B %Y}", outside_window),
        *[RowRule("elg_value", column, f"ELG results must be {describe_codes(ELG_CODES)}",
                  _not_in(ELG_CODES)) for column in ELG_COLUMNS],
    ]


def census_rules() -> list[RowRule]:
    return [
        *upn_rules(),
        RowRule("fsm_code", "fsm_eligible", f"must be {describe_codes(FSM_CODES)}",
                _not_in(FSM_CODES)),
        RowRule("first_language_code", "first_language",
                f"must be {describe_codes(LANGUAGE_CODES)}", _not_in(LANGUAGE_CODES)),
        RowRule("sen_provision_code", "sen_provision", f"must be {describe_codes(SEN_CODES)}",
                _not_in(SEN_CODES)),
        RowRule("ethnicity_code", "ethnicity",
                f"must be a DfE major ethnic group code: {', '.join(ETHNICITY_CODES)}",
                _not_in(ETHNICITY_CODES)),
        RowRule("postcode_format", "postcode", "must be a full UK postcode such as OL11 3AB",
                lambda values: ~values.str.fullmatch(POSTCODE_PATTERN)),
    ]


def normalise_codes(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Trim and upper-case code columns, so ' m ' and 'M' mean the same."""
    out = frame.copy()
    for column in columns:
        out[column] = out[column].str.strip().str.upper()
    return out


def check_required_columns(frame: pd.DataFrame, required: Sequence[str], file: str) -> None:
    missing = [column for column in required if column not in frame.columns]
    if missing:
        found = ", ".join(str(c) for c in frame.columns if not str(c).startswith("_")) or "none"
        raise FileRejected(Defect(
            file=file, row=None, column=", ".join(missing), value="", rule="required_columns",
            message=f"required column(s) missing: {', '.join(missing)} (found: {found}); "
                    "nothing was loaded from this file",
        ))


def apply_rules(frame: pd.DataFrame, rules: Sequence[RowRule], file: str,
                as_written: pd.DataFrame | None = None) -> list[Defect]:
    """Every row defect in the frame. `frame` has a `_source_row` column (spreadsheet rows).

    Rules test `frame` (codes trimmed and upper-cased); messages quote the value as written
    in `as_written` when given. A value already reported under one rule (a malformed UPN,
    say) is not reported again under a later rule for the same column.
    """
    defects: list[Defect] = []
    reported: dict[str, pd.Series] = {}
    written = frame if as_written is None else as_written
    for rule in rules:
        mask = rule.failing(frame[rule.column]).astype(bool)
        if rule.column in reported:
            mask &= ~reported[rule.column]
            reported[rule.column] |= mask
        else:
            reported[rule.column] = mask
        for row, value in zip(frame.loc[mask, "_source_row"], written.loc[mask, rule.column],
                              strict=True):
            shown = value if value.strip() != "" else "(blank)"
            defects.append(Defect(
                file=file, row=int(row), column=rule.column, value=value, rule=rule.rule,
                message=f"{rule.column} is '{shown}': {rule.explain}",
            ))
    return defects


def duplicate_upns(frames: Sequence[tuple[str, pd.DataFrame]]) -> list[Defect]:
    """The same UPN more than once in a year's files of one kind: every occurrence is a defect."""
    if not frames:
        return []
    stacked = pd.concat(
        [frame[["upn", "_source_row"]].assign(_file=file) for file, frame in frames],
        ignore_index=True,
    )
    repeated = stacked[stacked["upn"].duplicated(keep=False) & (stacked["upn"] != "")]
    defects = []
    for upn, group in repeated.groupby("upn", sort=False):
        places = [f"{file} row {row}" for file, row in zip(group["_file"], group["_source_row"],
                                                             strict=True)]
        for file, row in zip(group["_file"], group["_source_row"], strict=True):
            others = [place for place in places if place != f"{file} row {row}"]
            defects.append(Defect(
                file=file, row=int(row), column="upn", value=str(upn), rule="duplicate_upn",
                message=f"the same child (UPN '{upn}') also appears at {'; '.join(others)}: "
                        "keep one record and land the file again",
            ))
    return defects
