"""Ingest assets: landed files -> validated, pseudonymised raw tables with provenance."""


from collections import defaultdict

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from indicators.config import DEMO_PSEUDONYM_KEY
from indicators.ingest import (
    FileAccount,
    Reference,
    YearLoad,
    load_year,
    read_local_authorities,
    read_neighbourhood_lookup,
)
from indicators.landing import LandedFile, discover, reference_file
from indicators.validation import FileRejected
from indicators.warehouse import (
    connect,
    delete_years_except,
    ensure_raw_zone,
    replace_table,
    replace_years,
    transaction,
)
from orchestration.resources import ChorusResource

NEIGHBOURHOOD_LOOKUP = AssetKey(["raw", "neighbourhood_lookup"])
LOCAL_AUTHORITIES = AssetKey(["raw", "local_authorities"])
EYFSP_RETURNS = AssetKey(["raw", "eyfsp_returns"])
SCHOOL_CENSUS = AssetKey(["raw", "school_census"])
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


@multi_asset(
    specs=[
        AssetSpec(EYFSP_RETURNS, deps=[NEIGHBOURHOOD_LOOKUP, LOCAL_AUTHORITIES],
                  group_name="ingest", kinds={"duckdb"},
                  description="EYFSP returns: validated, pseudonymised, one row per child."),
        AssetSpec(SCHOOL_CENSUS, deps=[NEIGHBOURHOOD_LOOKUP, LOCAL_AUTHORITIES],
                  group_name="ingest", kinds={"duckdb"},
                  description="School census extracts: validated, pseudonymised."),
    ],
)
def statutory_returns(context: AssetExecutionContext, chorus: ChorusResource):
    """Read every landed EYFSP and census file, validate, pseudonymise and load by year.

    Good rows load; row defects go to raw.quarantine with reasons; a file with a file-level
    defect loads nothing. raw.load_log accounts for every file: read = loaded + quarantined.
    The raw tables end up mirroring exactly the years in the landing area.
    """
    settings = chorus.settings()
    key = settings.pseudonym_key
    if not key:
        context.log.warning(PSEUDONYM_WARNING)
        key = DEMO_PSEUDONYM_KEY
    files, problems = discover(settings.landing)
    for problem in problems:
        context.log.warning(problem.message)
    if not files:
        raise Failure(description=f"no returns found under {settings.landing}: land files as "
                      "eyfsp/<YYYY-YY>/*.csv and census/<YYYY-YY>/*.csv (see docs/inputs.md)")
    reference = _read_reference(chorus)
    by_year: dict = defaultdict(list)
    for landed in files:
        by_year[landed.year].append(landed)
    loads = [load_year(year, year_files, reference, key)
             for year, year_files in sorted(by_year.items())]
    years = [load.year.label for load in loads]
    accounts = [account for load in loads for account in load.accounts]
    with connect(settings.warehouse) as connection:
        ensure_raw_zone(connection)
        with transaction(connection):
            replace_years(connection, {
                "eyfsp_returns": pd.concat([load.eyfsp for load in loads], ignore_index=True),
                "school_census": pd.concat([load.census for load in loads], ignore_index=True),
                "quarantine": _quarantine_frame(loads),
                "load_log": _log_frame(accounts),
            }, years)
            delete_years_except(connection, ["eyfsp_returns", "school_census", "quarantine",
                                             "load_log"], years)
    for account in accounts:
        level = context.log.info if account.status == "loaded" else context.log.error
        level(f"{account.file}: read {account.rows_read}, loaded {account.rows_loaded}, "
              f"quarantined {account.rows_quarantined}"
              + (f" ({account.message})" if account.message else ""))
    summary = pd.DataFrame([vars(a) for a in accounts])[
        ["file", "rows_read", "rows_loaded", "rows_quarantined", "status"]]
    for asset_key, kind, frame_name in ((EYFSP_RETURNS, "eyfsp", "eyfsp"),
                                        (SCHOOL_CENSUS, "census", "census")):
        kind_accounts = [a for a in accounts if a.kind == kind]
        yield MaterializeResult(asset_key=asset_key, metadata={
            "years": MetadataValue.text(", ".join(years)),
            "rows_loaded": sum(len(getattr(load, frame_name)) for load in loads),
            "rows_read": sum(a.rows_read for a in kind_accounts),
            "rows_quarantined": sum(a.rows_quarantined for a in kind_accounts),
            "files_rejected": sum(a.status == "rejected" for a in kind_accounts),
            "accounting": MetadataValue.md(summary[summary["file"].isin(
                [a.file for a in kind_accounts])].to_markdown(index=False)),
        })


def landed_files_for_year(files: list[LandedFile], year_label: str) -> list[LandedFile]:
    return [landed for landed in files if landed.year.label == year_label]
