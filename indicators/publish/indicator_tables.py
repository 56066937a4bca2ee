"""The publication's tables: disclosure control over what dbt built, then indicators/,
register/ (with the information map), quotes/, quality/ and open-data/ (EES format) in a
run's staging folder.

The indicator_tables asset (orchestration/publish_assets.py) calls `write_indicator_tables`;
the board packs are built from these staged files alone (indicators/publish/board_packs.py).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.config import ChorusSettings
from indicators.disclosure import (
    DisclosureConfig,
    divides_the_year,
    in_declared_order,
    protect,
    publishable,
    suppression_reasons,
    suppression_summary,
    with_rounded_counts,
)
from indicators.ingest.landing import discover, not_loaded_accounts, reference_file
from indicators.ingest.readers import rows_landed
from indicators.publish.families_page import (
    CONTACT_FILE,
    families_page,
    load_contacts,
    render_families_html,
)
from indicators.publish.frameworks import frameworks_table, load_frameworks, statement_frames
from indicators.publish.inequality import inequality_table
from indicators.publish.information_inputs import (
    INVENTORY_FILE,
    THEORY_FILE,
    load_inventory,
    load_theory,
)
from indicators.publish.information_map import (
    InformationMap,
    build_map,
    sources_table,
    summary_table,
    theory_table,
)
from indicators.publish.information_map_page import render_information_map_html
from indicators.publish.open_data import write_open_data
from indicators.publish.period_coverage import (
    Coverage,
    coverage,
    declared_starts,
    empty_period_notes,
    landed_months,
    missing_period_notes,
    months_with_rows,
    notes_lines,
    part_period_notes,
    part_period_table,
    unlinked_notes,
)
from indicators.publish.publication import write_csv
from indicators.publish.register import register_table, render_register_html, shapes
from indicators.publish.statement_rules import withheld
from indicators.publish.unit_gaps import (
    UNIT_COLUMNS,
    silent_months,
    silent_unit_notes,
    silent_units,
    unit_row_queries,
    unit_starts,
)
from indicators.sources.load import load_sources
from indicators.steps import Log
from indicators.voice.help_requests import may_be_quoted, needs_follow_up
from indicators.voice.items import load_item_bank
from indicators.warehouse import table_exists
from indicators.warehouse_tables import reading, shared_frame

QUOTE_COLUMNS = [
    "quote",
    "item_id",
    "item",
    "domain",
    "neighbourhood_code",
    "neighbourhood_name",
    "year",
    "time_period",
]


AREA_PARENTS = (
    "select area_code, parent_area_code from marts.dim_areas where parent_area_code is not null"
)


def area_parents(warehouse: Path | str) -> pd.DataFrame:
    """Each area with a parent (a neighbourhood and its authority), from marts.dim_areas."""
    with reading(warehouse) as connection:
        return connection.execute(AREA_PARENTS).df()


@dataclass(frozen=True)
class Marts:
    """What the publication reads from the warehouse, but the indicator values
    (`read_values`)."""

    register: pd.DataFrame
    quotes: pd.DataFrame
    areas: pd.DataFrame
    load_log: pd.DataFrame
    rejections: pd.DataFrame
    sources: pd.DataFrame
    """marts.dim_indicator_sources: each indicator and the raw tables it is built from."""
    unlinked: pd.DataFrame
    """marts.fct_unlinked_rows: loaded rows linking to nothing, by kind and file."""
    unit_rows: pd.DataFrame
    """Rows landed per kind, period and team, for the per-team starts (unit_gaps)."""
    known_zeros: pd.DataFrame | None
    """marts.fct_known_zeros: counts public inputs fix at 0, read by disclosure control."""


VALUE_KEY = [
    "indicator_id",
    "time_period",
    "time_identifier",
    "geographic_level",
    "area_code",
    "breakdown",
    "group",
]
"""The key of a published cell, in the order disclosure control reads the cells."""


def read_values(warehouse: Path | str) -> pd.DataFrame:
    """marts.fct_indicator_values, the run's largest frame, in the order of the cell key, so
    that disclosure control's ties (which partner of equal cost is hidden) never depend on
    the order the engine happened to return them in. Read apart from `read_marts`, so that
    `protect` can hold the only reference and let them go once it has completed the cells."""
    with reading(warehouse) as connection:
        values = shared_frame(connection.execute("select * from marts.fct_indicator_values"))
    return key_order(values, VALUE_KEY)


def read_marts(warehouse: Path | str) -> Marts:
    """The register, consented quotes and areas dbt built, and the raw zone's accounting
    (each file's rows, each quarantined row, identifiers withheld)."""
    with reading(warehouse) as connection:
        register = connection.execute("select * from marts.dim_indicators").df()
        quotes = connection.execute("select * from marts.fct_voice_quotes").df()
        areas = connection.execute(AREA_PARENTS).df()
        load_log = key_order(
            connection.execute(
                "select academic_year, kind, file, rows_read, rows_loaded, rows_quarantined,"
                " status, message from raw.load_log"
            ).df(),
            ["academic_year", "kind", "file"],
        )
        rejections = key_order(
            connection.execute(
                'select academic_year, kind, file, "row", column_name as "column", value, rule,'
                " message from raw.quarantine"
            ).df(),
            ["academic_year", "kind", "file", "row", "column", "rule"],
        )
        sources = connection.execute(
            "select indicator_id, source_table from marts.dim_indicator_sources"
        ).df()
        unlinked = connection.execute(
            "select kind, file, row_count, what from marts.fct_unlinked_rows"
        ).df()
        unit_rows = _unit_rows(connection)
        known_zeros = _known_zeros(connection)
    return Marts(
        register,
        quotes,
        areas,
        load_log,
        rejections,
        sources,
        unlinked,
        unit_rows,
        known_zeros,
    )


def _known_zeros(connection) -> pd.DataFrame | None:
    """marts.fct_known_zeros, or None where it was not built (then no count is known to be
    0, and disclosure control hides small zeros as it would any small count)."""
    if not table_exists(connection, "marts", "fct_known_zeros"):
        return None
    return connection.execute(
        'select indicator_id, time_period, area_code, breakdown, "group", count'
        " from marts.fct_known_zeros"
    ).df()


def _unit_rows(connection) -> pd.DataFrame:
    """UNIT_COLUMNS for every raw table a per-team start reads (none landed: no rows)."""
    tables = {row[0] for row in connection.execute(
        "select table_name from information_schema.tables where table_schema = 'raw'"
    ).fetchall()}  # fmt: skip
    specs = load_sources()
    frames = [
        connection.execute(sql).df()
        for kind, sql in unit_row_queries(specs)
        if specs[kind].raw_table in tables
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=UNIT_COLUMNS)


@dataclass(frozen=True)
class TablesWritten:
    """What `write_indicator_tables` did, for the run's log and the asset's metadata."""

    rows: int
    suppressed: int
    reasons: pd.DataFrame
    """Per indicator: cells suppressed as primary and as secondary (never published)."""
    seconds: float
    """Disclosure control's wall time."""
    tables_solved: int
    tables_kept: int
    """Tables (a period of one authority) unchanged since the last run: their decisions kept."""
    config: DisclosureConfig
    quotes_published: int
    open_data_files: int


def kept_decisions(settings: ChorusSettings) -> Path:
    """Where this home keeps each disclosure table's decision for the next run
    (indicators/disclosure/kept.py)."""
    return settings.kept / "disclosure"


def write_indicator_tables(settings: ChorusSettings, stage: Path, log: Log) -> TablesWritten:
    """indicator_values.csv after disclosure control, the register, quotes, the quality
    files and the open data, into `stage`."""
    marts = read_marts(settings.data_warehouse)
    register, quotes, areas = marts.register, marts.quotes, marts.areas
    config = DisclosureConfig.from_seed(settings.seeds / "disclosure_control.csv")
    indicator_shapes = shapes(register, config.voice_min_respondents)
    parents = dict(zip(areas["area_code"], areas["parent_area_code"], strict=True))
    started = time.perf_counter()
    item_bank = load_item_bank(settings.seeds / "voice_items.csv")
    protected = protect(
        read_values(settings.data_warehouse),  # protect holds them alone, and lets them go
        parents,
        indicator_shapes,
        config,
        item_bank,
        marts.known_zeros,
        kept=kept_decisions(settings),
    )
    seconds = time.perf_counter() - started
    tables = protected.attrs.get("tables", {"solved": 0, "kept": 0})
    if config.round_to:
        england = pd.read_csv(settings.seeds / "england_benchmarks.csv")
        protected = with_rounded_counts(
            protected, config.round_to, parents, register, england, item_bank
        )
    published = in_declared_order(
        publishable(protected, indicator_shapes, config, parents), indicator_shapes
    )
    write_csv(published, stage / "indicators" / "indicator_values.csv")
    # the slope index of inequality from the published quintile cells, never hidden ones
    write_csv(inequality_table(published, register), stage / "indicators" / "inequality.csv")
    write_csv(register_table(register), stage / "register" / "indicators.csv")
    frameworks = load_frameworks()
    listing = frameworks_table(frameworks, register)
    write_csv(listing, stage / "register" / "frameworks.csv")
    authorities = pd.read_csv(
        reference_file("local_authorities", settings.landing, settings.seeds), dtype=str
    )

    def read_seed(name: str) -> pd.DataFrame | None:
        path = reference_file(name, settings.landing, settings.seeds)
        return pd.read_csv(path, dtype=str, keep_default_na=False) if path.is_file() else None

    notes, found = _period_notes(marts, published, register, log, read_seed)
    write_csv(notes, stage / "quality" / "period_notes.csv")
    write_csv(part_period_table(found), stage / "indicators" / "part_periods.csv")
    open_data = write_open_data(
        stage, published, register, local_authorities=authorities, coverage=found
    )
    published_quotes = quotes_to_publish(quotes, config.voice_min_respondents)
    write_csv(published_quotes, stage / "quotes" / "quotes.csv")
    for frame in statement_frames(frameworks):
        statements = statements_to_publish(read_statements(settings.data_warehouse, frame))
        for framework in frameworks:  # beside what they explain, none bounding a hidden count
            if framework.statements.frame == frame:
                statements = withheld(statements, framework.statements, published, parents)
        write_csv(statements, stage / "quotes" / f"{frame}.csv")
        log.info(f"{len(statements)} statements published (quotes/{frame}.csv)")
    information = write_information_map(
        stage, settings.seeds, register, marts.sources, listing, log
    )
    write_families_page(stage, settings.seeds, register, information, listing, config, log)
    (stage / "register" / "index.html").write_text(
        render_register_html(register, dt.date.today().isoformat(), information.theory),
        encoding="utf-8",
    )
    load_log, rejections = marts.load_log, marts.rejections
    # Files in the landing area that are not where a return goes: accounted for too.
    misplaced, misplaced_lines = not_loaded_accounts(discover(settings.landing)[1], rows_landed)
    if misplaced:
        load_log = pd.concat([load_log, pd.DataFrame(misplaced)], ignore_index=True)
        rejections = pd.concat(
            [rejections.astype("string"), pd.DataFrame(misplaced_lines).astype("string")],
            ignore_index=True,
        )
    write_csv(load_log.fillna(""), stage / "quality" / "load_summary.csv")
    write_csv(rejections.astype("string").fillna(""), stage / "quality" / "rejections.csv")
    loss = suppression_summary(protected, divides_the_year(indicator_shapes))
    write_csv(loss, stage / "quality" / "suppression.csv")
    reasons = suppression_reasons(protected)  # for the log only: see suppression_summary
    suppressed = int(protected["numerator_suppressed"].sum())
    log.info(f"{len(published_quotes)} of {len(quotes)} consented quotes published")
    log.info(
        f"{len(published)} indicator rows, {suppressed} suppressed (c): "
        f"{int(reasons['primary'].sum())} primary, "
        f"{int(reasons['secondary'].sum())} secondary; disclosure "
        f"control {seconds:.1f} s ({tables['solved']} tables solved, {tables['kept']} "
        "unchanged since the last run and not solved again)"
    )
    return TablesWritten(
        rows=len(published),
        suppressed=suppressed,
        reasons=reasons,
        seconds=seconds,
        tables_solved=tables["solved"],
        tables_kept=tables["kept"],
        config=config,
        quotes_published=len(published_quotes),
        open_data_files=len(open_data),
    )


def write_information_map(
    stage: Path,
    seeds: Path,
    register: pd.DataFrame,
    lineage: pd.DataFrame,
    listing: pd.DataFrame,
    log: Log,
) -> InformationMap:
    """register/information_map.html, information_map.csv (counts and gaps),
    information_map_links.csv, information_sources.csv (the inventory with what each source
    reaches) and theory_of_change.csv (each row with the indicators measuring it), from the
    inventory and theory of change seeds, the specs' raw tables, dbt's lineage (`lineage`:
    marts.dim_indicator_sources), the register and the frameworks (`listing`:
    register/frameworks.csv). Returns the map (the register page shows its coverage)."""
    specs = load_sources()
    kind_tables = {
        kind: (spec.raw_table, *(name for name, _ in spec.also_tables))
        for kind, spec in specs.items()
    }
    information = build_map(
        load_inventory(seeds / INVENTORY_FILE, specs),
        load_theory(seeds / THEORY_FILE),
        kind_tables,
        lineage,
        register,
        listing,
    )
    folder = stage / "register"
    write_csv(summary_table(information), folder / "information_map.csv")
    write_csv(information.links, folder / "information_map_links.csv")
    write_csv(sources_table(information), folder / "information_sources.csv")
    write_csv(theory_table(information), folder / "theory_of_change.csv")
    (folder / "information_map.html").write_text(
        render_information_map_html(information, dt.date.today().isoformat()), encoding="utf-8"
    )
    log.info(information.headline() + " (register/information_map.html)")
    return information


def write_families_page(
    stage: Path,
    seeds: Path,
    register: pd.DataFrame,
    information: InformationMap,
    listing: pd.DataFrame,
    config: DisclosureConfig,
    log: Log,
) -> None:
    """register/families.html, the page for families (indicators/publish/families_page.py),
    from the published register, the specs, the information map's inventory, the frameworks,
    the disclosure settings and seeds/families_page.csv (a row it cannot use is a warning)."""
    contacts, problems = load_contacts(seeds / CONTACT_FILE)
    for line in problems:
        log.warning(line)
    page = families_page(
        register_table(register), information.sources, listing, load_sources(), config, contacts
    )
    (stage / "register" / "families.html").write_text(
        render_families_html(page, dt.date.today().isoformat()), encoding="utf-8"
    )
    log.info(
        f"the page for families names {sum(len(i) for _, i in page.domains)} indicators "
        "(register/families.html)"
    )


def _period_notes(
    marts: Marts,
    published: pd.DataFrame,
    register: pd.DataFrame,
    log: Log,
    read_seed: Callable[[str], pd.DataFrame | None],
) -> tuple[pd.DataFrame, Coverage]:
    """quality/period_notes.csv (periods whose files loaded no rows, part periods, rows
    linked to nothing), each note also a warning in the run log, and the coverage of the
    periods published (indicators/publish/period_coverage.py)."""
    specs = load_sources()
    starts = declared_starts(specs, read_seed)
    unit_start = unit_starts(specs, read_seed)
    silent = silent_units(marts.unit_rows, specs, unit_start)
    landed = landed_months(marts.load_log, specs, starts, silent_months(silent, specs))
    loaded = months_with_rows(marts.load_log, specs)
    found = coverage(published, register, marts.sources, landed, specs, loaded)
    notes = [
        empty_period_notes(marts.load_log, specs),
        missing_period_notes(marts.load_log, specs, starts),
        silent_unit_notes(silent, specs, unit_start),
        part_period_notes(found, register),
        unlinked_notes(marts.unlinked, marts.load_log),
    ]
    for line in notes_lines(notes):
        log.warning(line)
    frames = [frame for frame in notes if len(frame)]
    table = pd.concat(frames, ignore_index=True) if frames else notes[0]
    return table.astype("string").fillna(""), found


def disclosure_facts(seeds: Path) -> dict[str, int]:
    """The disclosure settings a publication states in its manifest."""
    config = DisclosureConfig.from_seed(seeds / "disclosure_control.csv")
    return {"disclosure_threshold": config.threshold, "round_counts_to": config.round_to or 0}


def read_statements(warehouse: Path | str, frame: str) -> pd.DataFrame:
    """A framework's statements mart (marts.<frame>: a safe name, checked with the framework)."""
    with reading(warehouse) as connection:
        return connection.execute(f"select * from marts.{frame}").df()


def statements_to_publish(statements: pd.DataFrame) -> pd.DataFrame:
    """A statements mart as published, as text: never a request for help or a disclosure of
    harm (help_requests.needs_follow_up), even if the mart let one through. Not the voice
    survey's `on_topic` test, whose word list is the early years survey's: the statements'
    source declares its own free text (consent, scrubbing, follow-up). The mart keeps only
    areas with enough people behind them (its own rule)."""
    kept = statements[~statements["quote"].astype(str).map(needs_follow_up).astype(bool)]
    # in one order whatever order the warehouse reads the table in (a re-run is the same file)
    kept = kept.sort_values(list(kept.columns), kind="stable")
    return kept.astype("string").fillna("").reset_index(drop=True)


def quotes_to_publish(quotes: pd.DataFrame, min_respondents: int) -> pd.DataFrame:
    """Quotes from neighbourhood-years with enough respondents to keep them anonymous.

    A request for help or a disclosure of harm is never a quote, nor is off-topic free text
    (help_requests.may_be_quoted): the ingest sets them aside, and any loaded before it did
    (a year not reloaded since) is dropped here too.
    """
    enough = quotes[quotes["respondents_in_area"] >= min_respondents]
    enough = enough[enough["quote"].astype(str).map(may_be_quoted).astype(bool)]
    # in the mart's order, sorted here: a PostgreSQL warehouse's collation (en-GB, say)
    # orders text otherwise than DuckDB, and the file must not depend on the warehouse
    enough = key_order(enough, ["time_period", "neighbourhood_code", "item_id", "quote"])
    return enough[QUOTE_COLUMNS].astype(str).reset_index(drop=True)


def key_order(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`frame` sorted by `columns` as Python compares them (text by code point, as DuckDB
    and a C collation do; missing last), whatever order the warehouse returned."""
    return frame.sort_values(columns, kind="stable", na_position="last").reset_index(drop=True)
