"""Read, validate and pseudonymise a year's statutory returns, ready for the raw tables.

Pure: files in, data frames and defects out. The orchestration layer writes them to the
warehouse. Accounting holds for every file: rows read = rows loaded + rows quarantined (a
rejected file counts all its rows as quarantined: nothing is loaded from it).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.landing import LandedFile, reference_file, sha256_of
from indicators.privacy import birth_year_month, postcode_sector, pseudonymise
from indicators.readers import Aliases, Table, canonical_header, read_return, read_table
from indicators.reference import ELG_COLUMNS, AcademicYear
from indicators.validation import (
    CENSUS_REQUIRED,
    EYFSP_REQUIRED,
    Defect,
    FileRejected,
    RowRule,
    Stack,
    apply_rules,
    census_rules,
    check_required_columns,
    duplicates_in,
    eyfsp_rules,
    failing_values,
    normalise_codes,
    parse_dates,
    postcodes_well_formed,
    stacked,
    strip_upper_changes,
)

__all__ = [
    "AUTHORITIES_REQUIRED", "CheckedYear", "FileAccount", "LOOKUP_REQUIRED", "Reference",
    "STATUTORY_KINDS",
    "YearLoad", "canonical_header", "check_year", "load_year", "read_local_authorities",
    "read_neighbourhood_lookup", "read_reference", "read_table",
]

EYFSP_CODE_COLUMNS = ("la_code", "estab", "upn", "sex", "dob", *ELG_COLUMNS)
CENSUS_CODE_COLUMNS = ("upn", "fsm_eligible", "first_language", "sen_provision", "ethnicity",
                       "postcode")
LOOKUP_REQUIRED = ("postcode_sector", "neighbourhood_code", "neighbourhood_name")
AUTHORITIES_REQUIRED = ("la_code", "new_la_code", "la_name")
KINDS = {"eyfsp": (EYFSP_REQUIRED, EYFSP_CODE_COLUMNS),
         "census": (CENSUS_REQUIRED, CENSUS_CODE_COLUMNS)}
"""The statutory returns: kind -> (required columns, code columns trimmed and upper-cased)."""
STATUTORY_KINDS = tuple(KINDS)

Frames = dict[str, list[tuple[str, pd.DataFrame]]]
"""kind -> [(file as displayed, validated frame)]."""


@dataclass
class FileAccount:
    file: str
    kind: str
    academic_year: str
    sha256: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    status: str = "loaded"
    message: str = ""

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined


@dataclass
class YearLoad:
    """One academic year's returns after validation: what loads, what is held back, and why."""

    year: AcademicYear
    eyfsp: pd.DataFrame
    census: pd.DataFrame
    defects: list[Defect] = field(default_factory=list)
    accounts: list[FileAccount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Checks that could not run (e.g. the census was rejected), in plain words."""


@dataclass
class CheckedYear:
    """One academic year's returns validated but not pseudonymised: what `chorus validate` sees."""

    year: AcademicYear
    frames: Frames
    defects: list[Defect] = field(default_factory=list)
    accounts: list[FileAccount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> set[tuple[str, int]]:
        return {(d.file, d.row) for d in self.defects if d.row is not None}


@dataclass(frozen=True)
class Reference:
    """What the LA's reference files say is valid: postcode sectors and LA numbers.

    None means the reference could not be read: the check that needs it is skipped (and said so).
    """

    sectors: frozenset[str] | None
    la_codes: frozenset[str] | None


def rules_for(kind: str, year: AcademicYear) -> list[RowRule]:
    return eyfsp_rules(year) if kind == "eyfsp" else census_rules()


def _overflow_defects(table: Table, file: str) -> list[Defect]:
    return [
        Defect(file, extra.row, extra.column, ", ".join(extra.values), "row_too_long",
               f"the row has {len(extra.values)} value(s) to the right of the last named column "
               f"{table.last_column}, starting in column {extra.column} "
               f"('{', '.join(extra.values)}'): usually a comma inside a value that is not in "
               "quotes, or values typed past the end of the table; fix the row and land the "
               "file again", sensitive=True)
        for extra in table.overflow
    ]


def _ragged(defects: list[Defect], table: Table) -> list[Defect]:
    """Values on rows that do not fit the header may be identifiers in the wrong column."""
    ragged = table.short_rows | {extra.row for extra in table.overflow}
    return [replace(d, sensitive=True) if d.row in ragged else d for d in defects]


def validate_file(landed: LandedFile, account: FileAccount, aliases: Aliases | None = None,
                  sheet: str | None = None) -> tuple[pd.DataFrame, list[Defect]]:
    """One landed return read and checked row by row; file defects raise FileRejected.

    Returns the frame with code columns trimmed and upper-cased, and its row defects.
    """
    table = _read_checked(landed, account, aliases, sheet)
    frame = normalise_codes(table.frame, KINDS[landed.kind][1])
    defects = apply_rules(frame, rules_for(landed.kind, landed.year), landed.display,
                          as_written=table.frame)
    defects.extend(_overflow_defects(table, landed.display))
    return frame, _ragged(defects, table)


def _read_checked(landed: LandedFile, account: FileAccount, aliases: Aliases | None,
                  sheet: str | None) -> Table:
    """The first half of `validate_file`: the file read, with its required columns."""
    try:
        if landed.kind not in KINDS:
            raise FileRejected(Defect(landed.display, None, None, landed.kind, "unknown_kind",
                                      f"'{landed.kind}' is not a return Chorus reads: put it "
                                      f"under {' or '.join(KINDS)}"))
        required, _ = KINDS[landed.kind]
        table = read_return(landed.path, landed.display, landed.kind, aliases, sheet)
        account.rows_read = len(table.frame)
        check_required_columns(table.frame, required, landed.display)
    except FileRejected as rejected:
        account.status = "rejected"
        account.message = str(rejected.defect.public())
        account.rows_quarantined = account.rows_read
        raise
    return table


def _validate_together(kind: str, year: AcademicYear, tables: Sequence[tuple[str, Table]]
                       ) -> list[tuple[pd.DataFrame, list[Defect]]]:
    """`validate_file`'s second half for many files of one kind and year at once: for each
    file, exactly what `validate_file` gives, in the same order.

    The files' code columns are stacked, normalised and checked as one frame (a rule costs
    about the same on one file as on all of them), and the defects are shared out again.
    """
    displays = [display for display, _ in tables]
    if len(tables) < 2 or len(set(displays)) < len(displays):
        return [_validate_one(kind, year, display, table) for display, table in tables]
    codes = KINDS[kind][1]
    raw = pd.concat([table.frame[[*codes, "_source_row"]] for _, table in tables],
                    ignore_index=True)
    frame = raw.copy(deep=False)
    changed = {}
    for column in codes:  # normalise_codes, remembering which columns changed
        normalised = strip_upper_changes(raw[column])
        if normalised is not None:
            frame[column] = normalised
            changed[column] = normalised
    files = np.repeat(np.array(displays, dtype=object),
                      [len(table.frame) for _, table in tables])
    shared: dict[str, list[Defect]] = {display: [] for display in displays}
    for defect in apply_rules(frame, rules_for(kind, year), "", as_written=raw,
                              row_files=files):
        shared[defect.file].append(defect)  # in rule order, then row order, for each file
    results = []
    start = 0
    for display, table in tables:
        stop = start + len(table.frame)
        file_frame = table.frame.copy(deep=False)
        for column, normalised in changed.items():
            file_frame[column] = pd.Series(normalised.to_numpy()[start:stop],
                                           index=file_frame.index, name=column,
                                           dtype=normalised.dtype)
        defects = shared[display] + _overflow_defects(table, display)
        results.append((file_frame, _ragged(defects, table)))
        start = stop
    return results


def _validate_one(kind: str, year: AcademicYear, display: str, table: Table
                  ) -> tuple[pd.DataFrame, list[Defect]]:
    frame = normalise_codes(table.frame, KINDS[kind][1])
    defects = apply_rules(frame, rules_for(kind, year), display, as_written=table.frame)
    defects.extend(_overflow_defects(table, display))
    return frame, _ragged(defects, table)


def _file_hash(path: Path) -> str:
    try:
        return sha256_of(path)
    except OSError:
        return ""


def check_year(
    year: AcademicYear,
    files: Sequence[LandedFile],
    reference: Reference,
    *,
    aliases: Aliases | None = None,
    sheet: str | None = None,
    cross_kind: bool = True,
) -> CheckedYear:
    """Validate every EYFSP and census file of one academic year, without loading anything.

    `cross_kind` False skips the census-missing and EYFSP-missing checks (when only one kind
    of return is being checked). A kind with a rejected file is not used to judge the other.
    Files of other kinds (voice surveys) are not statutory returns and are left alone.
    """
    return _check_year(year, files, reference, aliases, sheet, cross_kind, sectors={})


def _check_year(year: AcademicYear, files: Sequence[LandedFile], reference: Reference,
                aliases: Aliases | None, sheet: str | None, cross_kind: bool,
                sectors: dict[str, str]) -> CheckedYear:
    """`check_year`; `sectors` (postcode -> sector) is filled for the census postcodes."""
    checked = CheckedYear(year=year, frames={kind: [] for kind in KINDS})
    rejected: dict[str, list[str]] = {}
    # Each file read (or rejected) in turn, then the files of each kind validated together;
    # defects and frames come out in file order, as `validate_file` file by file gives them.
    landed_tables: list[tuple[LandedFile, Table | Defect]] = []
    for landed in files:
        if landed.kind not in KINDS:
            continue
        account = FileAccount(landed.display, landed.kind, year.label, _file_hash(landed.path))
        checked.accounts.append(account)
        try:
            landed_tables.append((landed, _read_checked(landed, account, aliases, sheet)))
        except FileRejected as rejection:
            landed_tables.append((landed, rejection.defect))
    groups: dict[tuple[str, AcademicYear], list[tuple[str, Table]]] = {}
    for landed, table in landed_tables:
        if isinstance(table, Table):
            groups.setdefault((landed.kind, landed.year), []).append((landed.display, table))
    validated = {(kind, file_year): iter(_validate_together(kind, file_year, tables))
                 for (kind, file_year), tables in groups.items()}
    for landed, table in landed_tables:
        if isinstance(table, Defect):
            checked.defects.append(table)
            rejected.setdefault(landed.kind, []).append(landed.display)
            continue
        frame, defects = next(validated[(landed.kind, landed.year)])
        checked.defects.extend(defects)
        checked.frames[landed.kind].append((landed.display, frame))

    # Rows whose UPN is already reported (malformed, wrong check letter) are not matched or
    # counted as duplicates: their one defect says what is wrong.
    bad_upns = _rows_by_file((d.file, d.row) for d in checked.defects if d.column == "upn")
    valid = {kind: stacked(kind_frames, without=bad_upns)
             for kind, kind_frames in checked.frames.items()}
    for kind in KINDS:
        checked.defects.extend(duplicates_in(valid[kind]))
    if reference.sectors is None:
        checked.notes.append("postcode sectors were not checked: the neighbourhood lookup "
                             "could not be read")
    else:
        checked.defects.extend(_unknown_sectors(checked.frames["census"], reference.sectors,
                                                sectors))
    if reference.la_codes is None:
        checked.notes.append("LA numbers were not checked against seeds/local_authorities.csv: "
                             "it could not be read")
    else:
        checked.defects.extend(_unknown_la_codes(checked.frames["eyfsp"], reference.la_codes))
    checked.defects.extend(_unmatched_children(valid, year, cross_kind, rejected, checked.notes))

    quarantined = Counter(file for file, _ in checked.bad_rows)
    for account in checked.accounts:
        if account.status == "loaded":
            account.rows_quarantined = quarantined[account.file]
            account.rows_loaded = account.rows_read - account.rows_quarantined
    return checked


def _rows_by_file(places: Iterable[tuple[str, int | None]]) -> dict[str, set[int | None]]:
    """{file: its rows} from (file, row) pairs."""
    rows: dict[str, set[int | None]] = defaultdict(set)
    for file, row in places:
        rows[file].add(row)
    return rows


def _without_rows(frame: pd.DataFrame, rows: set[int | None] | None) -> pd.DataFrame:
    """The frame without the given spreadsheet rows."""
    return frame[~frame["_source_row"].isin(rows or set())]


def load_year(
    year: AcademicYear,
    files: Sequence[LandedFile],
    reference: Reference,
    pseudonym_key: str,
    *,
    aliases: Aliases | None = None,
    sheet: str | None = None,
) -> YearLoad:
    """Validate and pseudonymise every EYFSP and census file landed for one academic year.

    `aliases` ({source: {alias: column}}, from `indicators.readers.load_aliases`) maps the
    LA's headers; `sheet` names the worksheet of .xlsx files (default: the first).
    """
    sectors: dict[str, str] = {}
    checked = _check_year(year, files, reference, aliases, sheet, True, sectors)
    bad_rows = checked.bad_rows
    loaded = {kind: _good_rows(kind_frames, bad_rows)
              for kind, kind_frames in checked.frames.items()}
    pseudonyms: dict[str, str] = {}  # a child is in both returns: one HMAC each
    return YearLoad(
        year=year,
        eyfsp=_pseudonymised_eyfsp(loaded["eyfsp"], year, pseudonym_key, pseudonyms),
        census=_pseudonymised_census(loaded["census"], year, pseudonym_key, sectors,
                                     pseudonyms),
        defects=checked.defects,
        accounts=checked.accounts,
        notes=checked.notes,
    )


def _good_rows(frames: Sequence[tuple[str, pd.DataFrame]], bad_rows: set[tuple[str, int]]
               ) -> pd.DataFrame:
    kept = []
    bad = _rows_by_file(bad_rows)
    for file, frame in frames:
        kept.append(_without_rows(frame, bad.get(file)).assign(_source_file=file))
    return pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()


def _unknown_sectors(census: Sequence[tuple[str, pd.DataFrame]], known: frozenset[str],
                     cache: dict[str, str]) -> list[Defect]:
    defects = []
    stack = stacked(census, ["postcode"])
    postcodes = pd.Series(stack.values["postcode"], dtype=object)
    sectors = postcode_sector(postcodes, cache)
    unknown = postcodes_well_formed(postcodes) & ~sectors.isin(known)
    sectors = sectors.tolist()
    for (file, row, (value, sector)) in stacked_with(stack, "sector", sectors).where(unknown):
        defects.append(Defect(
            file, int(row), "postcode", value, "postcode_sector_unknown",
            f"postcode '{value}' is in sector {sector}, which is not in the neighbourhood "
            "lookup (seeds/neighbourhood_lookup.csv): add the sector or correct the postcode",
        ))
    return defects


def _unknown_la_codes(eyfsp: Sequence[tuple[str, pd.DataFrame]], known: frozenset[str]
                      ) -> list[Defect]:
    defects = []
    stack = stacked(eyfsp, ["la_code"])
    codes = pd.Series(stack.values["la_code"], dtype=object)
    three_digits = re.compile(r"\d{3}")
    unknown = failing_values(codes, lambda code: three_digits.fullmatch(code) is not None
                             and code not in known,
                             lambda values: values.str.fullmatch(r"\d{3}") & ~values.isin(known))
    for file, row, (value,) in stack.where(unknown):
        defects.append(Defect(
            file, int(row), "la_code", value, "la_code_unknown",
            f"LA number {value} is not in seeds/local_authorities.csv: add the authority "
            "or correct the number",
        ))
    return defects


def stacked_with(stack: Stack, column: str, values: list[object]) -> Stack:
    """The stack with one more column."""
    return Stack(stack.files, stack.rows, {**stack.values, column: values})


def _unmatched_children(stacks: dict[str, Stack], year: AcademicYear, cross_kind: bool,
                        rejected: dict[str, list[str]], notes: list[str]) -> list[Defect]:
    """An EYFSP child needs a census row (to place them) and a census row needs an EYFSP child.

    `stacks` holds each kind's files `stacked`, without rows whose UPN is already reported.
    """
    upns = {kind: (set(stack.values["upn"]) if stack.text("upn")
                   else pd.Series(stack.values["upn"], dtype=object))
            for kind, stack in stacks.items()}
    if not cross_kind:
        notes.append(f"{year.label}: EYFSP and census returns were not matched to each other "
                     "(only one kind was checked): check both together to match them")
        return []
    defects = []
    for kind, other, rule, why in (
        ("eyfsp", "census", "census_missing",
         "no census row has UPN '{upn}', so the child cannot be placed in a neighbourhood: add "
         f"them to the {year.label} census extract"),
        ("census", "eyfsp", "eyfsp_missing",
         f"no EYFSP result has UPN '{{upn}}' in {year.label}: remove the row or land the "
         "missing result"),
    ):
        if rejected.get(other):
            notes.append(f"{year.label}: {kind} rows were not matched to the {other} return, "
                         f"because {', '.join(rejected[other])} was rejected")
            continue
        stack, known = stacks[kind], upns[other]
        if isinstance(known, set) and isinstance(upns[kind], set):
            missing = ([] if known.issuperset(upns[kind])  # every child matched, as usual
                       else [upn not in known for upn in stack.values["upn"]])
        else:  # not all text: as pandas matches them
            missing = ~pd.Series(stack.values["upn"], dtype=object).isin(
                pd.Series(stacks[other].values["upn"], dtype=object))
        for file, row, (value,) in stack.where(missing):
            defects.append(Defect(file, int(row), "upn", value, rule, why.format(upn=value)))
    return defects


def _pseudonymised_eyfsp(frame: pd.DataFrame, year: AcademicYear, key: str,
                         pseudonyms: dict[str, str] | None = None) -> pd.DataFrame:
    columns = ["academic_year", "time_period", "child_id", "la_code", "estab", "sex",
               "birth_month", *ELG_COLUMNS, "_source_file", "_source_row"]
    if frame.empty:
        return pd.DataFrame({column: pd.Series(dtype="string") for column in columns})
    out = pd.DataFrame({
        "academic_year": year.label,
        "time_period": year.time_period,
        "child_id": pseudonymise(frame["upn"], key, pseudonyms),
        "la_code": frame["la_code"],
        "estab": frame["estab"],
        "sex": frame["sex"],
        "birth_month": birth_year_month(parse_dates(frame["dob"])),
        **{column: frame[column] for column in ELG_COLUMNS},
        "_source_file": frame["_source_file"],
        "_source_row": frame["_source_row"],
    })
    return out[columns]


def _pseudonymised_census(frame: pd.DataFrame, year: AcademicYear, key: str,
                          sectors: dict[str, str] | None = None,
                          pseudonyms: dict[str, str] | None = None) -> pd.DataFrame:
    columns = ["academic_year", "time_period", "child_id", "fsm_eligible", "first_language",
               "sen_provision", "ethnicity", "postcode_sector", "_source_file", "_source_row"]
    if frame.empty:
        return pd.DataFrame({column: pd.Series(dtype="string") for column in columns})
    out = pd.DataFrame({
        "academic_year": year.label,
        "time_period": year.time_period,
        "child_id": pseudonymise(frame["upn"], key, pseudonyms),
        "fsm_eligible": frame["fsm_eligible"],
        "first_language": frame["first_language"],
        "sen_provision": frame["sen_provision"],
        "ethnicity": frame["ethnicity"],
        "postcode_sector": postcode_sector(frame["postcode"], sectors),
        "_source_file": frame["_source_file"],
        "_source_row": frame["_source_row"],
    })
    return out[columns]


def read_neighbourhood_lookup(path: Path) -> tuple[pd.DataFrame, list[Defect]]:
    """The LA's postcode sector -> neighbourhood lookup. Conflicts reject the whole lookup."""
    display = f"seeds/{path.name}"
    frame = read_table(path, display)
    check_required_columns(frame, LOOKUP_REQUIRED, display)
    frame["postcode_sector"] = frame["postcode_sector"].str.upper().str.strip().str.replace(
        r"\s+", " ", regex=True)
    frame["neighbourhood_code"] = frame["neighbourhood_code"].str.strip()
    frame["neighbourhood_name"] = frame["neighbourhood_name"].str.strip()
    defects = []
    for column in LOOKUP_REQUIRED:
        for row in frame.loc[frame[column] == "", "_source_row"]:
            defects.append(Defect(display, int(row), column, "", "lookup_blank",
                                  f"{column} is blank: every sector needs a neighbourhood"))
    conflicts = frame.groupby("postcode_sector")["neighbourhood_code"].nunique()
    for sector in conflicts[conflicts > 1].index:
        rows = frame.loc[frame["postcode_sector"] == sector]
        listed = ", ".join(f"row {r} -> {c}" for r, c in zip(rows["_source_row"],
                                                            rows["neighbourhood_code"],
                                                            strict=True))
        defects.append(Defect(display, int(rows["_source_row"].iloc[0]), "postcode_sector",
                              sector, "lookup_sector_conflict",
                              f"sector {sector} maps to more than one neighbourhood ({listed}): "
                              "each sector must belong to exactly one"))
    names = frame.groupby("neighbourhood_code")["neighbourhood_name"].nunique()
    for code in names[names > 1].index:
        defects.append(Defect(display, None, "neighbourhood_name", code, "lookup_name_conflict",
                              f"neighbourhood {code} has more than one name: use one"))
    lookup = frame.drop_duplicates(subset=list(LOOKUP_REQUIRED))[list(LOOKUP_REQUIRED)]
    return lookup.reset_index(drop=True), defects


def read_local_authorities(path: Path) -> pd.DataFrame:
    display = f"seeds/{path.name}"
    frame = read_table(path, display)
    check_required_columns(frame, AUTHORITIES_REQUIRED, display)
    for column in AUTHORITIES_REQUIRED:
        frame[column] = frame[column].str.strip()
    return frame[list(AUTHORITIES_REQUIRED)]


def read_reference(landing: Path | None, seeds: Path) -> tuple[Reference, list[Defect]]:
    """The neighbourhood lookup and LA list as `load_year` needs them, read from files.

    Each comes from the landing area's seeds/ if it brings one, else from `seeds`. A file that
    cannot be read gives a defect and None in the Reference (its check is then skipped).
    """
    root = landing if landing is not None else seeds
    defects: list[Defect] = []
    sectors: frozenset[str] | None = None
    la_codes: frozenset[str] | None = None
    try:
        lookup, lookup_defects = read_neighbourhood_lookup(
            reference_file("neighbourhood_lookup", root, seeds))
        defects.extend(lookup_defects)
        sectors = frozenset(lookup["postcode_sector"])
    except FileRejected as rejected:
        defects.append(rejected.defect)
    try:
        authorities = read_local_authorities(reference_file("local_authorities", root, seeds))
        la_codes = frozenset(authorities["la_code"])
    except FileRejected as rejected:
        defects.append(rejected.defect)
    return Reference(sectors=sectors, la_codes=la_codes), defects
