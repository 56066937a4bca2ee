"""Read, validate and pseudonymise a year's statutory returns, ready for the raw tables.

Pure: files in, data frames and defects out. The orchestration layer writes them to the
warehouse. Accounting holds for every file: rows read = rows loaded + rows quarantined (a
rejected file counts all its rows as quarantined: nothing is loaded from it).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.landing import LandedFile, reference_file, sha256_of
from indicators.privacy import birth_year_month, postcode_sector, pseudonymise
from indicators.readers import (
    Aliases,
    Table,
    canonical_header,
    read_return,
    read_table,
    rows_landed,
)
from indicators.reference import ELG_COLUMNS, AcademicYear
from indicators.validation import (
    CENSUS_REQUIRED,
    EYFSP_REQUIRED,
    Defect,
    FileRejected,
    RowRule,
    Stack,
    apply_rules,
    cell_rules,
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
    "AUTHORITIES_REQUIRED", "CheckedYear", "FileAccount", "LOOKUP_REQUIRED", "REFERENCE_KIND",
    "Reference", "ReferenceCheck", "STATUTORY_KINDS",
    "YearLoad", "canonical_header", "check_local_authorities", "check_neighbourhood_lookup",
    "check_year", "load_year", "read_local_authorities", "read_neighbourhood_lookup",
    "read_reference", "read_table", "reference_from",
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
    sector_problems: Mapping[str, str] = field(default_factory=dict)
    """Sectors whose lookup rows were set aside (a conflict, say) -> why, in words."""
    la_problems: Mapping[str, str] = field(default_factory=dict)
    """LA numbers whose rows in the LA list were set aside -> why, in words."""
    placement: Mapping[str, str] | None = None
    """Postcode sector -> neighbourhood code (the lookup's usable rows), when read."""
    neighbourhood_names: tuple[str, ...] = ()


CHECKED_NAMES = {"eyfsp": ("surname", "forename"), "census": ()}
"""Columns read but dropped at ingest: still checked for control characters."""


def rules_for(kind: str, year: AcademicYear) -> list[RowRule]:
    """Each kind's rules: control characters and line breaks in any cell first, then the
    columns' own rules (see `cell_rules`)."""
    cells = [*cell_rules(KINDS[kind][1]), *cell_rules(CHECKED_NAMES[kind], line_breaks=False)]
    return cells + (eyfsp_rules(year) if kind == "eyfsp" else census_rules())


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
        if not account.rows_read:  # rejected before its rows could be read: counted anyway
            account.rows_read = rows_landed(landed.path, sheet)
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
    raw = pd.concat([table.frame[[*codes, *CHECKED_NAMES[kind], "_source_row"]]
                     for _, table in tables], ignore_index=True)
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
    """The file's sha256, or "" when it cannot be opened: reading it next rejects the file
    with the reason (`read_return`), so the account says why."""
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

    `cross_kind` False skips the census-missing and EYFSP-missing checks, and holding a child
    quarantined in one return back from the other (when only one kind of return is being
    checked). Otherwise a child is in both returns or neither: missing from the other (its
    file rejected or not landed, said so), or quarantined there, it is quarantined here too.
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
                                                sectors, reference.sector_problems))
    if reference.la_codes is None:
        checked.notes.append("LA numbers were not checked against seeds/local_authorities.csv: "
                             "it could not be read")
    else:
        checked.defects.extend(_unknown_la_codes(checked.frames["eyfsp"], reference.la_codes,
                                                 reference.la_problems))
    landed_kinds = {landed.kind for landed in files if landed.kind in KINDS}
    checked.defects.extend(_unmatched_children(valid, year, cross_kind, rejected, landed_kinds,
                                               checked.notes))
    if cross_kind and reference.placement is not None:
        checked.defects.extend(_other_authority_children(checked.frames, checked.defects,
                                                         reference, sectors))
    if cross_kind:
        checked.defects.extend(_partners_held_back(valid, checked.defects))

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
                     cache: dict[str, str], set_aside: Mapping[str, str] | None = None
                     ) -> list[Defect]:
    """Census rows whose postcode's sector is not in the lookup (or was set aside there)."""
    defects = []
    set_aside = set_aside or {}
    stack = stacked(census, ["postcode"])
    postcodes = pd.Series(stack.values["postcode"], dtype=object)
    sectors = postcode_sector(postcodes, cache)
    unknown = postcodes_well_formed(postcodes) & ~sectors.isin(known)
    sectors = sectors.tolist()
    for (file, row, (value, sector)) in stacked_with(stack, "sector", sectors).where(unknown):
        if sector in set_aside:
            defects.append(Defect(
                file, int(row), "postcode", value, "postcode_sector_set_aside",
                f"postcode '{value}' is in sector {sector}, whose row in the neighbourhood "
                f"lookup was set aside: {set_aside[sector]}; correct "
                "seeds/neighbourhood_lookup.csv and run again"))
            continue
        defects.append(Defect(
            file, int(row), "postcode", value, "postcode_sector_unknown",
            f"postcode '{value}' is in sector {sector}, which is not in the neighbourhood "
            "lookup (seeds/neighbourhood_lookup.csv): add the sector or correct the postcode",
        ))
    return defects


def _unknown_la_codes(eyfsp: Sequence[tuple[str, pd.DataFrame]], known: frozenset[str],
                      set_aside: Mapping[str, str] | None = None) -> list[Defect]:
    defects = []
    set_aside = set_aside or {}
    stack = stacked(eyfsp, ["la_code"])
    codes = pd.Series(stack.values["la_code"], dtype=object)
    three_digits = re.compile(r"\d{3}")
    unknown = failing_values(codes, lambda code: three_digits.fullmatch(code) is not None
                             and code not in known,
                             lambda values: values.str.fullmatch(r"\d{3}") & ~values.isin(known))
    for file, row, (value,) in stack.where(unknown):
        if value in set_aside:
            defects.append(Defect(
                file, int(row), "la_code", value, "la_code_set_aside",
                f"LA number {value} has its row in seeds/local_authorities.csv set aside: "
                f"{set_aside[value]}; correct the LA list and run again"))
            continue
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
                        rejected: dict[str, list[str]], landed_kinds: set[str],
                        notes: list[str]) -> list[Defect]:
    """An EYFSP child needs a census row (to place them) and a census row needs an EYFSP child.

    `stacks` holds each kind's files `stacked`, without rows whose UPN is already reported.
    A child is matched against the other kind's files that could be read; when one was
    rejected, or none was landed, the message says so (the child may be in it), because a
    child loaded from one return without the other could not be placed or counted.
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
        label = "census extract" if other == "census" else "EYFSP return"
        if rejected.get(other):
            files = ", ".join(rejected[other])
            why = (f"no {other} row that could be read has UPN '{{upn}}', and {files} was "
                   f"rejected, so the child is held back (they may be in it): fix {files} "
                   "and land it again")
        elif other not in landed_kinds:
            why = (f"no {year.label} {label} is landed, so the child is held back: land it "
                   f"under {other}/{year.folder}/")
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


def _other_authority_children(frames: Frames, defects: Sequence[Defect], reference: Reference,
                              cache: dict[str, str]) -> list[Defect]:
    """EYFSP rows whose LA number is not the authority of the child's neighbourhood.

    A neighbourhood belongs to one authority (the publication nests neighbourhoods in their
    authority), and the lookup declares only sectors and neighbourhoods. So the authority of
    a neighbourhood is the LA number most of its children (rows without other defects, placed
    by their census postcode) are returned under; on a tie, the LA with more children in the
    year, then the lower number. A child returned under another LA number (a row for another
    authority among this one's, usually a typing slip) is quarantined; its census row is then
    held back too (`_partners_held_back`).
    """
    placement = reference.placement or {}
    bad = {(defect.file, defect.row) for defect in defects if defect.row is not None}
    children = stacked(frames["eyfsp"], ["upn", "la_code"])
    homes = stacked(frames["census"], ["upn", "postcode"])
    sectors = postcode_sector(pd.Series(homes.values["postcode"], dtype=object), cache).tolist()
    neighbourhood_of: dict[object, str] = {}
    for file, row, upn, sector in zip(homes.files, homes.rows, homes.values["upn"], sectors,
                                      strict=True):
        if (file, row) not in bad and sector in placement:
            neighbourhood_of[upn] = placement[sector]
    placed = [(file, row, upn, la_code, neighbourhood_of[upn])
              for file, row, upn, la_code in zip(children.files, children.rows,
                                                  children.values["upn"],
                                                  children.values["la_code"], strict=True)
              if (file, row) not in bad and upn in neighbourhood_of]
    by_neighbourhood: dict[str, Counter[str]] = defaultdict(Counter)
    for *_, la_code, neighbourhood in placed:
        by_neighbourhood[neighbourhood][la_code] += 1
    if all(len(codes) == 1 for codes in by_neighbourhood.values()):
        return []  # every neighbourhood's children under one LA number, as usual
    in_year = Counter(la_code for *_, la_code, _ in placed)
    owner = {neighbourhood: max(codes, key=lambda code: (codes[code], in_year[code],
                                                          -int(code)))
             for neighbourhood, codes in by_neighbourhood.items()}
    found = []
    for file, row, _, la_code, neighbourhood in placed:
        if la_code == owner[neighbourhood]:
            continue
        codes = by_neighbourhood[neighbourhood]
        found.append(Defect(
            file, int(row), "la_code", str(la_code), "la_code_not_neighbourhood",
            f"LA number {la_code} is not the authority of this child's neighbourhood "
            f"{neighbourhood} (from the census postcode): {codes[owner[neighbourhood]]:,} of "
            f"its {sum(codes.values()):,} children this year are returned under LA "
            f"{owner[neighbourhood]}, and a neighbourhood belongs to one authority; correct "
            "the LA number (or the census postcode) and land the file again"))
    return found


def _partners_held_back(stacks: dict[str, Stack], defects: Sequence[Defect]) -> list[Defect]:
    """A child quarantined in one return (any rule) is quarantined in the other too.

    Every stage after ingest then sees the same children in both returns. `stacks` holds each
    kind's rows without those whose UPN is itself reported (they match nothing); each row
    held back names the other return's rows, and their rules, as a person finds them.
    """
    bad: dict[tuple[str, int], list[str]] = defaultdict(list)
    for defect in defects:
        if defect.row is not None:
            bad[(defect.file, defect.row)].append(defect.rule)
    held: dict[str, dict[object, list[tuple[str, int, list[str]]]]] = {}
    for kind, stack in stacks.items():
        places: dict[object, list[tuple[str, int, list[str]]]] = defaultdict(list)
        for file, row, upn in zip(stack.files, stack.rows, stack.values["upn"], strict=True):
            if (file, row) in bad:
                places[upn].append((file, row, bad[(file, row)]))
        held[kind] = places
    partners = []
    for kind, other, rule in (("eyfsp", "census", "census_row_quarantined"),
                              ("census", "eyfsp", "eyfsp_row_quarantined")):
        label = "census" if other == "census" else "EYFSP"
        stack, others = stacks[kind], held[other]
        if not others:
            continue
        for file, row, upn in zip(stack.files, stack.rows, stack.values["upn"], strict=True):
            if (file, row) in bad or upn not in others:
                continue
            where = "; ".join(f"{other_file}, row {other_row} ({', '.join(rules)})"
                              for other_file, other_row, rules in others[upn][:3])
            more = len(others[upn]) - 3
            where += f" and {more} more" if more > 0 else ""
            partners.append(Defect(
                file, int(row), "upn", str(upn), rule,
                f"this child's {label} row is quarantined: {where}. The child is held back "
                "from both returns until it is fixed: fix that row and land the file again"))
    return partners


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


REFERENCE_KIND = "reference"
"""The kind under which reference files (the neighbourhood lookup, the LA list) are accounted
for in the load log and the quarantine, beside the landed returns."""


@dataclass
class ReferenceCheck:
    """A reference file read and checked row by row: the rows Chorus uses, and every row set
    aside with its defect. What depends on a set-aside row (a child in its sector, a return
    with its LA number) is quarantined with that reason; the rest loads."""

    frame: pd.DataFrame
    """The usable rows (duplicates of a usable row removed)."""
    defects: list[Defect]
    account: FileAccount
    set_aside: dict[str, str] = field(default_factory=dict)
    """Key (postcode sector, LA number) of a set-aside row -> why, in words."""


def _reference_account(path: Path, display: str) -> FileAccount:
    return FileAccount(display, REFERENCE_KIND, "", _file_hash(path))


def _settle(check: ReferenceCheck, keep: pd.Series, columns: Sequence[str]) -> ReferenceCheck:
    """The account, and the usable rows (`keep`), of a checked reference file."""
    bad_rows = {defect.row for defect in check.defects if defect.row is not None}
    check.account.rows_quarantined = len(bad_rows)
    check.account.rows_loaded = check.account.rows_read - len(bad_rows)
    check.frame = check.frame.loc[keep, list(columns)].drop_duplicates().reset_index(drop=True)
    return check


def _rows_listed(rows: pd.DataFrame, column: str) -> str:
    return ", ".join(f"row {row} -> {value}" for row, value in zip(
        rows["_source_row"], rows[column], strict=True))


def check_neighbourhood_lookup(path: Path) -> ReferenceCheck:
    """The LA's postcode sector -> neighbourhood lookup, checked row by row.

    A row with a blank field, a sector given more than one neighbourhood, or a neighbourhood
    given more than one name is set aside (each of its rows a defect): nothing can be placed
    there reliably, so the children and responses in such a sector are quarantined, and
    everything else is placed. An unreadable file, or one without the columns, raises
    FileRejected.
    """
    display = f"seeds/{path.name}"
    account = _reference_account(path, display)
    frame = read_table(path, display)
    account.rows_read = len(frame)
    check_required_columns(frame, LOOKUP_REQUIRED, display)
    frame["postcode_sector"] = frame["postcode_sector"].str.upper().str.strip().str.replace(
        r"\s+", " ", regex=True)
    frame["neighbourhood_code"] = frame["neighbourhood_code"].str.strip()
    frame["neighbourhood_name"] = frame["neighbourhood_name"].str.strip()
    check = ReferenceCheck(frame, [], account)
    keep = pd.Series(True, index=frame.index)
    for column in LOOKUP_REQUIRED:
        blank = frame[column] == ""
        for row, sector in zip(frame.loc[blank, "_source_row"],
                               frame.loc[blank, "postcode_sector"], strict=True):
            check.defects.append(Defect(display, int(row), column, "", "lookup_blank",
                                        f"{column} is blank: every sector needs a "
                                        "neighbourhood code and name; the row is set aside"))
            if sector:
                check.set_aside.setdefault(sector, f"row {row} has no {column}")
        keep &= ~blank
    usable = frame[keep]
    conflicts = usable.groupby("postcode_sector")["neighbourhood_code"].nunique()
    for sector in conflicts[conflicts > 1].index:
        rows = usable[usable["postcode_sector"] == sector]
        listed = _rows_listed(rows, "neighbourhood_code")
        for row in rows["_source_row"]:
            check.defects.append(Defect(
                display, int(row), "postcode_sector", sector, "lookup_sector_conflict",
                f"sector {sector} maps to more than one neighbourhood ({listed}): each sector "
                "must belong to exactly one; its rows are set aside"))
        check.set_aside[sector] = f"it maps to more than one neighbourhood ({listed})"
        keep &= frame["postcode_sector"] != sector
    usable = frame[keep]
    names = usable.groupby("neighbourhood_code")["neighbourhood_name"].nunique()
    for code in names[names > 1].index:
        rows = usable[usable["neighbourhood_code"] == code]
        listed = _rows_listed(rows, "neighbourhood_name")
        for row in rows["_source_row"]:
            check.defects.append(Defect(
                display, int(row), "neighbourhood_name", code, "lookup_name_conflict",
                f"neighbourhood {code} has more than one name ({listed}): use one; its rows "
                "are set aside"))
        for sector in rows["postcode_sector"]:
            check.set_aside[sector] = f"its neighbourhood {code} has more than one name"
        keep &= frame["neighbourhood_code"] != code
    return _settle(check, keep, LOOKUP_REQUIRED)


def read_neighbourhood_lookup(path: Path) -> tuple[pd.DataFrame, list[Defect]]:
    """The lookup's usable rows and the others' defects (`check_neighbourhood_lookup`)."""
    check = check_neighbourhood_lookup(path)
    return check.frame, check.defects


def check_local_authorities(path: Path) -> ReferenceCheck:
    """The LA list (LA number, ONS code, name), checked row by row: a blank field, an LA
    number that is not 3 digits, or an LA number or ONS code listed twice sets the row aside
    (returns with that number are then quarantined); the rest is used."""
    display = f"seeds/{path.name}"
    account = _reference_account(path, display)
    frame = read_table(path, display)
    account.rows_read = len(frame)
    check_required_columns(frame, AUTHORITIES_REQUIRED, display)
    for column in AUTHORITIES_REQUIRED:
        frame[column] = frame[column].str.strip()
    check = ReferenceCheck(frame, [], account)
    keep = pd.Series(True, index=frame.index)
    for column in AUTHORITIES_REQUIRED:
        blank = frame[column] == ""
        for row, code in zip(frame.loc[blank, "_source_row"], frame.loc[blank, "la_code"],
                             strict=True):
            check.defects.append(Defect(display, int(row), column, "", "la_blank",
                                        f"{column} is blank: every authority needs its LA "
                                        "number, ONS code and name; the row is set aside"))
            if code:
                check.set_aside.setdefault(code, f"row {row} has no {column}")
        keep &= ~blank
    malformed = keep & ~frame["la_code"].str.fullmatch(r"\d{3}")
    for row, code in zip(frame.loc[malformed, "_source_row"], frame.loc[malformed, "la_code"],
                         strict=True):
        check.defects.append(Defect(display, int(row), "la_code", code, "la_code_format",
                                    f"la_code is '{code}': an LA number is 3 digits; the row "
                                    "is set aside"))
    keep &= ~malformed
    distinct = frame[keep].drop_duplicates(subset=list(AUTHORITIES_REQUIRED))
    for column in ("la_code", "new_la_code"):
        repeated = distinct[distinct[column].duplicated(keep=False)]
        for value in repeated[column].unique():
            all_rows = frame[keep & (frame[column] == value)]
            listed = ", ".join(f"row {row}" for row in all_rows["_source_row"])
            for row in all_rows["_source_row"]:
                check.defects.append(Defect(
                    display, int(row), column, value, "la_listed_twice",
                    f"{column} {value} is given to more than one authority ({listed}): keep "
                    "one; its rows are set aside"))
            for code in all_rows["la_code"]:
                check.set_aside[code] = f"{column} {value} is listed twice ({listed})"
            keep &= frame[column] != value
    return _settle(check, keep, AUTHORITIES_REQUIRED)


def read_local_authorities(path: Path) -> pd.DataFrame:
    """The usable rows of the LA list (`check_local_authorities`)."""
    return check_local_authorities(path).frame


def read_reference(landing: Path | None, seeds: Path) -> tuple[Reference, list[Defect]]:
    """The neighbourhood lookup and LA list as `load_year` needs them, read from files.

    Each comes from the landing area's seeds/ if it brings one, else from `seeds`. A file that
    cannot be read gives a defect and None in the Reference (its check is then skipped); rows
    set aside in it give defects, and what depends on them is quarantined.
    """
    root = landing if landing is not None else seeds
    defects: list[Defect] = []
    lookup: ReferenceCheck | None = None
    authorities: ReferenceCheck | None = None
    try:
        lookup = check_neighbourhood_lookup(reference_file("neighbourhood_lookup", root, seeds))
        defects.extend(lookup.defects)
    except FileRejected as rejected:
        defects.append(rejected.defect)
    try:
        authorities = check_local_authorities(reference_file("local_authorities", root, seeds))
        defects.extend(authorities.defects)
    except FileRejected as rejected:
        defects.append(rejected.defect)
    return reference_from(lookup, authorities), defects


def reference_from(lookup: ReferenceCheck | None, authorities: ReferenceCheck | None
                   ) -> Reference:
    """The Reference the checked lookup and LA list give (None where one could not be read)."""
    placement = (None if lookup is None else dict(zip(
        lookup.frame["postcode_sector"], lookup.frame["neighbourhood_code"], strict=True)))
    return Reference(
        sectors=None if lookup is None else frozenset(lookup.frame["postcode_sector"]),
        la_codes=None if authorities is None else frozenset(authorities.frame["la_code"]),
        sector_problems={} if lookup is None else dict(lookup.set_aside),
        la_problems={} if authorities is None else dict(authorities.set_aside),
        placement=placement,
        neighbourhood_names=() if lookup is None else tuple(
            lookup.frame["neighbourhood_name"].unique()),
    )
