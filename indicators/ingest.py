"""Read, validate and pseudonymise a year's statutory returns, ready for the raw tables.

Pure: files in, data frames and defects out. The orchestration layer writes them to the
warehouse. Accounting holds for every file: rows read = rows loaded + rows quarantined (a
rejected file counts all its rows as quarantined: nothing is loaded from it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from indicators.landing import LandedFile, reference_file, sha256_of
from indicators.privacy import birth_year_month, postcode_sector, pseudonymise
from indicators.readers import Aliases, Table, canonical_header, read_return, read_table
from indicators.reference import ELG_COLUMNS, AcademicYear
from indicators.validation import (
    CENSUS_REQUIRED,
    EYFSP_REQUIRED,
    POSTCODE_PATTERN,
    Defect,
    FileRejected,
    RowRule,
    apply_rules,
    census_rules,
    check_required_columns,
    duplicate_upns,
    eyfsp_rules,
    normalise_codes,
    parse_dates,
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
    try:
        if landed.kind not in KINDS:
            raise FileRejected(Defect(landed.display, None, None, landed.kind, "unknown_kind",
                                      f"'{landed.kind}' is not a return Chorus reads: put it "
                                      f"under {' or '.join(KINDS)}"))
        required, codes = KINDS[landed.kind]
        table = read_return(landed.path, landed.display, landed.kind, aliases, sheet)
        account.rows_read = len(table.frame)
        check_required_columns(table.frame, required, landed.display)
    except FileRejected as rejected:
        account.status = "rejected"
        account.message = str(rejected.defect.public())
        account.rows_quarantined = account.rows_read
        raise
    frame = normalise_codes(table.frame, codes)
    defects = apply_rules(frame, rules_for(landed.kind, landed.year), landed.display,
                          as_written=table.frame)
    defects.extend(_overflow_defects(table, landed.display))
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
    checked = CheckedYear(year=year, frames={kind: [] for kind in KINDS})
    rejected: dict[str, list[str]] = {}
    for landed in files:
        if landed.kind not in KINDS:
            continue
        account = FileAccount(landed.display, landed.kind, year.label, _file_hash(landed.path))
        checked.accounts.append(account)
        try:
            frame, defects = validate_file(landed, account, aliases, sheet)
        except FileRejected as rejection:
            checked.defects.append(rejection.defect)
            rejected.setdefault(landed.kind, []).append(landed.display)
            continue
        checked.defects.extend(defects)
        checked.frames[landed.kind].append((landed.display, frame))

    # Rows whose UPN is already reported (malformed, wrong check letter) are not matched or
    # counted as duplicates: their one defect says what is wrong.
    bad_upns = {(d.file, d.row) for d in checked.defects if d.column == "upn"}
    valid = {kind: [(file, frame[~frame["_source_row"].isin(
                {row for bad_file, row in bad_upns if bad_file == file})])
                    for file, frame in kind_frames]
             for kind, kind_frames in checked.frames.items()}
    for kind in KINDS:
        checked.defects.extend(duplicate_upns(valid[kind]))
    if reference.sectors is None:
        checked.notes.append("postcode sectors were not checked: the neighbourhood lookup "
                             "could not be read")
    else:
        checked.defects.extend(_unknown_sectors(checked.frames["census"], reference.sectors))
    if reference.la_codes is None:
        checked.notes.append("LA numbers were not checked against seeds/local_authorities.csv: "
                             "it could not be read")
    else:
        checked.defects.extend(_unknown_la_codes(checked.frames["eyfsp"], reference.la_codes))
    checked.defects.extend(_unmatched_children(valid, year, cross_kind, rejected, checked.notes))

    bad_rows = checked.bad_rows
    for account in checked.accounts:
        if account.status == "loaded":
            account.rows_quarantined = sum(1 for file, _ in bad_rows if file == account.file)
            account.rows_loaded = account.rows_read - account.rows_quarantined
    return checked


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
    checked = check_year(year, files, reference, aliases=aliases, sheet=sheet)
    bad_rows = checked.bad_rows
    loaded = {kind: _good_rows(kind_frames, bad_rows)
              for kind, kind_frames in checked.frames.items()}
    return YearLoad(
        year=year,
        eyfsp=_pseudonymised_eyfsp(loaded["eyfsp"], year, pseudonym_key),
        census=_pseudonymised_census(loaded["census"], year, pseudonym_key),
        defects=checked.defects,
        accounts=checked.accounts,
        notes=checked.notes,
    )


def _good_rows(frames: Sequence[tuple[str, pd.DataFrame]], bad_rows: set[tuple[str, int]]
               ) -> pd.DataFrame:
    kept = []
    for file, frame in frames:
        bad = {row for bad_file, row in bad_rows if bad_file == file}
        kept.append(frame[~frame["_source_row"].isin(bad)].assign(_source_file=file))
    return pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()


def _unknown_sectors(census: Sequence[tuple[str, pd.DataFrame]], known: frozenset[str]
                     ) -> list[Defect]:
    defects = []
    for file, frame in census:
        sectors = postcode_sector(frame["postcode"])
        well_formed = frame["postcode"].str.fullmatch(POSTCODE_PATTERN)
        unknown = well_formed & ~sectors.isin(known)
        for row, value, sector in zip(frame.loc[unknown, "_source_row"],
                                      frame.loc[unknown, "postcode"], sectors[unknown],
                                      strict=True):
            defects.append(Defect(
                file, int(row), "postcode", value, "postcode_sector_unknown",
                f"postcode '{value}' is in sector {sector}, which is not in the neighbourhood "
                "lookup (seeds/neighbourhood_lookup.csv): add the sector or correct the postcode",
            ))
    return defects


def _unknown_la_codes(eyfsp: Sequence[tuple[str, pd.DataFrame]], known: frozenset[str]
                      ) -> list[Defect]:
    defects = []
    for file, frame in eyfsp:
        unknown = frame["la_code"].str.fullmatch(r"\d{3}") & ~frame["la_code"].isin(known)
        for row, value in zip(frame.loc[unknown, "_source_row"], frame.loc[unknown, "la_code"],
                              strict=True):
            defects.append(Defect(
                file, int(row), "la_code", value, "la_code_unknown",
                f"LA number {value} is not in seeds/local_authorities.csv: add the authority "
                "or correct the number",
            ))
    return defects


def _unmatched_children(frames: Frames, year: AcademicYear, cross_kind: bool,
                        rejected: dict[str, list[str]], notes: list[str]) -> list[Defect]:
    """An EYFSP child needs a census row (to place them) and a census row needs an EYFSP child."""
    if not cross_kind:
        notes.append(f"{year.label}: EYFSP and census returns were not matched to each other "
                     "(only one kind was checked): check both together to match them")
        return []
    upns = {kind: set().union(*(set(f["upn"]) for _, f in kind_frames))
            for kind, kind_frames in frames.items()}
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
        for file, frame in frames[kind]:
            missing = ~frame["upn"].isin(upns[other])
            for row, value in zip(frame.loc[missing, "_source_row"], frame.loc[missing, "upn"],
                                  strict=True):
                defects.append(Defect(file, int(row), "upn", value, rule, why.format(upn=value)))
    return defects


def _pseudonymised_eyfsp(frame: pd.DataFrame, year: AcademicYear, key: str) -> pd.DataFrame:
    columns = ["academic_year", "time_period", "child_id", "la_code", "estab", "sex",
               "birth_month", *ELG_COLUMNS, "_source_file", "_source_row"]
    if frame.empty:
        return pd.DataFrame({column: pd.Series(dtype="string") for column in columns})
    out = pd.DataFrame({
        "academic_year": year.label,
        "time_period": year.time_period,
        "child_id": pseudonymise(frame["upn"], key),
        "la_code": frame["la_code"],
        "estab": frame["estab"],
        "sex": frame["sex"],
        "birth_month": birth_year_month(parse_dates(frame["dob"])),
        **{column: frame[column] for column in ELG_COLUMNS},
        "_source_file": frame["_source_file"],
        "_source_row": frame["_source_row"],
    })
    return out[columns]


def _pseudonymised_census(frame: pd.DataFrame, year: AcademicYear, key: str) -> pd.DataFrame:
    columns = ["academic_year", "time_period", "child_id", "fsm_eligible", "first_language",
               "sen_provision", "ethnicity", "postcode_sector", "_source_file", "_source_row"]
    if frame.empty:
        return pd.DataFrame({column: pd.Series(dtype="string") for column in columns})
    out = pd.DataFrame({
        "academic_year": year.label,
        "time_period": year.time_period,
        "child_id": pseudonymise(frame["upn"], key),
        "fsm_eligible": frame["fsm_eligible"],
        "first_language": frame["first_language"],
        "sen_provision": frame["sen_provision"],
        "ethnicity": frame["ethnicity"],
        "postcode_sector": postcode_sector(frame["postcode"]),
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
