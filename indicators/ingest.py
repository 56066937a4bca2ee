"""Read, validate and pseudonymise a year's statutory returns, ready for the raw tables.

Pure: files in, data frames and defects out. The orchestration layer writes them to the
warehouse. Accounting holds for every file: rows read = rows loaded + rows quarantined (a
rejected file counts all its rows as quarantined: nothing is loaded from it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from indicators.landing import LandedFile, sha256_of
from indicators.privacy import birth_year_month, postcode_sector, pseudonymise
from indicators.reference import ELG_COLUMNS, AcademicYear
from indicators.validation import (
    CENSUS_REQUIRED,
    EYFSP_REQUIRED,
    Defect,
    FileRejected,
    apply_rules,
    census_rules,
    check_required_columns,
    duplicate_upns,
    eyfsp_rules,
    normalise_codes,
    parse_dates,
)

EYFSP_CODE_COLUMNS = ("la_code", "estab", "upn", "sex", "dob", *ELG_COLUMNS)
CENSUS_CODE_COLUMNS = ("upn", "fsm_eligible", "first_language", "sen_provision", "ethnicity",
                       "postcode")
LOOKUP_REQUIRED = ("postcode_sector", "neighbourhood_code", "neighbourhood_name")
AUTHORITIES_REQUIRED = ("la_code", "new_la_code", "la_name")


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


def canonical_header(name: str) -> str:
    """'Date of Birth ' -> 'date_of_birth'; headers are matched case-insensitively."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def read_table(path: Path, display: str) -> pd.DataFrame:
    """A CSV as text columns with canonical headers and a `_source_row` (header = row 1)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                            skipinitialspace=False)
    except pd.errors.EmptyDataError:
        raise FileRejected(Defect(display, None, None, "", "empty_file",
                                  "the file is empty: no header and no rows")) from None
    except UnicodeDecodeError as error:
        raise FileRejected(Defect(
            display, None, None, "", "unreadable_file",
            f"the file is not UTF-8 text (byte {error.start}); save it as CSV UTF-8 and land "
            "it again")) from None
    except (pd.errors.ParserError, ValueError) as error:
        reason = str(error).strip().splitlines()[-1]
        raise FileRejected(Defect(display, None, None, "", "unreadable_file",
                                  f"the file could not be read as CSV: {reason}")) from None
    frame.columns = [canonical_header(str(column)) for column in frame.columns]
    frame["_source_row"] = range(2, len(frame) + 2)
    return frame


def _read_checked(landed: LandedFile, required: Sequence[str], codes: Sequence[str],
                  account: FileAccount) -> pd.DataFrame | None:
    try:
        frame = read_table(landed.path, landed.display)
        account.rows_read = len(frame)
        check_required_columns(frame, required, landed.display)
        if frame.empty:
            raise FileRejected(Defect(landed.display, None, None, "", "empty_file",
                                      "the file has a header but no rows"))
    except FileRejected as rejected:
        account.status = "rejected"
        account.message = str(rejected.defect)
        account.rows_quarantined = account.rows_read
        raise
    return normalise_codes(frame, codes)


@dataclass(frozen=True)
class Reference:
    """What the LA's reference files say is valid: postcode sectors and LA numbers."""

    sectors: frozenset[str]
    la_codes: frozenset[str]


def load_year(
    year: AcademicYear,
    files: Sequence[LandedFile],
    reference: Reference,
    pseudonym_key: str,
) -> YearLoad:
    """Validate and pseudonymise every EYFSP and census file landed for one academic year."""
    defects: list[Defect] = []
    accounts: list[FileAccount] = []
    frames: dict[str, list[tuple[str, pd.DataFrame]]] = {"eyfsp": [], "census": []}
    for landed in files:
        account = FileAccount(landed.display, landed.kind, year.label, sha256_of(landed.path))
        accounts.append(account)
        spec = ((EYFSP_REQUIRED, EYFSP_CODE_COLUMNS, eyfsp_rules(year))
                if landed.kind == "eyfsp" else (CENSUS_REQUIRED, CENSUS_CODE_COLUMNS,
                                                census_rules()))
        try:
            frame = _read_checked(landed, spec[0], spec[1], account)
        except FileRejected as rejected:
            defects.append(rejected.defect)
            continue
        assert frame is not None
        defects.extend(apply_rules(frame, spec[2], landed.display))
        frames[landed.kind].append((landed.display, frame))

    for kind in frames:
        defects.extend(duplicate_upns(frames[kind]))
    defects.extend(_unknown_sectors(frames["census"], reference.sectors))
    defects.extend(_unknown_la_codes(frames["eyfsp"], reference.la_codes))
    defects.extend(_unmatched_children(frames, year))

    bad_rows = {(d.file, d.row) for d in defects if d.row is not None}
    loaded = {kind: _good_rows(kind_frames, bad_rows) for kind, kind_frames in frames.items()}
    for account in accounts:
        if account.status == "loaded":
            account.rows_quarantined = sum(1 for file, _ in bad_rows if file == account.file)
            account.rows_loaded = account.rows_read - account.rows_quarantined
    return YearLoad(
        year=year,
        eyfsp=_pseudonymised_eyfsp(loaded["eyfsp"], year, pseudonym_key),
        census=_pseudonymised_census(loaded["census"], year, pseudonym_key),
        defects=defects,
        accounts=accounts,
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
        well_formed = frame["postcode"].str.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}")
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


def _unmatched_children(frames: dict[str, list[tuple[str, pd.DataFrame]]], year: AcademicYear
                        ) -> list[Defect]:
    """An EYFSP child needs a census row (to place them) and a census row needs an EYFSP child."""
    upns = {kind: set().union(*(set(f["upn"]) for _, f in kind_frames))
            for kind, kind_frames in frames.items()}
    defects = []
    for kind, other, why in (
        ("eyfsp", "census", "no census row has this UPN, so the child cannot be placed in a "
                            f"neighbourhood: add them to the {year.label} census extract"),
        ("census", "eyfsp", f"no EYFSP result has this UPN in {year.label}: remove the row "
                            "or land the missing result"),
    ):
        for file, frame in frames[kind]:
            missing = ~frame["upn"].isin(upns[other])
            for row, value in zip(frame.loc[missing, "_source_row"], frame.loc[missing, "upn"],
                                  strict=True):
                rule = "census_missing" if kind == "eyfsp" else "eyfsp_missing"
                defects.append(Defect(file, int(row), "upn", value, rule, why))
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
