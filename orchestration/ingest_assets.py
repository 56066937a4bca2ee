"""Ingest assets: the reference files and each stream of returns into the raw tables
(indicators/ingest/streams.py), and the preflight gate before dbt.

Statutory returns and voice survey responses are partitioned by academic year (a year's
return touches only its partition). The gate stops a run with nothing to publish, or an
indicator left unfinished, with one line, before dbt builds anything: every dbt asset
depends on it (orchestration/dbt_assets.py), so runs from the UI, the daemon and `chorus
run` all pass through it.
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from indicators.ingest.landing import FileAccount
from indicators.ingest.preflight import publishable_totals
from indicators.ingest.reference_load import load_area_lists, load_reference
from indicators.ingest.streams import (
    STANDALONE,
    STATUTORY,
    VOICE,
    Stream,
    YearResult,
    load_stream,
)
from indicators.publish.frameworks import default_framework
from indicators.publish.register_check import require_finished
from orchestration.dbt_setup import INDICATOR_MODELS_DIR, indicator_reads
from orchestration.failures import refusals_fail
from orchestration.partitions import YEARS_TAG, academic_years
from orchestration.resources import ChorusResource

NEIGHBOURHOOD_LOOKUP = AssetKey(["raw", "neighbourhood_lookup"])
LOCAL_AUTHORITIES = AssetKey(["raw", "local_authorities"])
EYFSP_RETURNS = AssetKey(["raw", "eyfsp_returns"])
SCHOOL_CENSUS = AssetKey(["raw", "school_census"])
VOICE_RESPONSES = AssetKey(["raw", "voice_responses"])
VOICE_ANSWERS = AssetKey(["raw", "voice_answers"])
VOICE_QUOTES = AssetKey(["raw", "voice_quotes"])
PREFLIGHT = AssetKey("preflight")
STANDALONE_SOURCES = AssetKey(["raw", "standalone_sources"])


# Reference data -------------------------------------------------------------------------


def _reference(
    context: AssetExecutionContext, chorus: ChorusResource, name: str
) -> MaterializeResult:
    with refusals_fail():
        loaded = load_reference(chorus.settings(), name, context.log)
    return MaterializeResult(
        metadata={
            "rows": loaded.rows,
            "source": loaded.source,
            "rows_set_aside": loaded.rows_set_aside,
        }
    )


@asset(key=NEIGHBOURHOOD_LOOKUP, group_name="ingest", kinds={"duckdb"})
def neighbourhood_lookup(
    context: AssetExecutionContext, chorus: ChorusResource
) -> MaterializeResult:
    """The LA's postcode sector -> neighbourhood lookup (landing seeds/ or the project's).

    Rows in conflict are set aside (children in their sectors are quarantined at ingest);
    a lookup that cannot be read at all stops the run with its one-line reason."""
    return _reference(context, chorus, "neighbourhood_lookup")


@asset(key=LOCAL_AUTHORITIES, group_name="ingest", kinds={"duckdb"})
def local_authorities(context: AssetExecutionContext, chorus: ChorusResource) -> MaterializeResult:
    """LA numbers, ONS codes and names (landing seeds/ or the project's 153 English LAs)."""
    result = _reference(context, chorus, "local_authorities")
    with refusals_fail():  # the lists of teams and districts, checked against the LA list
        load_area_lists(chorus.settings(), context.log)
    return result


# Streams of returns, year by year -----------------------------------------------------------


def _load(
    context: AssetExecutionContext, chorus: ChorusResource, stream: Stream
) -> list[YearResult]:
    with refusals_fail():
        return load_stream(
            chorus.settings(),
            stream,
            context.partition_keys,
            context.run.tags.get(YEARS_TAG),
            context.log,
        )


def _accounting_markdown(accounts: list[FileAccount]) -> str:
    lines = ["| file | read | loaded | quarantined | status |", "|---|---|---|---|---|"]
    lines += [
        f"| {a.file} | {a.rows_read} | {a.rows_loaded} | {a.rows_quarantined} | {a.status} |"
        for a in accounts
    ]
    return "\n".join(lines)


def _materializations(results: list[YearResult], keys_by_kind: dict[AssetKey, tuple[str, ...]]):
    accounts = [account for result in results for account in result.accounts]
    for asset_key, kinds in keys_by_kind.items():
        kind_accounts = [a for a in accounts if a.kind in kinds]
        yield MaterializeResult(
            asset_key=asset_key,
            metadata={
                "years": MetadataValue.md(" ".join(f"{r.year}: {r.status}." for r in results)),
                "rows_read": sum(a.rows_read for a in kind_accounts),
                "rows_loaded": sum(a.rows_loaded for a in kind_accounts),
                "rows_quarantined": sum(a.rows_quarantined for a in kind_accounts),
                "files_rejected": sum(a.status == "rejected" for a in kind_accounts),
                "accounting": MetadataValue.md(_accounting_markdown(kind_accounts)),
            },
        )


@multi_asset(
    specs=[
        AssetSpec(
            EYFSP_RETURNS,
            deps=[NEIGHBOURHOOD_LOOKUP, LOCAL_AUTHORITIES],
            group_name="ingest",
            kinds={"duckdb"},
            description="EYFSP returns: validated, pseudonymised, one row per child.",
        ),
        AssetSpec(
            SCHOOL_CENSUS,
            deps=[NEIGHBOURHOOD_LOOKUP, LOCAL_AUTHORITIES],
            group_name="ingest",
            kinds={"duckdb"},
            description="School census extracts: validated, pseudonymised.",
        ),
    ],
    partitions_def=academic_years,
    backfill_policy=BackfillPolicy.single_run(),
)
def statutory_returns(context: AssetExecutionContext, chorus: ChorusResource):
    """Archive, validate, pseudonymise and load each academic year's EYFSP and census files."""
    results = _load(context, chorus, STATUTORY)
    yield from _materializations(results, {EYFSP_RETURNS: ("eyfsp",), SCHOOL_CENSUS: ("census",)})


@multi_asset(
    specs=[
        AssetSpec(
            VOICE_RESPONSES,
            deps=[NEIGHBOURHOOD_LOOKUP, LOCAL_AUTHORITIES],
            group_name="ingest",
            kinds={"duckdb"},
            description="Voice survey respondents with consent to aggregate use: area, "
            "channel, seldom-heard characteristics, consents, linked child "
            "pseudonym.",
        ),
        AssetSpec(
            VOICE_ANSWERS,
            deps=[NEIGHBOURHOOD_LOOKUP, LOCAL_AUTHORITIES],
            group_name="ingest",
            kinds={"duckdb"},
            description="One row per answered item, with whether it counts as positive.",
        ),
        AssetSpec(
            VOICE_QUOTES,
            deps=[NEIGHBOURHOOD_LOOKUP, LOCAL_AUTHORITIES],
            group_name="ingest",
            kinds={"duckdb"},
            description="Free-text answers given with quote consent, scrubbed of personal "
            "details (unscrubbable ones withheld).",
        ),
    ],
    partitions_def=academic_years,
    backfill_policy=BackfillPolicy.single_run(),
)
def voice_responses(context: AssetExecutionContext, chorus: ChorusResource):
    """Archive, validate and load each academic year's voice survey responses.

    Consent decides at the door: no aggregate consent, not used; no link consent, no child
    pseudonym; no quote consent, no free text.
    """
    results = _load(context, chorus, VOICE)
    yield from _materializations(
        results, {VOICE_RESPONSES: ("voice",), VOICE_ANSWERS: ("voice",), VOICE_QUOTES: ("voice",)}
    )


@asset(
    key=STANDALONE_SOURCES,
    deps=[NEIGHBOURHOOD_LOOKUP, LOCAL_AUTHORITIES],
    group_name="ingest",
    kinds={"duckdb"},
    partitions_def=academic_years,
    backfill_policy=BackfillPolicy.single_run(),
)
def standalone_sources(context: AssetExecutionContext, chorus: ChorusResource):
    """Sources loaded on their own by what their spec declares (`stream: standalone`,
    scaffolded by `chorus new-source`): each into the raw table its spec names."""
    results = _load(context, chorus, STANDALONE)
    accounts = [account for result in results for account in result.accounts]
    return MaterializeResult(
        metadata={
            "years": MetadataValue.md(" ".join(f"{r.year}: {r.status}." for r in results)),
            "rows_read": sum(a.rows_read for a in accounts),
            "rows_loaded": sum(a.rows_loaded for a in accounts),
            "rows_quarantined": sum(a.rows_quarantined for a in accounts),
            "accounting": MetadataValue.md(_accounting_markdown(accounts)),
        }
    )


# The gate before dbt -------------------------------------------------------------------------


@asset(
    key=PREFLIGHT,
    group_name="ingest",
    deps=[
        NEIGHBOURHOOD_LOOKUP,
        LOCAL_AUTHORITIES,
        EYFSP_RETURNS,
        SCHOOL_CENSUS,
        VOICE_RESPONSES,
        STANDALONE_SOURCES,
    ],
)
def preflight(context: AssetExecutionContext, chorus: ChorusResource) -> MaterializeResult:
    """Before dbt: every indicator definition is filled in, and the rows ingest loaded can be
    published (no kind of return and year lost whole); on a PostgreSQL warehouse, the raw
    zone is then copied there in bulk (indicators/postgres.py), for dbt to build from. Fails
    with the one line that says what to do, naming the rule, its count and the fix, or each
    unfinished file and field."""
    settings = chorus.settings()
    with refusals_fail():
        require_finished(INDICATOR_MODELS_DIR, settings.seeds)
        loaded, quarantined = publishable_totals(
            settings.warehouse,
            settings.landing,
            indicator_reads(),
            default_framework().headline.indicator,
        )
    metadata = {"rows_loaded": loaded, "rows_quarantined": quarantined}
    if settings.warehouse_url:  # dbt builds on the shared server: the raw zone goes there
        from indicators.postgres import copy_raw_zone, parse_url

        target = parse_url(settings.warehouse_url)
        copied = copy_raw_zone(settings.warehouse, target)
        metadata["rows_copied_to_postgres"] = sum(copied.values())
        context.log.info(f"raw zone copied to {target}: {sum(copied.values()):,} rows")
    context.log.info(f"{loaded:,} landed rows loaded, {quarantined:,} quarantined: dbt may run")
    return MaterializeResult(metadata=metadata)
