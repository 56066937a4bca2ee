"""Read, validate and pseudonymise a year's statutory returns, ready for the raw tables.

Pure: files in, data frames and defects out. The orchestration layer writes them to the
warehouse. Accounting holds for every file: rows read = rows loaded + rows quarantined (a
rejected file counts all its rows as quarantined: nothing is loaded from it).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from indicators.ingest.cells import normalise_codes, parse_dates, strip_upper_changes
from indicators.ingest.defects import (
    Defect,
    FileRejected,
    RowRule,
    apply_rules,
    check_required_columns,
)
from indicators.ingest.landing import FileAccount, LandedFile, file_hash
from indicators.ingest.lookups import (
    Reference,
)
from indicators.ingest.matching import (
    other_authority_children,
    partners_held_back,
    unknown_la_codes,
    unknown_sectors,
    unmatched_children,
)
from indicators.ingest.privacy import (
    birth_year_month,
    linked_postcodes,
    postcode_sector,
    pseudonymise,
)
from indicators.ingest.readers import Aliases, Table, read_return, rows_landed
from indicators.ingest.spec_rules import spec_rules
from indicators.ingest.statutory_rules import duplicates_in, stacked
from indicators.periods import Period
from indicators.reference import AcademicYear
from indicators.sources.load import load_sources
from indicators.sources.spec import SourceSpec

STREAM = "statutory"
"""The source specs of this stream (`stream: statutory`) are loaded together, year by year."""


def statutory_specs() -> dict[str, SourceSpec]:
    """The statutory returns' specs by kind, in landing order."""
    return {kind: spec for kind, spec in load_sources().items() if spec.stream == STREAM}


def statutory_kinds() -> tuple[str, ...]:
    return tuple(statutory_specs())


Frames = dict[str, list[tuple[str, pd.DataFrame]]]
"""kind -> [(file as displayed, validated frame)]."""


@dataclass
class YearLoad:
    """One academic year's returns after validation: what loads, what is held back, and why."""

    year: AcademicYear
    frames: dict[str, pd.DataFrame]
    """kind -> the rows its raw table gets (pseudonymised, as its spec says)."""
    defects: list[Defect] = field(default_factory=list)
    accounts: list[FileAccount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Checks that could not run (e.g. the census was rejected), in plain words."""

    def __getattr__(self, kind: str) -> pd.DataFrame:
        """`load.eyfsp`: the kind's frame."""
        frames = self.__dict__.get("frames") or {}
        if kind in frames:
            return frames[kind]
        raise AttributeError(kind)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """raw table -> its rows."""
        specs = statutory_specs()
        return {specs[kind].raw_table: frame for kind, frame in self.frames.items()}


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


def rules_for(kind: str, year: AcademicYear) -> list[RowRule]:
    """Each kind's rules, from its spec: control characters and line breaks in any cell
    first, then the columns' own rules (`indicators.ingest.spec_rules`)."""
    return spec_rules(statutory_specs()[kind], year.label)


def overflow_defects(table: Table, file: str) -> list[Defect]:
    return [
        Defect(
            file,
            extra.row,
            extra.column,
            ", ".join(extra.values),
            "row_too_long",
            f"the row has {len(extra.values)} value(s) to the right of the last named column "
            f"{table.last_column}, starting in column {extra.column} "
            f"('{', '.join(extra.values)}'): usually a comma inside a value that is not in "
            "quotes, or values typed past the end of the table; fix the row and land the "
            "file again",
            sensitive=True,
        )
        for extra in table.overflow
    ]


def ragged(defects: list[Defect], table: Table) -> list[Defect]:
    """Values on rows that do not fit the header may be identifiers in the wrong column."""
    ragged = table.short_rows | {extra.row for extra in table.overflow}
    return [replace(d, sensitive=True) if d.row in ragged else d for d in defects]


def read_checked(
    landed: LandedFile, account: FileAccount, aliases: Aliases | None, sheet: str | None
) -> Table:
    """A landed return read, with its required columns (optional ones left out added blank);
    a file that cannot be read, or lacks a required column, raises FileRejected with its
    account set as rejected."""
    specs = load_sources()
    try:
        if landed.kind not in specs:
            raise FileRejected(
                Defect(
                    landed.display,
                    None,
                    None,
                    landed.kind,
                    "unknown_kind",
                    f"'{landed.kind}' is not a return Chorus reads: put it "
                    f"under {' or '.join(specs)}",
                )
            )
        spec = specs[landed.kind]  # only its columns are kept: the file's others never are
        table = read_return(landed.path, landed.display, landed.kind, aliases, sheet, spec.names)
        account.rows_read = len(table.frame)
        check_required_columns(table.frame, spec.required, landed.display, list(table.headers))
        for column in spec.names:  # an optional column left out: blank
            if column not in table.frame.columns:
                table.frame[column] = ""
    except FileRejected as rejected:
        account.status = "rejected"
        account.message = str(rejected.defect.public())
        if not account.rows_read:  # rejected before its rows could be read: counted anyway
            account.rows_read = rows_landed(landed.path, sheet, landed.kind, aliases)
        account.rows_quarantined = account.rows_read
        raise
    return table


def _validate_together(
    kind: str, year: AcademicYear, tables: Sequence[tuple[str, Table]]
) -> list[tuple[pd.DataFrame, list[Defect]]]:
    """Many files of one kind and year checked at once: for each file, exactly what
    checking it alone (`_validate_one`) gives, in the same order.

    The files' code columns are stacked, normalised and checked as one frame (a rule costs
    about the same on one file as on all of them), and the defects are shared out again.
    """
    displays = [display for display, _ in tables]
    if len(tables) < 2 or len(set(displays)) < len(displays):
        return [_validate_one(kind, year, display, table) for display, table in tables]
    spec = statutory_specs()[kind]
    codes = spec.read_columns
    raw = pd.concat(
        [table.frame[[*codes, *spec.dropped, "_source_row"]] for _, table in tables],
        ignore_index=True,
    )
    frame = raw.copy(deep=False)
    changed = {}
    for column in codes:  # normalise_codes, remembering which columns changed
        normalised = strip_upper_changes(raw[column])
        if normalised is not None:
            frame[column] = normalised
            changed[column] = normalised
    files = np.repeat(np.array(displays, dtype=object), [len(table.frame) for _, table in tables])
    shared: dict[str, list[Defect]] = {display: [] for display in displays}
    for defect in apply_rules(frame, rules_for(kind, year), "", as_written=raw, row_files=files):
        shared[defect.file].append(defect)  # in rule order, then row order, for each file
    results = []
    start = 0
    for display, table in tables:
        stop = start + len(table.frame)
        file_frame = table.frame.copy(deep=False)
        for column, normalised in changed.items():
            file_frame[column] = pd.Series(
                normalised.to_numpy()[start:stop],
                index=file_frame.index,
                name=column,
                dtype=normalised.dtype,
            )
        defects = shared[display] + overflow_defects(table, display)
        results.append((file_frame, ragged(defects, table)))
        start = stop
    return results


def _validate_one(
    kind: str, year: AcademicYear, display: str, table: Table
) -> tuple[pd.DataFrame, list[Defect]]:
    frame = normalise_codes(table.frame, statutory_specs()[kind].read_columns)
    defects = apply_rules(frame, rules_for(kind, year), display, as_written=table.frame)
    defects.extend(overflow_defects(table, display))
    return frame, ragged(defects, table)


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


def _check_year(
    year: AcademicYear,
    files: Sequence[LandedFile],
    reference: Reference,
    aliases: Aliases | None,
    sheet: str | None,
    cross_kind: bool,
    sectors: dict[str, str],
) -> CheckedYear:
    """`check_year`; `sectors` (postcode -> sector) is filled for the census postcodes."""
    kinds = statutory_kinds()
    checked = CheckedYear(year=year, frames={kind: [] for kind in kinds})
    rejected: dict[str, list[str]] = {}
    # Each file read (or rejected) in turn, then the files of each kind validated together;
    # defects and frames come out in file order, as checking each file alone gives them.
    landed_tables: list[tuple[LandedFile, Table | Defect]] = []
    for landed in files:
        if landed.kind not in kinds:
            continue
        account = FileAccount(landed.display, landed.kind, year.label, file_hash(landed.path))
        checked.accounts.append(account)
        try:
            landed_tables.append((landed, read_checked(landed, account, aliases, sheet)))
        except FileRejected as rejection:
            landed_tables.append((landed, rejection.defect))
    groups: dict[tuple[str, AcademicYear], list[tuple[str, Table]]] = {}
    for landed, table in landed_tables:
        if isinstance(table, Table):
            groups.setdefault((landed.kind, landed.year), []).append((landed.display, table))
    validated = {
        (kind, file_year): iter(_validate_together(kind, file_year, tables))
        for (kind, file_year), tables in groups.items()
    }
    for landed, table in landed_tables:
        if isinstance(table, Defect):
            checked.defects.append(table)
            rejected.setdefault(landed.kind, []).append(landed.display)
            continue
        frame, defects = next(validated[(landed.kind, landed.year)])
        checked.defects.extend(defects)
        checked.frames[landed.kind].append((landed.display, frame))

    # Rows whose key is already reported (a malformed UPN, a wrong check letter) are not
    # matched or counted as duplicates: their one defect says what is wrong.
    specs = statutory_specs()
    keys = {kind: spec.key[0] for kind, spec in specs.items()}
    bad_keys = _rows_by_file(
        (d.file, d.row) for d in checked.defects if d.column in set(keys.values())
    )
    valid = {
        kind: stacked(kind_frames, [keys[kind]], without=bad_keys)
        for kind, kind_frames in checked.frames.items()
    }
    for kind in kinds:
        checked.defects.extend(duplicates_in(valid[kind], specs[kind]))
    for kind, spec in specs.items():
        column = spec.placement.get("column")
        if not column:
            continue
        if reference.sectors is None:
            checked.notes.append(
                "postcode sectors were not checked: the neighbourhood lookup could not be read"
            )
        else:
            checked.defects.extend(
                unknown_sectors(
                    checked.frames[kind],
                    reference.sectors,
                    sectors,
                    reference.sector_problems,
                    column=column,
                )
            )
    for kind, spec in specs.items():
        authority = spec.placement.get("authority")
        if not authority:
            continue
        if reference.la_codes is None:
            checked.notes.append(
                "LA numbers were not checked against seeds/local_authorities.csv: it could not "
                "be read"
            )
        else:
            checked.defects.extend(
                unknown_la_codes(
                    checked.frames[kind],
                    reference.la_codes,
                    reference.la_problems,
                    column=authority,
                )
            )
    landed_kinds = {landed.kind for landed in files if landed.kind in kinds}
    checked.defects.extend(
        unmatched_children(valid, year, cross_kind, rejected, landed_kinds, checked.notes, specs)
    )
    if cross_kind and reference.placement is not None:
        checked.defects.extend(
            other_authority_children(checked.frames, checked.defects, reference, sectors, specs)
        )
    if cross_kind:
        checked.defects.extend(partners_held_back(valid, checked.defects, specs))

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

    `aliases` ({source: {alias: column}}, from `indicators.ingest.aliases.load_aliases`) maps the
    LA's headers; `sheet` names the worksheet of .xlsx files (default: the first).
    """
    sectors: dict[str, str] = {}
    checked = _check_year(year, files, reference, aliases, sheet, True, sectors)
    bad_rows = checked.bad_rows
    loaded = {
        kind: _good_rows(kind_frames, bad_rows) for kind, kind_frames in checked.frames.items()
    }
    pseudonyms: dict[str, str] = {}  # a child is in both returns: one HMAC each
    specs = statutory_specs()
    return YearLoad(
        year=year,
        frames={
            kind: raw_rows(specs[kind], loaded[kind], year, pseudonym_key, sectors, pseudonyms)
            for kind in specs
        },
        defects=checked.defects,
        accounts=checked.accounts,
        notes=checked.notes,
    )


def _good_rows(
    frames: Sequence[tuple[str, pd.DataFrame]], bad_rows: set[tuple[str, int]]
) -> pd.DataFrame:
    kept = []
    bad = _rows_by_file(bad_rows)
    for file, frame in frames:
        kept.append(_without_rows(frame, bad.get(file)).assign(_source_file=file))
    return pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()


def raw_rows(
    spec: SourceSpec,
    frame: pd.DataFrame,
    year: AcademicYear | Period,
    key: str,
    sectors: dict[str, str] | None = None,
    pseudonyms: dict[str, str] | None = None,
) -> pd.DataFrame:
    """A kind's loaded rows as its raw table holds them: each column as its spec's
    `identifier` says (kept, pseudonymised with the key, reduced, or dropped), with the
    period and the landed file and row."""
    columns = list(spec.raw_columns)
    if frame.empty:
        return pd.DataFrame({column: pd.Series(dtype="string") for column in columns})
    values: dict[str, object] = {
        "academic_year": year.label,
        "time_period": year.time_period,
    }
    if "time_identifier" in columns:  # a period other than an academic year
        values["time_identifier"] = year.time_identifier
    for column in spec.columns:
        handling = column.identifier
        if handling.handling == "keep" and column.type == "date":  # one form: 2024-11-05
            values[column.name] = iso_dates(frame[column.name])
        elif handling.handling == "keep":
            values[column.name] = frame[column.name]
        elif handling.handling == "pseudonymise":
            values[handling.as_name] = pseudonymise(frame[column.name], key, pseudonyms)
        elif handling.handling == "reduce" and handling.to == "year_month":
            values[handling.as_name] = birth_year_month(parse_dates(frame[column.name]))
        elif handling.handling == "reduce":
            values[handling.as_name] = postcode_sector(frame[column.name], sectors)
        if handling.linked_as:  # the whole postcode, keyed, to join another source on
            values[handling.linked_as] = linked_postcodes(frame[column.name], key)
    values["_source_file"] = frame["_source_file"]
    values["_source_row"] = frame["_source_row"]
    return pd.DataFrame(values)[columns]


def iso_dates(values: pd.Series) -> pd.Series:
    """A kept date column as `2024-11-05` whichever form it was landed in (`05/11/2024`);
    a blank (an optional date not given) stays null."""
    return (
        parse_dates(values.astype("string").fillna("").str.strip())
        .dt.strftime("%Y-%m-%d")
        .astype("string")
    )
