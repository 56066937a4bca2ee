"""Sources loaded on their own (`stream: standalone` in their spec), by what their spec
declares and nothing else: what `chorus new-source` scaffolds.

For each academic year and source: every file read and checked by the spec's rules
(required columns, cells, formats, code lists, date windows, ranges, the rules across a
row's columns: `row_rules:`, row_checks.py; a period's files of a kind at once,
standalone_checks.py), the key once a year across the year's files, the placement column's
sectors in the neighbourhood lookup (or its teams, districts or LA numbers in their lists:
indicators/ingest/area_lists.py); good rows pseudonymised, reduced or dropped column by
column (`raw_rows`) into the spec's raw table, a free-text column scrubbed and kept only
with consent (`standalone_text.py`). A defect quarantines its row with file, row, column
and rule; a file that cannot be read is rejected whole; rows read = rows loaded + rows
quarantined for every file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from indicators.ingest.area_lists import AREA_LISTS, AreaCodes, unlisted
from indicators.ingest.defects import Defect, FileRejected
from indicators.ingest.landing import FileAccount, LandedFile, file_hash
from indicators.ingest.lookups import Reference
from indicators.ingest.matching import unknown_sectors
from indicators.ingest.readers import Aliases, Table, read_return
from indicators.ingest.spec_rules import SECTOR_PATTERN
from indicators.ingest.standalone_checks import check_files
from indicators.ingest.standalone_text import follow_up_notes, follow_up_rows, keep_free_text
from indicators.ingest.statutory import raw_rows, read_checked
from indicators.periods import Period
from indicators.reference import AcademicYear
from indicators.sources.load import load_sources
from indicators.sources.spec import SourceSpec

STREAM = "standalone"


@dataclass
class StandaloneLoad:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    defects: list[Defect] = field(default_factory=list)
    accounts: list[FileAccount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    follow_up: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Each standalone kind's rows to follow up (standalone_text.follow_up_rows; empty when
    none), for its restricted follow-up list: never published."""


def standalone_specs() -> dict[str, SourceSpec]:
    return {kind: spec for kind, spec in load_sources().items() if spec.stream == STREAM}


def duplicate_keys(spec: SourceSpec, frames: Sequence[tuple[str, pd.DataFrame]]) -> list[Defect]:
    """The same key more than once in a year's files: every occurrence is a defect; the same
    for each of the spec's `also_keys` (a row repeated on two keys is named for each)."""
    keys = [(spec.key, spec.key_rule, spec.key_message)] if spec.key else []
    keys += [(key.columns, key.rule, key.message) for key in spec.also_keys]
    return [
        defect
        for columns, rule, message in keys
        for defect in _repeated(list(columns), rule, message, frames)
    ]


def _repeated(
    columns: list[str], rule: str, message: str, frames: Sequence[tuple[str, pd.DataFrame]]
) -> list[Defect]:
    if not columns or not frames:
        return []
    stacked = pd.concat(
        [frame[[*columns, "_source_row"]].assign(_file=file) for file, frame in frames],
        ignore_index=True,
    )
    blank = (stacked[columns].astype(str).apply(lambda column: column.str.strip()) == "").all(
        axis=1
    )
    repeated = stacked[stacked.duplicated(columns, keep=False) & ~blank]
    defects = []
    for values, group in repeated.groupby(columns, sort=False):
        value = " ".join(str(v) for v in (values if isinstance(values, tuple) else (values,)))
        places = [f"{f} row {r}" for f, r in zip(group["_file"], group["_source_row"], strict=True)]
        for file, row in zip(group["_file"], group["_source_row"], strict=True):
            others = "; ".join(place for place in places if place != f"{file} row {row}")
            defects.append(
                Defect(
                    file,
                    int(row),
                    columns[0],
                    value,
                    rule or "duplicate_key",
                    (
                        message
                        or f"the same {', '.join(columns)} '{{value}}' also appears at "
                        "{places}: keep one record and land the file again"
                    )
                    .replace("{places}", others)
                    .replace("{value}", value),
                )
            )
    return defects


def unplaced(
    spec: SourceSpec,
    frames: Sequence[tuple[str, pd.DataFrame]],
    reference: Reference,
    sectors: dict[str, str],
) -> list[Defect]:
    """Rows the spec's placement cannot place: a postcode in a sector not in the
    neighbourhood lookup (as for the census), a team or district not in the LA's list of
    them (seeds/teams.csv, seeds/districts.csv), or an LA number not in the LA list."""
    method = spec.placement.get("method")
    column = spec.placement.get("column")
    if method == "postcode_sector" and column and reference.sectors is not None:
        form = spec.column(column).format
        if form is not None and form.named == "postcode_sector":  # sectors, not postcodes
            return sectors_unlisted(frames, column, reference.sectors, reference.sector_problems)
        return unknown_sectors(
            frames, reference.sectors, sectors, reference.sector_problems, column=column
        )
    if method in AREA_LISTS and column:
        area = AREA_LISTS[method]
        listed = reference.areas.get(method, AreaCodes(frozenset(), {}))
        found = unlisted(
            frames, column, listed, noun=area.noun, seed=area.shown, rule=f"{area.noun}_unknown"
        )
        if spec.placement.get("within") == "authority":
            found.extend(in_district(spec, frames, column, listed))
        return found
    authority = spec.placement.get("authority")
    if method == "la_wide" and authority and reference.la_codes is not None:
        listed = AreaCodes(reference.la_codes, reference.la_problems)
        return unlisted(
            frames,
            authority,
            listed,
            noun="LA number",
            seed="seeds/local_authorities.csv",
            rule="la_code_unknown",
        )
    return []


def in_district(
    spec: SourceSpec,
    frames: Sequence[tuple[str, pd.DataFrame]],
    column: str,
    listed: AreaCodes,
) -> list[Defect]:
    """Rows of a source whose teams are counted directly in their authority (`placement:
    {method: team, within: authority}`: its indicators publish teams and the authority,
    never districts) placed in a team seeds/teams.csv puts in a district (an Early Help team
    in a care leavers' file): counted there, its figures would add up to a district the
    indicators do not publish, and disclosure control could not rely on teams adding up to
    the authority."""
    if not listed.within:
        return []
    title = spec.column(column).title
    whose = f"a {title}" if title else f"a team of the {spec.label or spec.source}"
    defects = []
    for file, frame in frames:
        values = frame[column].astype("string").fillna("").str.strip()
        placed = values.isin(list(listed.within))
        for row, value in zip(frame.loc[placed, "_source_row"], values[placed], strict=True):
            defects.append(
                Defect(
                    file,
                    int(row),
                    column,
                    value,
                    "team_in_district",
                    f"team '{value}' is in district {listed.within[value]} (its district_code "
                    f"in seeds/teams.csv), but {whose} is counted directly in its authority: "
                    f"correct the {column} to a team that is in no district, or blank that "
                    "team's district_code",
                )
            )
    return defects


def sectors_unlisted(
    frames: Sequence[tuple[str, pd.DataFrame]],
    column: str,
    known: frozenset[str],
    set_aside: Mapping[str, str],
) -> list[Defect]:
    """Rows whose postcode sector (a column of `format: postcode_sector`, in its canonical
    form: spec_rules.in_canonical_form) is not in the neighbourhood lookup, or is there
    with its row set aside; a blank or malformed sector is its format rule's defect."""
    defects = []
    for file, frame in frames:
        values = frame[column].fillna("").astype(str)
        formed = values.str.fullmatch(SECTOR_PATTERN)
        for value, row in zip(values[formed], frame.loc[formed, "_source_row"], strict=True):
            if value in known:
                continue
            rule, message = (
                (
                    "postcode_sector_set_aside",
                    f"{column} '{value}' has its row in the neighbourhood lookup set aside: "
                    f"{set_aside[value]}; correct seeds/neighbourhood_lookup.csv and run again",
                )
                if value in set_aside
                else (
                    "postcode_sector_unknown",
                    f"{column} '{value}' is not in the neighbourhood lookup "
                    "(seeds/neighbourhood_lookup.csv): add the sector or correct it",
                )
            )
            defects.append(Defect(file, int(row), column, value, rule, message))
    return defects


def load_standalone_year(
    year: AcademicYear | Period,
    files: Sequence[LandedFile],
    reference: Reference,
    pseudonym_key: str,
    *,
    aliases: Aliases | None = None,
    sheet: str | None = None,
    allow_words: Sequence[str] = (),
) -> StandaloneLoad:
    """Every standalone source's files of one period (an academic year, or a month, quarter...
    of a kind counted in one), checked and pseudonymised; free text scrubbed and kept only
    with consent (`allow_words` may stay capitalised in it: the neighbourhoods' names)."""
    load = StandaloneLoad()
    for kind, spec in standalone_specs().items():
        frames: list[tuple[str, pd.DataFrame]] = []
        unread: list[tuple[str, pd.DataFrame]] = []  # files rejected whole, as landed
        outcomes: list[tuple[LandedFile, Table | Defect]] = []
        for landed in (f for f in files if f.kind == kind):
            account = FileAccount(landed.display, kind, year.label, file_hash(landed.path))
            load.accounts.append(account)
            try:
                outcomes.append((landed, read_checked(landed, account, aliases, sheet)))
            except FileRejected as rejected:
                outcomes.append((landed, rejected.defect))
                unread.extend(_as_landed(spec, landed, aliases, sheet))
        read = [(landed, got) for landed, got in outcomes if isinstance(got, Table)]
        checked = iter(check_files(spec, read))  # the files' rows checked at once
        for landed, got in outcomes:  # defects in landing order, as file by file
            if isinstance(got, Defect):
                load.defects.append(got)
                continue
            frame, defects = next(checked)
            frames.append((landed.display, frame))
            load.defects.extend(defects)
        load.defects.extend(duplicate_keys(spec, frames))
        sectors: dict[str, str] = {}
        load.defects.extend(unplaced(spec, frames, reference, sectors))
        bad = {(defect.file, defect.row) for defect in load.defects if defect.row is not None}
        quarantined = Counter(file for file, _ in bad)
        for account in load.accounts:
            if account.kind == kind and account.status == "loaded":
                account.rows_quarantined = quarantined[account.file]
                account.rows_loaded = account.rows_read - account.rows_quarantined
        good = [
            frame[[(file, row) not in bad for row in frame["_source_row"]]].assign(
                _source_file=file
            )
            for file, frame in frames
        ]
        load.follow_up[kind] = follow_up_rows(spec, [*frames, *unread])
        load.notes.extend(follow_up_notes(load.follow_up[kind]))
        good = _consenting(spec, good, load.accounts)
        good = keep_free_text(spec, good, load.accounts, allow_words)
        rows = pd.concat(good, ignore_index=True) if good else pd.DataFrame()
        load.tables[spec.raw_table] = raw_rows(spec, rows, year, pseudonym_key, sectors)
    return load


def _as_landed(
    spec: SourceSpec, landed: LandedFile, aliases: Aliases | None, sheet: str | None
) -> list[tuple[str, pd.DataFrame]]:
    """A file rejected whole (a column missing, say), read as landed when its free-text
    columns can still be found, so that a request for help in it is named for follow-up."""
    if not spec.free_text_columns:
        return []
    try:
        table = read_return(landed.path, landed.display, landed.kind, aliases, sheet)
    except FileRejected:
        return []
    return [(landed.display, table.frame)]


def _consenting(
    spec: SourceSpec, frames: list[pd.DataFrame], accounts: Sequence[FileAccount]
) -> list[pd.DataFrame]:
    """With `consent: {aggregate: <column>}`, only the rows whose column is Y (blank is no
    consent, never assumed); the others are set aside as the voice survey's are: counted as
    loaded, kept nowhere, and said on their file's account."""
    column = spec.consent.get("aggregate")
    if not column:
        return frames
    by_file = {account.file: account for account in accounts if account.kind == spec.source}
    kept = []
    for frame in frames:
        consenting = frame[column].astype("string").fillna("").str.strip().str.upper() == "Y"
        excluded = int((~consenting).sum())
        if excluded and len(frame):
            account = by_file[frame["_source_file"].iloc[0]]
            account.message = (
                f"{excluded} row(s) without consent to aggregate use ({column} not Y) set "
                "aside: counted as loaded, not kept"
            )
        kept.append(frame[consenting.to_numpy(dtype=bool)])
    return kept
