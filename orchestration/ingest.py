"""Ingest assets: landed files -> validated, pseudonymised raw tables with provenance.

Two streams share one yearly load path: statutory returns (EYFSP + census) and voice survey
responses. For each academic year (a Dagster partition) and stream: every landed file is
archived by sha256; if the files, the reference data, the key and the code are unchanged
since the year's last load, nothing happens (landing the same file twice changes nothing);
otherwise the year is validated, pseudonymised and replaced as a whole, in one
transaction; a year with no files left in the landing area is emptied (the archive keeps
them). Row defects go to raw.quarantine, every file is accounted for in raw.load_log.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from indicators.archive import archive_file, load_fingerprint
from indicators.config import ChorusSettings
from indicators.follow_up import write_follow_up
from indicators.ingest import (
    REFERENCE_KIND,
    FileAccount,
    Reference,
    ReferenceCheck,
    check_local_authorities,
    check_neighbourhood_lookup,
    load_year,
    read_table,
    reference_from,
)
from indicators.keys import KeyRefused, run_key
from indicators.landing import LandedFile, discover, reference_file, sha256_of
from indicators.readers import Aliases, AliasesInvalid, aliases_file, load_aliases
from indicators.reference import AcademicYear
from indicators.retention import cutoff as retention_cutoff
from indicators.retention import purge
from indicators.validation import Defect, FileRejected
from indicators.voice import load_voice_year
from indicators.voice_items import item_bank_problems, load_item_bank
from indicators.warehouse import (
    connect,
    ensure_raw_zone,
    replace_rows,
    replace_table,
    replace_years,
    transaction,
)
from orchestration.partitions import academic_years
from orchestration.resources import ChorusResource

NEIGHBOURHOOD_LOOKUP = AssetKey(["raw", "neighbourhood_lookup"])
LOCAL_AUTHORITIES = AssetKey(["raw", "local_authorities"])
EYFSP_RETURNS = AssetKey(["raw", "eyfsp_returns"])
SCHOOL_CENSUS = AssetKey(["raw", "school_census"])
VOICE_RESPONSES = AssetKey(["raw", "voice_responses"])
VOICE_ANSWERS = AssetKey(["raw", "voice_answers"])
VOICE_QUOTES = AssetKey(["raw", "voice_quotes"])


# Reference data -------------------------------------------------------------------------


def _load_reference(context: AssetExecutionContext, chorus: ChorusResource, name: str,
                    check: ReferenceCheck, source: str) -> MaterializeResult:
    """The usable rows of a reference file into its raw table, and its accounting (rows read,
    used, set aside, each set-aside row in raw.quarantine) beside the returns'."""
    settings = chorus.settings()
    account = check.account
    quarantine = _quarantine_frame("", check.defects, [account])
    with connect(settings.warehouse) as connection:
        ensure_raw_zone(connection)
        with transaction(connection):
            replace_table(connection, name, check.frame.assign(_source_file=source))
            where = {"kind": REFERENCE_KIND, "file": account.file}
            replace_rows(connection, "load_log", _log_frame([account]), where)
            replace_rows(connection, "quarantine", quarantine, where)
    context.log.info(f"{name}: {len(check.frame)} rows from {source}")
    for defect in check.defects:
        context.log.warning(str(defect.public()))
    if check.defects:
        context.log.warning(f"{account.file}: {account.rows_quarantined} of "
                            f"{account.rows_read} rows set aside; what depends on them is "
                            "quarantined, the rest loads")
    return MaterializeResult(metadata={"rows": len(check.frame), "source": source,
                                       "rows_set_aside": account.rows_quarantined})


@asset(key=NEIGHBOURHOOD_LOOKUP, group_name="ingest", kinds={"duckdb"})
def neighbourhood_lookup(context: AssetExecutionContext, chorus: ChorusResource
                         ) -> MaterializeResult:
    """The LA's postcode sector -> neighbourhood lookup (landing seeds/ or the project's).

    Rows in conflict are set aside (children in their sectors are quarantined at ingest);
    a lookup that cannot be read at all stops the run with its one-line reason."""
    settings = chorus.settings()
    path = reference_file("neighbourhood_lookup", settings.landing, settings.seeds)
    try:
        check = check_neighbourhood_lookup(path)
    except FileRejected as rejected:
        raise Failure(description=str(rejected.defect)) from None
    return _load_reference(context, chorus, "neighbourhood_lookup", check, str(path))


@asset(key=LOCAL_AUTHORITIES, group_name="ingest", kinds={"duckdb"})
def local_authorities(context: AssetExecutionContext, chorus: ChorusResource
                      ) -> MaterializeResult:
    """LA numbers, ONS codes and names (landing seeds/ or the project's 153 English LAs)."""
    settings = chorus.settings()
    path = reference_file("local_authorities", settings.landing, settings.seeds)
    try:
        check = check_local_authorities(path)
    except FileRejected as rejected:
        raise Failure(description=str(rejected.defect)) from None
    return _load_reference(context, chorus, "local_authorities", check, str(path))


@dataclass(frozen=True)
class Context:
    """What every year's load needs, read once per run."""

    settings: ChorusSettings
    key: str
    reference: Reference
    sector_lookup: dict[str, str]
    neighbourhood_names: tuple[str, ...]
    aliases: Aliases
    digests: tuple[str, ...]
    """Digests of everything besides the files that a load depends on."""


def input_digests(settings: ChorusSettings, extra_inputs: tuple[str, ...] = ()
                  ) -> tuple[str, ...]:
    """Digests of everything besides the landed files that a year's load depends on: the
    reference files, the column aliases, a stream's own seeds and the worksheet setting."""
    paths = [reference_file(name, settings.landing, settings.seeds)
             for name in ("neighbourhood_lookup", "local_authorities")]
    aliases_path = aliases_file(settings.seeds, settings.landing)
    paths += [aliases_path] if aliases_path.exists() else []
    paths += [settings.seeds / name for name in extra_inputs]
    return (*(sha256_of(path) for path in paths), f"sheet:{settings.xlsx_sheet or ''}")


def _run_context(context: AssetExecutionContext, chorus: ChorusResource,
                 files: list[LandedFile], extra_inputs: tuple[str, ...] = ()) -> Context:
    settings = chorus.settings()
    try:
        key = run_key(settings, files)
    except KeyRefused as refused:
        raise Failure(description=str(refused)) from None
    paths = [reference_file(name, settings.landing, settings.seeds)
             for name in ("neighbourhood_lookup", "local_authorities")]
    try:  # as the reference assets of this run read them
        authorities = check_local_authorities(paths[1])
        reference = reference_from(check_neighbourhood_lookup(paths[0]), authorities)
    except FileRejected as rejected:
        raise Failure(description=str(rejected.defect)) from None
    # Place names (neighbourhoods, authorities) may stand capitalised in a quote.
    authority_names = tuple(name for name in authorities.frame["la_name"] if name)
    aliases_path = aliases_file(settings.seeds, settings.landing)
    try:
        aliases = load_aliases(aliases_path)
    except AliasesInvalid as invalid:
        raise Failure(description="the column aliases seed has problems: " + " | ".join(
            str(defect) for defect in invalid.defects)) from None
    return Context(
        settings=settings, key=key,
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
    name: str
    kinds: tuple[str, ...]
    """The landing folders this stream reads (also its rows in quarantine and load_log)."""
    tables: tuple[str, ...]
    load: Callable[[Context, AcademicYear, list[LandedFile]], Loaded]
    extra_inputs: tuple[str, ...] = ()
    """Seeds (besides the reference files) whose change reloads the stream's years."""


@dataclass
class YearResult:
    year: str
    status: str  # loaded | unchanged | removed
    accounts: list[FileAccount]
    notes: list[str]


def _quarantine_frame(year: AcademicYear | str, defects: list[Defect],
                      accounts: list[FileAccount]) -> pd.DataFrame:
    """Defects as raw.quarantine rows (public: identifiers withheld); `year` "" for a
    reference file."""
    kinds = {account.file: account.kind for account in accounts}
    label = year.label if isinstance(year, AcademicYear) else year
    rows = []
    for defect in defects:
        public = defect.public()
        rows.append({
            "academic_year": label, "kind": kinds.get(defect.file, ""),
            "file": public.file, "row": public.row, "column_name": public.column,
            "value": public.value, "rule": public.rule, "message": public.message,
        })
    return pd.DataFrame(rows, columns=["academic_year", "kind", "file", "row", "column_name",
                                       "value", "rule", "message"])


def _log_frame(accounts: list[FileAccount]) -> pd.DataFrame:
    return pd.DataFrame([vars(account) for account in accounts],
                        columns=["file", "kind", "academic_year", "sha256", "rows_read",
                                 "rows_loaded", "rows_quarantined", "status", "message"])


def _previous_fingerprints(context: AssetExecutionContext, settings: ChorusSettings,
                           stream: Stream) -> dict[str, str]:
    with connect(settings.warehouse) as connection:
        rebuilt = ensure_raw_zone(connection)
        rows = connection.execute(
            "select academic_year, fingerprint from raw.year_loads where kind = ?",
            [stream.name]).fetchall()
    if rebuilt:
        context.log.warning(f"raw tables from an older Chorus were rebuilt ({', '.join(rebuilt)})"
                            ": every year loads again from the landing area")
    return dict(rows)


def _load_one_year(run: Context, stream: Stream, year: AcademicYear, files: list[LandedFile],
                   previous: dict[str, str]) -> YearResult:
    settings = run.settings
    shared = ("quarantine", "load_log", "year_loads")
    kinds = (*stream.kinds, stream.name)
    if not files:
        with connect(settings.warehouse) as connection, transaction(connection):
            replace_years(connection, {t: pd.DataFrame() for t in (*stream.tables, *shared)},
                          [year.label], kinds)
        return YearResult(year.label, "removed" if year.label in previous else "empty", [], [])
    digests = {}
    for landed in files:
        digest = sha256_of(landed.path)
        archive_file(landed.path, settings.archive, digest, landed)
        digests[landed.display] = digest
    fingerprint = load_fingerprint(digests, run.digests, run.key)
    if previous.get(year.label) == fingerprint:
        with connect(settings.warehouse, read_only=True) as connection:
            log = connection.execute(
                "select * exclude (_loaded_at) from raw.load_log where academic_year = ? "
                "and kind in (select unnest(?::varchar[]))", [year.label, list(kinds)]).df()
        accounts = [FileAccount(**record) for record in log.to_dict("records")]
        return YearResult(year.label, "unchanged", accounts, [])
    loaded = stream.load(run, year, files)
    with connect(settings.warehouse) as connection, transaction(connection):
        replace_years(connection, {
            **loaded.tables,
            "quarantine": _quarantine_frame(year, loaded.defects, loaded.accounts),
            "load_log": _log_frame(loaded.accounts),
            "year_loads": pd.DataFrame({"academic_year": [year.label], "kind": [stream.name],
                                        "fingerprint": [fingerprint]}),
        }, [year.label], kinds)
    return YearResult(year.label, "loaded", loaded.accounts, loaded.notes)


YEARS_TAG = "chorus/years"
"""A run tag listing the only academic years (folders, comma-separated) a run works on: the
landing sensor's runs. Without it a run works on every year of its partitions, and empties
years no longer landed (`chorus run` treats its landing folder as the whole truth)."""


def _enforce_retention(context: AssetExecutionContext, settings: ChorusSettings,
                       files: list[LandedFile]) -> AcademicYear | None:
    """Purge what is past the retention limit (indicators/retention.py); the first year
    kept, or None when every year is kept."""
    with connect(settings.warehouse) as connection:
        ensure_raw_zone(connection)
        limit = retention_cutoff(connection, {landed.year for landed in files},
                                 settings.retention_years)
    if limit is None:
        return None
    report = purge(settings.warehouse, settings.archive, limit,
                   reason=f"retention (CHORUS_RETENTION_YEARS={settings.retention_years})",
                   record=False)
    for line in report.lines() if report.removed_anything else []:
        context.log.warning(line)
    return limit


def _ingest(context: AssetExecutionContext, chorus: ChorusResource, stream: Stream
            ) -> list[YearResult]:
    settings = chorus.settings()
    files, problems = discover(settings.landing)
    for problem in problems:
        context.log.warning(f"not loaded: {problem.line()}")
    run = _run_context(context, chorus, files, stream.extra_inputs)
    limit = _enforce_retention(context, settings, files)
    previous = _previous_fingerprints(context, run.settings, stream)
    requested = context.run.tags.get(YEARS_TAG)
    partitions = sorted(context.partition_keys)
    if requested is not None:
        wanted = {part.strip() for part in requested.split(",") if part.strip()}
        partitions = [key for key in partitions if key in wanted]
    results = []
    for partition in partitions:
        year = AcademicYear.parse(partition)
        year_files = [f for f in files if f.year == year and f.kind in stream.kinds]
        if limit is not None and year < limit:
            for landed in year_files:
                context.log.warning(f"{landed.display}: not loaded: {year.label} is before "
                                    f"the retention limit {limit.label} (remove it from the "
                                    "landing area)")
            year_files = []
        result = _load_one_year(run, stream, year, year_files, previous)
        context.log.info(f"{stream.name} {year.label}: {result.status}")
        for note in result.notes:
            context.log.warning(f"{year.label}: {note}")
        for account in result.accounts:
            level = context.log.info if account.status == "loaded" else context.log.error
            level(f"{account.file}: read {account.rows_read}, loaded {account.rows_loaded}, "
                  f"quarantined {account.rows_quarantined}"
                  + (f" ({account.message})" if account.message else ""))
        results.append(result)
    return results


def expected_fingerprints(settings: ChorusSettings, key: str, files: list[LandedFile],
                          digest_of: Callable[[Path], str] = sha256_of
                          ) -> dict[tuple[str, str], str]:
    """(academic year label, stream) -> the fingerprint raw.year_loads would hold after
    loading `files`: what the landing sensor compares with what is loaded."""
    fingerprints = {}
    for stream in STREAMS:
        digests = input_digests(settings, stream.extra_inputs)
        years = sorted({f.year for f in files if f.kind in stream.kinds})
        for year in years:
            landed = {f.display: digest_of(f.path) for f in files
                      if f.year == year and f.kind in stream.kinds}
            fingerprints[(year.label, stream.name)] = load_fingerprint(landed, digests, key)
    return fingerprints


def _accounting_markdown(accounts: list[FileAccount]) -> str:
    lines = ["| file | read | loaded | quarantined | status |", "|---|---|---|---|---|"]
    lines += [f"| {a.file} | {a.rows_read} | {a.rows_loaded} | {a.rows_quarantined} | {a.status} |"
              for a in accounts]
    return "\n".join(lines)


def _materializations(results: list[YearResult], keys_by_kind: dict[AssetKey, tuple[str, ...]]):
    accounts = [account for result in results for account in result.accounts]
    for asset_key, kinds in keys_by_kind.items():
        kind_accounts = [a for a in accounts if a.kind in kinds]
        yield MaterializeResult(asset_key=asset_key, metadata={
            "years": MetadataValue.md(" ".join(f"{r.year}: {r.status}." for r in results)),
            "rows_read": sum(a.rows_read for a in kind_accounts),
            "rows_loaded": sum(a.rows_loaded for a in kind_accounts),
            "rows_quarantined": sum(a.rows_quarantined for a in kind_accounts),
            "files_rejected": sum(a.status == "rejected" for a in kind_accounts),
            "accounting": MetadataValue.md(_accounting_markdown(kind_accounts)),
        })


# Statutory returns -----------------------------------------------------------------------


def _load_statutory(run: Context, year: AcademicYear, files: list[LandedFile]) -> Loaded:
    load = load_year(year, files, run.reference, run.key, aliases=run.aliases,
                     sheet=run.settings.xlsx_sheet)
    return Loaded(tables={"eyfsp_returns": load.eyfsp, "school_census": load.census},
                  defects=load.defects, accounts=load.accounts, notes=load.notes)


STATUTORY = Stream("statutory", ("eyfsp", "census"), ("eyfsp_returns", "school_census"),
                   _load_statutory)


@multi_asset(
    specs=[
        AssetSpec(EYFSP_RETURNS, deps=[NEIGHBOURHOOD_LOOKUP, LOCAL_AUTHORITIES],
                  group_name="ingest", kinds={"duckdb"},
                  description="EYFSP returns: validated, pseudonymised, one row per child."),
        AssetSpec(SCHOOL_CENSUS, deps=[NEIGHBOURHOOD_LOOKUP, LOCAL_AUTHORITIES],
                  group_name="ingest", kinds={"duckdb"},
                  description="School census extracts: validated, pseudonymised."),
    ],
    partitions_def=academic_years,
    backfill_policy=BackfillPolicy.single_run(),
)
def statutory_returns(context: AssetExecutionContext, chorus: ChorusResource):
    """Archive, validate, pseudonymise and load each academic year's EYFSP and census files."""
    results = _ingest(context, chorus, STATUTORY)
    yield from _materializations(results, {EYFSP_RETURNS: ("eyfsp",), SCHOOL_CENSUS: ("census",)})


# Voice survey responses ------------------------------------------------------------------


VOICE_ITEMS = "voice_items.csv"


def _load_voice(run: Context, year: AcademicYear, files: list[LandedFile]) -> Loaded:
    items = load_item_bank(run.settings.seeds / VOICE_ITEMS)
    read = functools.partial(read_table, kind="voice", aliases=run.aliases,
                             sheet=run.settings.xlsx_sheet)
    load = load_voice_year(year, files, run.reference, run.key, items, read,
                           sector_lookup=run.sector_lookup,
                           allow_words=run.neighbourhood_names)
    notes = [f"{file}: column '{column}' is neither a documented column nor an item in "
             "seeds/voice_items.csv, so it was not loaded" for file, column in load.ignored_columns]
    follow_up = write_follow_up(run.settings.home, year.label, load.help_requests)
    if follow_up is not None:
        notes.append(f"{load.families_asking_for_help} families asked for help in their free "
                      f"text: see the restricted follow-up list {follow_up} (never published)")
    return Loaded(tables={"voice_responses": load.responses, "voice_answers": load.answers,
                          "voice_quotes": load.quotes, "voice_door_log": load.door_log},
                  defects=load.defects, accounts=load.accounts, notes=notes)


VOICE = Stream("voice", ("voice",), ("voice_responses", "voice_answers", "voice_quotes",
                                     "voice_door_log"), _load_voice, (VOICE_ITEMS,))
STREAMS = (STATUTORY, VOICE)


@multi_asset(
    specs=[
        AssetSpec(VOICE_RESPONSES, deps=[NEIGHBOURHOOD_LOOKUP, LOCAL_AUTHORITIES],
                  group_name="ingest", kinds={"duckdb"},
                  description="Voice survey respondents with consent to aggregate use: area, "
                              "channel, seldom-heard characteristics, consents, linked child "
                              "pseudonym."),
        AssetSpec(VOICE_ANSWERS, deps=[NEIGHBOURHOOD_LOOKUP, LOCAL_AUTHORITIES],
                  group_name="ingest", kinds={"duckdb"},
                  description="One row per answered item, with whether it counts as positive."),
        AssetSpec(VOICE_QUOTES, deps=[NEIGHBOURHOOD_LOOKUP, LOCAL_AUTHORITIES],
                  group_name="ingest", kinds={"duckdb"},
                  description="Free-text answers given with quote consent, scrubbed of personal "
                              "details (unscrubbable ones withheld)."),
    ],
    partitions_def=academic_years,
    backfill_policy=BackfillPolicy.single_run(),
)
def voice_responses(context: AssetExecutionContext, chorus: ChorusResource):
    """Archive, validate and load each academic year's voice survey responses.

    Consent decides at the door: no aggregate consent, not used; no link consent, no child
    pseudonym; no quote consent, no free text.
    """
    problems = item_bank_problems(load_item_bank(chorus.settings().seeds / VOICE_ITEMS))
    if problems:
        raise Failure(description="seeds/voice_items.csv has problems: " + "; ".join(problems))
    results = _ingest(context, chorus, VOICE)
    yield from _materializations(results, {VOICE_RESPONSES: ("voice",), VOICE_ANSWERS: ("voice",),
                                           VOICE_QUOTES: ("voice",)})
