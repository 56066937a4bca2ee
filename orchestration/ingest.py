"""Ingest assets: landed files -> validated, pseudonymised raw tables with provenance."""


from dataclasses import dataclass

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
from indicators.config import DEMO_PSEUDONYM_KEY
from indicators.ingest import (
    FileAccount,
    Reference,
    YearLoad,
    load_year,
    read_local_authorities,
    read_neighbourhood_lookup,
)
from indicators.landing import LandedFile, discover, reference_file, sha256_of
from indicators.readers import Aliases, AliasesInvalid, aliases_file, load_aliases
from indicators.reference import AcademicYear
from indicators.validation import FileRejected
from indicators.warehouse import (
    connect,
    ensure_raw_zone,
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
STATUTORY_KINDS = ("eyfsp", "census")
PSEUDONYM_WARNING = (
    "CHORUS_PSEUDONYM_KEY is not set: UPNs are pseudonymised with the public demo key, which "
    "protects nothing. Set CHORUS_PSEUDONYM_KEY to a long secret before loading real returns."
)


def _load_reference(context: AssetExecutionContext, chorus: ChorusResource, name: str,
                    frame: pd.DataFrame, source: str) -> MaterializeResult:
    settings = chorus.settings()
    with connect(settings.warehouse) as connection:
        ensure_raw_zone(connection)
        with transaction(connection):
            replace_table(connection, name, frame.assign(_source_file=source))
    context.log.info(f"{name}: {len(frame)} rows from {source}")
    return MaterializeResult(metadata={"rows": len(frame), "source": source})


@asset(key=NEIGHBOURHOOD_LOOKUP, group_name="ingest", kinds={"duckdb"})
def neighbourhood_lookup(context: AssetExecutionContext, chorus: ChorusResource
                         ) -> MaterializeResult:
    """The LA's postcode sector -> neighbourhood lookup (landing seeds/ or the project's)."""
    settings = chorus.settings()
    path = reference_file("neighbourhood_lookup", settings.landing, settings.seeds)
    try:
        lookup, defects = read_neighbourhood_lookup(path)
    except FileRejected as rejected:
        raise Failure(description=str(rejected.defect)) from None
    if defects:
        raise Failure(description="the neighbourhood lookup has problems, so nothing can be "
                      "placed: " + " | ".join(str(defect) for defect in defects))
    return _load_reference(context, chorus, "neighbourhood_lookup", lookup, str(path))


@asset(key=LOCAL_AUTHORITIES, group_name="ingest", kinds={"duckdb"})
def local_authorities(context: AssetExecutionContext, chorus: ChorusResource
                      ) -> MaterializeResult:
    """LA numbers, ONS codes and names (landing seeds/ or the project's)."""
    settings = chorus.settings()
    path = reference_file("local_authorities", settings.landing, settings.seeds)
    try:
        frame = read_local_authorities(path)
    except FileRejected as rejected:
        raise Failure(description=str(rejected.defect)) from None
    return _load_reference(context, chorus, "local_authorities", frame, str(path))


def _read_reference(chorus: ChorusResource) -> Reference:
    with connect(chorus.settings().warehouse, read_only=True) as connection:
        sectors = connection.execute(
            "select postcode_sector from raw.neighbourhood_lookup").fetchall()
        codes = connection.execute("select la_code from raw.local_authorities").fetchall()
    return Reference(sectors=frozenset(row[0] for row in sectors),
                     la_codes=frozenset(row[0] for row in codes))


def _quarantine_frame(loads: list[YearLoad]) -> pd.DataFrame:
    rows = []
    for load in loads:
        kinds = {account.file: account.kind for account in load.accounts}
        for defect in load.defects:
            public = defect.public()
            rows.append({
                "academic_year": load.year.label, "kind": kinds.get(defect.file, ""),
                "file": public.file, "row": public.row, "column_name": public.column,
                "value": public.value, "rule": public.rule, "message": public.message,
            })
    return pd.DataFrame(rows, columns=["academic_year", "kind", "file", "row", "column_name",
                                       "value", "rule", "message"])


def _log_frame(accounts: list[FileAccount]) -> pd.DataFrame:
    return pd.DataFrame([vars(account) for account in accounts],
                        columns=["file", "kind", "academic_year", "sha256", "rows_read",
                                 "rows_loaded", "rows_quarantined", "status", "message"])


@dataclass
class YearResult:
    year: str
    status: str  # loaded | unchanged | removed
    accounts: list[FileAccount]
    notes: list[str]


def _reference_digests(settings) -> list[str]:
    """What else a year's load depends on: the lookups and the LA's column aliases."""
    paths = [reference_file(name, settings.landing, settings.seeds)
             for name in ("neighbourhood_lookup", "local_authorities")]
    aliases = aliases_file(settings.seeds, settings.landing)
    if aliases.exists():
        paths.append(aliases)
    return [sha256_of(path) for path in paths] + [f"sheet:{settings.xlsx_sheet or ''}"]


def _aliases(settings) -> Aliases:
    try:
        return load_aliases(aliases_file(settings.seeds, settings.landing))
    except AliasesInvalid as invalid:
        raise Failure(description="the column aliases seed has problems: " + " | ".join(
            str(defect) for defect in invalid.defects)) from None


def _previous_fingerprints(context: AssetExecutionContext, settings) -> dict[str, str]:
    with connect(settings.warehouse) as connection:
        rebuilt = ensure_raw_zone(connection)
        rows = connection.execute("select academic_year, fingerprint from raw.year_loads"
                                  ).fetchall()
    if rebuilt:
        context.log.warning(f"raw tables from an older Chorus were rebuilt ({', '.join(rebuilt)})"
                            ": every year loads again from the landing area")
    return dict(rows)


def _load_one_year(settings, year: AcademicYear, files: list[LandedFile], reference: Reference,
                   key: str, reference_digests: list[str], previous: dict[str, str],
                   aliases: Aliases) -> YearResult:
    tables = ["eyfsp_returns", "school_census", "quarantine", "load_log", "year_loads"]
    if not files:
        with connect(settings.warehouse) as connection, transaction(connection):
            replace_years(connection, {table: pd.DataFrame() for table in tables}, [year.label])
        return YearResult(year.label, "removed", [], [])
    digests = {}
    for landed in files:
        digest = sha256_of(landed.path)
        archive_file(landed.path, settings.archive, digest)
        digests[landed.display] = digest
    fingerprint = load_fingerprint(digests, reference_digests, key)
    if previous.get(year.label) == fingerprint:
        with connect(settings.warehouse, read_only=True) as connection:
            log = connection.execute(
                "select * exclude (_loaded_at) from raw.load_log where academic_year = ?",
                [year.label]).df()
        accounts = [FileAccount(**record) for record in log.to_dict("records")]
        return YearResult(year.label, "unchanged", accounts, [])
    load = load_year(year, files, reference, key, aliases=aliases, sheet=settings.xlsx_sheet)
    with connect(settings.warehouse) as connection, transaction(connection):
        replace_years(connection, {
            "eyfsp_returns": load.eyfsp,
            "school_census": load.census,
            "quarantine": _quarantine_frame([load]),
            "load_log": _log_frame(load.accounts),
            "year_loads": pd.DataFrame({"academic_year": [year.label],
                                        "fingerprint": [fingerprint]}),
        }, [year.label])
    return YearResult(year.label, "loaded", load.accounts, load.notes)


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
    """Archive, validate, pseudonymise and load each academic year's EYFSP and census files.

    One partition per academic year. Every landed file is archived by sha256 first. A year
    whose files, reference data and key are unchanged since its last load is left as it is
    (landing the same file twice changes nothing); a changed year is replaced as a whole, in
    one transaction; a year with no files left in the landing area is emptied (its files stay
    in the archive). Good rows load; row defects go to raw.quarantine with reasons; a file
    with a file-level defect loads nothing. raw.load_log accounts for every file.
    """
    settings = chorus.settings()
    key = settings.pseudonym_key
    if not key:
        context.log.warning(PSEUDONYM_WARNING)
        key = DEMO_PSEUDONYM_KEY
    files, problems = discover(settings.landing)
    for problem in problems:
        context.log.warning(problem.message)
    reference = _read_reference(chorus)
    reference_digests = _reference_digests(settings)
    previous = _previous_fingerprints(context, settings)
    aliases = _aliases(settings)
    results = []
    for partition in sorted(context.partition_keys):
        year = AcademicYear.parse(partition)
        year_files = [f for f in files if f.year == year and f.kind in STATUTORY_KINDS]
        result = _load_one_year(settings, year, year_files, reference, key, reference_digests,
                                previous, aliases)
        context.log.info(f"{year.label}: {result.status}")
        for note in result.notes:
            context.log.warning(f"{year.label}: {note}")
        for account in result.accounts:
            level = context.log.info if account.status == "loaded" else context.log.error
            level(f"{account.file}: read {account.rows_read}, loaded {account.rows_loaded}, "
                  f"quarantined {account.rows_quarantined}"
                  + (f" ({account.message})" if account.message else ""))
        results.append(result)
    accounts = [account for result in results for account in result.accounts]
    for asset_key, kind in ((EYFSP_RETURNS, "eyfsp"), (SCHOOL_CENSUS, "census")):
        kind_accounts = [a for a in accounts if a.kind == kind]
        yield MaterializeResult(asset_key=asset_key, metadata={
            "years": MetadataValue.md(" ".join(f"{r.year}: {r.status}." for r in results)),
            "rows_read": sum(a.rows_read for a in kind_accounts),
            "rows_loaded": sum(a.rows_loaded for a in kind_accounts),
            "rows_quarantined": sum(a.rows_quarantined for a in kind_accounts),
            "files_rejected": sum(a.status == "rejected" for a in kind_accounts),
            "accounting": MetadataValue.md(_accounting_markdown(kind_accounts)),
        })


def _accounting_markdown(accounts: list[FileAccount]) -> str:
    lines = ["| file | read | loaded | quarantined | status |", "|---|---|---|---|---|"]
    lines += [f"| {a.file} | {a.rows_read} | {a.rows_loaded} | {a.rows_quarantined} | {a.status} |"
              for a in accounts]
    return "\n".join(lines)
