"""The LA's reference files, read and checked row by row: the postcode sector ->
neighbourhood lookup and the list of local authorities (landing seeds/ or the project's).

Rows in conflict are set aside with their defect (accounted for under kind `reference`);
what depends on them is quarantined, the rest loads. `Reference` is what the returns are
checked against.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from indicators.ingest.area_lists import AreaCodes, read_area_lists
from indicators.ingest.defects import Defect, FileRejected, check_required_columns
from indicators.ingest.landing import FileAccount, file_hash, reference_file
from indicators.ingest.readers import read_table

LOOKUP_REQUIRED = ("postcode_sector", "neighbourhood_code", "neighbourhood_name")
AUTHORITIES_REQUIRED = ("la_code", "new_la_code", "la_name")


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
    areas: Mapping[str, AreaCodes] = field(default_factory=dict)
    """A placement method (team, district) -> the codes its list (seeds/teams.csv...) gives."""


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
    return FileAccount(display, REFERENCE_KIND, "", file_hash(path))


def _settle(check: ReferenceCheck, keep: pd.Series, columns: Sequence[str]) -> ReferenceCheck:
    """The account, and the usable rows (`keep`), of a checked reference file."""
    bad_rows = {defect.row for defect in check.defects if defect.row is not None}
    check.account.rows_quarantined = len(bad_rows)
    check.account.rows_loaded = check.account.rows_read - len(bad_rows)
    check.frame = check.frame.loc[keep, list(columns)].drop_duplicates().reset_index(drop=True)
    return check


def _rows_listed(rows: pd.DataFrame, column: str) -> str:
    return ", ".join(
        f"row {row} -> {value}"
        for row, value in zip(rows["_source_row"], rows[column], strict=True)
    )


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
    frame["postcode_sector"] = (
        frame["postcode_sector"].str.upper().str.strip().str.replace(r"\s+", " ", regex=True)
    )
    frame["neighbourhood_code"] = frame["neighbourhood_code"].str.strip()
    frame["neighbourhood_name"] = frame["neighbourhood_name"].str.strip()
    check = ReferenceCheck(frame, [], account)
    keep = pd.Series(True, index=frame.index)
    for column in LOOKUP_REQUIRED:
        blank = frame[column] == ""
        for row, sector in zip(
            frame.loc[blank, "_source_row"], frame.loc[blank, "postcode_sector"], strict=True
        ):
            check.defects.append(
                Defect(
                    display,
                    int(row),
                    column,
                    "",
                    "lookup_blank",
                    f"{column} is blank: every sector needs a "
                    "neighbourhood code and name; the row is set aside",
                )
            )
            if sector:
                check.set_aside.setdefault(sector, f"row {row} has no {column}")
        keep &= ~blank
    usable = frame[keep]
    conflicts = usable.groupby("postcode_sector")["neighbourhood_code"].nunique()
    for sector in conflicts[conflicts > 1].index:
        rows = usable[usable["postcode_sector"] == sector]
        listed = _rows_listed(rows, "neighbourhood_code")
        for row in rows["_source_row"]:
            check.defects.append(
                Defect(
                    display,
                    int(row),
                    "postcode_sector",
                    sector,
                    "lookup_sector_conflict",
                    f"sector {sector} maps to more than one neighbourhood ({listed}): each sector "
                    "must belong to exactly one; its rows are set aside",
                )
            )
        check.set_aside[sector] = f"it maps to more than one neighbourhood ({listed})"
        keep &= frame["postcode_sector"] != sector
    usable = frame[keep]
    names = usable.groupby("neighbourhood_code")["neighbourhood_name"].nunique()
    for code in names[names > 1].index:
        rows = usable[usable["neighbourhood_code"] == code]
        listed = _rows_listed(rows, "neighbourhood_name")
        for row in rows["_source_row"]:
            check.defects.append(
                Defect(
                    display,
                    int(row),
                    "neighbourhood_name",
                    code,
                    "lookup_name_conflict",
                    f"neighbourhood {code} has more than one name ({listed}): use one; its rows "
                    "are set aside",
                )
            )
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
        for row, code in zip(
            frame.loc[blank, "_source_row"], frame.loc[blank, "la_code"], strict=True
        ):
            check.defects.append(
                Defect(
                    display,
                    int(row),
                    column,
                    "",
                    "la_blank",
                    f"{column} is blank: every authority needs its LA "
                    "number, ONS code and name; the row is set aside",
                )
            )
            if code:
                check.set_aside.setdefault(code, f"row {row} has no {column}")
        keep &= ~blank
    malformed = keep & ~frame["la_code"].str.fullmatch(r"\d{3}")
    for row, code in zip(
        frame.loc[malformed, "_source_row"], frame.loc[malformed, "la_code"], strict=True
    ):
        check.defects.append(
            Defect(
                display,
                int(row),
                "la_code",
                code,
                "la_code_format",
                f"la_code is '{code}': an LA number is 3 digits; the row is set aside",
            )
        )
    keep &= ~malformed
    distinct = frame[keep].drop_duplicates(subset=list(AUTHORITIES_REQUIRED))
    for column in ("la_code", "new_la_code"):
        repeated = distinct[distinct[column].duplicated(keep=False)]
        for value in repeated[column].unique():
            all_rows = frame[keep & (frame[column] == value)]
            listed = ", ".join(f"row {row}" for row in all_rows["_source_row"])
            for row in all_rows["_source_row"]:
                check.defects.append(
                    Defect(
                        display,
                        int(row),
                        column,
                        value,
                        "la_listed_twice",
                        f"{column} {value} is given to more than one authority ({listed}): keep "
                        "one; its rows are set aside",
                    )
                )
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
    areas: dict[str, AreaCodes] = {}
    try:
        areas, area_defects = read_area_lists(
            seeds, *area_context(lookup, authorities), landing=landing
        )
        defects.extend(area_defects)
    except FileRejected as rejected:
        defects.append(rejected.defect)
    return replace(reference_from(lookup, authorities), areas=areas), defects


def area_context(
    lookup: ReferenceCheck | None, authorities: ReferenceCheck | None
) -> tuple[frozenset[str] | None, dict[str, str]]:
    """What the team and district lists are checked against: the LA list's ONS codes, and the
    codes neighbourhoods and authorities already have."""
    taken: dict[str, str] = {}
    if lookup is not None:
        for code, name in zip(
            lookup.frame["neighbourhood_code"], lookup.frame["neighbourhood_name"], strict=True
        ):
            taken[str(code)] = f"neighbourhood {name}"
    if authorities is None:
        return None, taken
    for code, name in zip(
        authorities.frame["new_la_code"], authorities.frame["la_name"], strict=True
    ):
        taken[str(code)] = f"authority {name}"
    return frozenset(authorities.frame["new_la_code"].astype(str)), taken


def reference_from(lookup: ReferenceCheck | None, authorities: ReferenceCheck | None) -> Reference:
    """The Reference the checked lookup and LA list give (None where one could not be read)."""
    placement = (
        None
        if lookup is None
        else dict(
            zip(lookup.frame["postcode_sector"], lookup.frame["neighbourhood_code"], strict=True)
        )
    )
    return Reference(
        sectors=None if lookup is None else frozenset(lookup.frame["postcode_sector"]),
        la_codes=None if authorities is None else frozenset(authorities.frame["la_code"]),
        sector_problems={} if lookup is None else dict(lookup.set_aside),
        la_problems={} if authorities is None else dict(authorities.set_aside),
        placement=placement,
        neighbourhood_names=()
        if lookup is None
        else tuple(lookup.frame["neighbourhood_name"].unique()),
    )
