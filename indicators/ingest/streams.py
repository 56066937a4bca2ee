"""Landed files -> validated, pseudonymised raw tables with provenance, year by year.

Two streams share one yearly load path: statutory returns (EYFSP + census) and voice survey
responses. For each academic year (a Dagster partition) and stream: every landed file is
archived by sha256; if the files, the reference data, the key and the code are unchanged
since the year's last load, nothing happens (landing the same file twice changes nothing);
otherwise the year is validated, pseudonymised and replaced as a whole, in one
transaction; a year with no files left in the landing area is emptied (the archive keeps
them). Row defects go to raw.quarantine, every file is accounted for in raw.load_log.
The reference files (neighbourhood lookup, LA list) load first, accounted for beside them
(indicators/ingest/reference_load.py).

The ingest assets (orchestration/ingest_assets.py) call `load_reference` and `load_stream`;
whether a year is unchanged is decided in indicators/ingest/freshness.py.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from indicators.config import ChorusSettings
from indicators.ingest.across_periods import held_lines, set_aside
from indicators.ingest.aliases import AliasesInvalid, aliases_file, load_aliases
from indicators.ingest.archive import archive_file
from indicators.ingest.area_lists import read_area_lists
from indicators.ingest.defects import Defect, FileRejected
from indicators.ingest.freshness import input_digests, year_fingerprint
from indicators.ingest.keys import KeyRefused, run_key
from indicators.ingest.landing import FileAccount, LandedFile, discover, reference_file, sha256_of
from indicators.ingest.load_records import log_frame, logged_accounts, quarantine_frame
from indicators.ingest.lookups import (
    Reference,
    area_context,
    check_local_authorities,
    check_neighbourhood_lookup,
    reference_from,
)
from indicators.ingest.period_loads import files_of, periods_of
from indicators.ingest.readers import Aliases, read_table
from indicators.ingest.retention import cutoff as retention_cutoff
from indicators.ingest.retention import purge
from indicators.ingest.standalone import load_standalone_year
from indicators.ingest.statutory import load_year
from indicators.ingest.survey import load_voice_year
from indicators.ingest.survey_columns import shape
from indicators.isolated import isolated
from indicators.periods import Period, rules_year
from indicators.reference import AcademicYear
from indicators.sources.load import load_sources, rules_of_year
from indicators.steps import Log, StepRefused
from indicators.voice.follow_up import write_follow_up, write_standalone_follow_up
from indicators.voice.items import item_bank_problems, load_item_bank
from indicators.warehouse import (
    connect,
    ensure_raw_zone,
    replace_years,
    transaction,
)


@dataclass(frozen=True)
class RunInputs:
    """What every year's load needs, read once per run."""

    settings: ChorusSettings
    key: str
    reference: Reference
    sector_lookup: dict[str, str]
    neighbourhood_names: tuple[str, ...]
    aliases: Aliases
    digests: tuple[str, ...]
    """Digests of everything besides the files that a load depends on."""


def _run_inputs(
    settings: ChorusSettings,
    files: list[LandedFile],
    extra_inputs: tuple[str, ...] = (),
) -> RunInputs:
    try:
        key = run_key(settings, files)
    except KeyRefused as refused:
        raise StepRefused(str(refused)) from None
    paths = [
        reference_file(name, settings.landing, settings.seeds)
        for name in ("neighbourhood_lookup", "local_authorities")
    ]
    try:  # as the reference assets of this run read them
        authorities = check_local_authorities(paths[1])
        lookup = check_neighbourhood_lookup(paths[0])
        reference = reference_from(lookup, authorities)
        areas, _ = read_area_lists(  # rows: `chorus validate`
            settings.seeds, *area_context(lookup, authorities), landing=settings.landing
        )
        reference = replace(reference, areas=areas)
    except FileRejected as rejected:
        raise StepRefused(str(rejected.defect)) from None
    # Place names (neighbourhoods, authorities) may stand capitalised in a quote.
    authority_names = tuple(name for name in authorities.frame["la_name"] if name)
    aliases_path = aliases_file(settings.seeds, settings.landing)
    try:
        aliases = load_aliases(aliases_path)
    except AliasesInvalid as invalid:
        raise StepRefused(
            "the column aliases seed has problems: "
            + " | ".join(str(defect) for defect in invalid.defects)
        ) from None
    return RunInputs(
        settings=settings,
        key=key,
        reference=reference,
        sector_lookup=dict(reference.placement or {}),
        neighbourhood_names=(*reference.neighbourhood_names, *authority_names),
        aliases=aliases,
        digests=input_digests(settings, extra_inputs),
    )


# One stream of returns, loaded year by year --------------------------------------------------


@dataclass
class Loaded:
    """What a stream's loader returns for one year."""

    tables: dict[str, pd.DataFrame]
    defects: list[Defect]
    accounts: list[FileAccount]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Stream:
    """An engine that loads, year by year, every source whose spec names it (`stream:`)."""

    name: str
    own_tables: tuple[str, ...]
    """Raw tables the engine writes besides its sources' (`raw_table`, `also_tables`)."""
    load: Callable[[RunInputs, AcademicYear, list[LandedFile]], Loaded]
    extra_inputs: tuple[str, ...] = ()
    """Seeds (besides the reference files) whose change reloads the stream's years."""
    check: Callable[[ChorusSettings], None] | None = None
    """What must hold before any year of the stream loads (raises StepRefused)."""

    @property
    def kinds(self) -> tuple[str, ...]:
        """The landing folders this stream reads (also its rows in quarantine and load_log):
        the sources whose spec says `stream: <name>`."""
        return tuple(k for k, spec in load_sources().items() if spec.stream == self.name)

    @property
    def tables(self) -> tuple[str, ...]:
        specs = load_sources()
        declared = [
            table
            for kind in self.kinds
            for table in (specs[kind].raw_table, *(name for name, _ in specs[kind].also_tables))
        ]
        return (*declared, *self.own_tables)


@dataclass
class YearResult:
    year: str
    status: str  # loaded | unchanged | removed
    accounts: list[FileAccount]
    notes: list[str]


def _previous_fingerprints(log: Log, settings: ChorusSettings, stream: Stream) -> dict[str, str]:
    with connect(settings.warehouse) as connection:
        rebuilt = ensure_raw_zone(connection)
        rows = connection.execute(
            "select academic_year, fingerprint from raw.year_loads where kind = ?", [stream.name]
        ).fetchall()
    if rebuilt:
        log.warning(
            f"raw tables from an older Chorus were rebuilt ({', '.join(rebuilt)})"
            ": every year loads again from the landing area"
        )
    return dict(rows)


def _load_one_year(
    run: RunInputs,
    stream: Stream,
    year: AcademicYear | Period,
    files: list[LandedFile],
    previous: dict[str, str],
    logged: Callable[[], pd.DataFrame],
) -> YearResult:
    settings = run.settings
    shared = ("quarantine", "load_log", "year_loads")
    kinds = (*stream.kinds, stream.name)
    if not files:
        with connect(settings.warehouse) as connection, transaction(connection):
            replace_years(
                connection,
                {t: pd.DataFrame() for t in (*stream.tables, *shared)},
                [year.label],
                kinds,
            )
        return YearResult(year.label, "removed" if year.label in previous else "empty", [], [])
    digests = {}
    for landed in files:
        digest = sha256_of(landed.path)
        archive_file(landed.path, settings.archive, digest, landed)
        digests[landed.display] = digest
    fingerprint = year_fingerprint(digests, run.digests, run.key, stream.kinds, rules_year(year))
    if previous.get(year.label) == fingerprint:
        log = logged()
        log = log[log["academic_year"] == year.label]
        accounts = [FileAccount(**record) for record in log.to_dict("records")]
        return YearResult(year.label, "unchanged", accounts, [])
    work = functools.partial(_load_and_write, run, stream, year, files, fingerprint)
    return isolated(
        work,
        f"the load of {stream.name} {year.label}",
        "its tables are written in one transaction, so they hold the last load that ended "
        "(run it again)",
    )


def _load_and_write(
    run: RunInputs,
    stream: Stream,
    year: AcademicYear | Period,
    files: list[LandedFile],
    fingerprint: str,
) -> YearResult:
    """Load one period and replace its rows in one transaction (in a process of its own:
    indicators/isolated.py)."""
    loaded = stream.load(run, year, files)
    kinds = (*stream.kinds, stream.name)
    with connect(run.settings.warehouse) as connection, transaction(connection):
        replace_years(
            connection,
            {
                **loaded.tables,
                "quarantine": quarantine_frame(year, loaded.defects, loaded.accounts),
                "load_log": log_frame(loaded.accounts),
                "year_loads": pd.DataFrame(
                    {
                        "academic_year": [year.label],
                        "kind": [stream.name],
                        "fingerprint": [fingerprint],
                    }
                ),
            },
            [year.label],
            kinds,
        )
    return YearResult(year.label, "loaded", loaded.accounts, loaded.notes)


def _enforce_retention(
    log: Log, settings: ChorusSettings, files: list[LandedFile]
) -> AcademicYear | None:
    """Purge what is past the retention limit (indicators/ingest/retention.py); the first
    year kept, or None when every year is kept."""
    with connect(settings.warehouse) as connection:
        ensure_raw_zone(connection)
        limit = retention_cutoff(
            connection, {landed.year for landed in files}, settings.retention_years
        )
    if limit is None:
        return None
    report = purge(
        settings.warehouse,
        settings.archive,
        limit,
        reason=f"retention (CHORUS_RETENTION_YEARS={settings.retention_years})",
        record=False,
    )
    if report.removed_anything:  # what runs keep for reuse shows (or decides) those years
        shutil.rmtree(settings.kept, ignore_errors=True)
    for line in report.lines() if report.removed_anything else []:
        log.warning(line)
    return limit


def load_stream(
    settings: ChorusSettings,
    stream: Stream,
    partitions: Sequence[str],
    requested: str | None,
    log: Log,
) -> list[YearResult]:
    """Load each academic year (`partitions`: landing folder names) of one stream.

    `requested` lists the only years (folders, comma-separated) to work on, as the landing
    sensor's runs do; None works on every year of `partitions`, and empties years no longer
    landed (`chorus run` treats its landing folder as the whole truth)."""
    if not stream.kinds:
        return []  # no source names this stream
    if stream.check is not None:
        stream.check(settings)
    files, problems = discover(settings.landing)
    for problem in problems:
        log.warning(f"not loaded: {problem.line()}")
    run = _run_inputs(settings, files, stream.extra_inputs)
    limit = _enforce_retention(log, settings, files)
    previous = _previous_fingerprints(log, run.settings, stream)
    partitions = sorted(partitions)
    if requested is not None:
        wanted = {part.strip() for part in requested.split(",") if part.strip()}
        partitions = [key for key in partitions if key in wanted]
    results = []
    logged = functools.cache(
        functools.partial(logged_accounts, settings.warehouse, (*stream.kinds, stream.name))
    )
    for partition in partitions:
        year = AcademicYear.parse(partition)
        year_files = [f for f in files if f.year == year and f.kind in stream.kinds]
        if limit is not None and year < limit:
            for landed in year_files:
                log.warning(
                    f"{landed.display}: not loaded: {year.label} is before "
                    f"the retention limit {limit.label} (remove it from the "
                    "landing area)"
                )
            year_files = []
        for period in periods_of(year, year_files, previous):  # issue 13: months, quarters
            with rules_of_year(rules_year(period)):  # its own year's spec, not later ones'
                result = _load_one_year(
                    run, stream, period, files_of(period, year_files), previous, logged
                )
            log.info(f"{stream.name} {period.label}: {result.status}")
            for note in result.notes:
                log.warning(f"{period.label}: {note}")
            for account in result.accounts:
                level = log.info if account.status == "loaded" else log.error
                level(
                    f"{account.file}: read {account.rows_read}, loaded {account.rows_loaded}, "
                    f"quarantined {account.rows_quarantined}"
                    + (f" ({account.message})" if account.message else "")
                )
            results.append(result)
    for line in held_lines(set_aside(settings.warehouse, stream.kinds)):  # keys in two periods
        log.warning(line)
    return results


def expected_fingerprints(
    settings: ChorusSettings,
    key: str,
    files: list[LandedFile],
    digest_of: Callable[[Path], str] = sha256_of,
) -> dict[tuple[str, str], str]:
    """(academic year label, stream) -> the fingerprint raw.year_loads would hold after
    loading `files`: what the landing sensor compares with what is loaded."""
    fingerprints = {}
    for stream in STREAMS:
        digests = input_digests(settings, stream.extra_inputs)
        years = {f.loaded_as for f in files if f.kind in stream.kinds}  # or months, quarters
        for year in years:
            landed = {
                f.display: digest_of(f.path)
                for f in files
                if f.loaded_as == year and f.kind in stream.kinds
            }
            fingerprints[(year.label, stream.name)] = year_fingerprint(
                landed, digests, key, stream.kinds, rules_year(year)
            )
    return fingerprints


# Statutory returns -----------------------------------------------------------------------


def _load_statutory(run: RunInputs, year: AcademicYear, files: list[LandedFile]) -> Loaded:
    load = load_year(
        year, files, run.reference, run.key, aliases=run.aliases, sheet=run.settings.xlsx_sheet
    )
    return Loaded(
        tables=load.tables,
        defects=load.defects,
        accounts=load.accounts,
        notes=load.notes,
    )


STATUTORY = Stream("statutory", (), _load_statutory)


# Voice survey responses ------------------------------------------------------------------


VOICE_ITEMS = "voice_items.csv"


def _check_item_bank(settings: ChorusSettings) -> None:
    problems = item_bank_problems(load_item_bank(settings.seeds / VOICE_ITEMS))
    if problems:
        raise StepRefused("seeds/voice_items.csv has problems: " + "; ".join(problems))


def _load_voice(run: RunInputs, year: AcademicYear, files: list[LandedFile]) -> Loaded:
    items = load_item_bank(run.settings.seeds / VOICE_ITEMS)
    read = functools.partial(
        read_table, kind=shape().kind, aliases=run.aliases, sheet=run.settings.xlsx_sheet
    )
    load = load_voice_year(
        year,
        files,
        run.reference,
        run.key,
        items,
        read,
        sector_lookup=run.sector_lookup,
        allow_words=run.neighbourhood_names,
    )
    notes = [
        f"{file}: column '{column}' is neither a documented column nor an item in "
        "seeds/voice_items.csv, so it was not loaded"
        for file, column in load.ignored_columns
    ]
    follow_up = write_follow_up(run.settings.home, year.label, load.help_requests)
    if follow_up is not None:
        notes.append(
            f"{load.families_asking_for_help} families asked for help in their free "
            f"text: see the restricted follow-up list {follow_up} (never published)"
        )
    return Loaded(
        tables={
            "voice_responses": load.responses,
            "voice_answers": load.answers,
            "voice_quotes": load.quotes,
            "voice_door_log": load.door_log,
        },
        defects=load.defects,
        accounts=load.accounts,
        notes=notes,
    )


VOICE = Stream(
    "voice",
    ("voice_door_log",),
    _load_voice,
    (VOICE_ITEMS,),
    check=_check_item_bank,
)
# Sources loaded on their own (`stream: standalone`: what `chorus new-source` scaffolds) ----


def _load_standalone(run: RunInputs, year: AcademicYear, files: list[LandedFile]) -> Loaded:
    load = load_standalone_year(
        year,
        files,
        run.reference,
        run.key,
        aliases=run.aliases,
        sheet=run.settings.xlsx_sheet,
        allow_words=run.neighbourhood_names,
    )
    notes = list(load.notes)
    for kind, rows in load.follow_up.items():
        written = write_standalone_follow_up(run.settings.home, kind, year.label, rows)
        if written is not None:
            notes.append(
                f"{len(rows)} {kind} free-text answers ask for help or disclose harm: see the "
                f"restricted follow-up list {written} (never published)"
            )
    return Loaded(tables=load.tables, defects=load.defects, accounts=load.accounts, notes=notes)


STANDALONE = Stream("standalone", (), _load_standalone)
STREAMS = (STATUTORY, VOICE, STANDALONE)
