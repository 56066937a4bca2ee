"""Publish assets: disclosure-controlled tables into the run's own staging folder, then the
output link switches to it in one step (indicators/publication.py).

Nothing here runs unless every blocking check upstream passed (dbt tests with severity
error, and the blocking GX suites).
"""


import datetime as dt
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from indicators.config import ChorusSettings
from indicators.disclosure import (
    DisclosureConfig,
    protect,
    publishable,
    suppression_reasons,
    suppression_summary,
    with_rounded_counts,
)
from indicators.landing import discover, not_loaded_accounts, reference_file
from indicators.open_data import write_open_data
from indicators.packs import BOARDS, Publication, RunInfo, build_pack, pack_slugs, write_pack
from indicators.publication import (
    check_output,
    publications_dir,
    publish,
    staging_run_id,
    write_csv,
    write_manifest,
)
from indicators.publication import staging_dir as run_staging_dir
from indicators.quotes import may_be_quoted
from indicators.readers import rows_landed
from indicators.register import register_table, render_register_html, shapes
from indicators.voice_items import load_item_bank
from indicators.warehouse import connect
from orchestration.quality_report import write_quality_report
from orchestration.resources import ChorusResource


def staging_dir(settings: ChorusSettings, run_id: str) -> Path:
    """This run's staging folder, beside the publications (same filesystem as the output)."""
    return run_staging_dir(settings.output, run_id)


ABANDONED_AFTER_SECONDS = 24 * 3600
"""A staging folder of a run this Dagster instance does not know is removed only after this
long without a change."""


def _untouched_for(folder: Path, seconds: float) -> bool:
    import time

    entries = [folder, *folder.iterdir()]
    newest = max(entry.stat().st_mtime for entry in entries)
    return time.time() - newest > seconds


def remove_abandoned_staging(context: AssetExecutionContext, settings: ChorusSettings) -> None:
    """Remove staging folders of runs that ended without publishing (crashed or failed).

    Only folders whose run Dagster no longer shows as in progress: never another run's
    folder while it may still be writing.
    """
    from dagster import DagsterRunStatus

    finished = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
    base = publications_dir(settings.output)
    legacy = settings.home / "publish"  # where an older Chorus staged, by run id
    candidates = [(folder, staging_run_id(folder)) for folder in
                  (base.iterdir() if base.is_dir() else [])]
    candidates += [(folder, folder.name) for folder in
                   (legacy.iterdir() if legacy.is_dir() else [])]
    for folder, run_id in candidates:
        if not run_id or run_id == context.run.run_id or not folder.is_dir():
            continue
        run = context.instance.get_run_by_id(run_id)
        if run is None and not _untouched_for(folder, ABANDONED_AFTER_SECONDS):
            continue  # a run this instance does not know (another CHORUS_HOME?) may be writing
        if run is None or run.status in finished:
            shutil.rmtree(folder, ignore_errors=True)
            context.log.info(f"removed the staging folder of run {run_id}, which ended "
                             "without publishing")


@asset(
    deps=[AssetKey(["marts", "fct_indicator_values"]), AssetKey(["marts", "dim_areas"]),
          AssetKey(["marts", "dim_indicators"]), AssetKey(["marts", "fct_voice_quotes"])],
    group_name="publish",
    kinds={"csv"},
)
def indicator_tables(context: AssetExecutionContext, chorus: ChorusResource) -> MaterializeResult:
    """indicator_values.csv after disclosure control, the register, and the quality reports."""
    settings = chorus.settings()
    check_output(settings.output)
    stage = staging_dir(settings, context.run.run_id)
    if stage.exists():  # this run's own folder, from an earlier attempt of this step
        shutil.rmtree(stage)
    remove_abandoned_staging(context, settings)
    with connect(settings.warehouse, read_only=True) as connection:
        values = connection.execute(
            "select * from marts.fct_indicator_values").df()
        register = connection.execute("select * from marts.dim_indicators").df()
        quotes = connection.execute("select * from marts.fct_voice_quotes").df()
        areas = connection.execute("select area_code, parent_area_code from marts.dim_areas "
                                   "where parent_area_code is not null").df()
        load_log = connection.execute(
            "select academic_year, kind, file, rows_read, rows_loaded, rows_quarantined, status,"
            " message from raw.load_log order by academic_year, kind, file").df()
        rejections = connection.execute(
            'select academic_year, kind, file, "row", column_name as "column", value, rule,'
            ' message from raw.quarantine order by academic_year, kind, file, "row"').df()
    config = DisclosureConfig.from_seed(settings.seeds / "disclosure_control.csv")
    indicator_shapes = shapes(register, config.voice_min_respondents)
    parents = dict(zip(areas["area_code"], areas["parent_area_code"], strict=True))
    started = time.perf_counter()
    item_bank = load_item_bank(settings.seeds / "voice_items.csv")
    protected = protect(values, parents, indicator_shapes, config, item_bank)
    seconds = time.perf_counter() - started
    if config.round_to:
        england = pd.read_csv(settings.seeds / "england_benchmarks.csv")
        protected = with_rounded_counts(protected, config.round_to, parents, register, england,
                                        item_bank)
    published = publishable(protected, indicator_shapes, config, parents)
    write_csv(published, stage / "indicators" / "indicator_values.csv")
    write_csv(register_table(register), stage / "register" / "indicators.csv")
    authorities = pd.read_csv(reference_file("local_authorities", settings.landing,
                                             settings.seeds), dtype=str)
    open_data = write_open_data(stage, published, register, local_authorities=authorities)
    published_quotes = quotes_to_publish(quotes, config.voice_min_respondents)
    write_csv(published_quotes, stage / "quotes" / "quotes.csv")
    (stage / "register" / "index.html").write_text(
        render_register_html(register, dt.date.today().isoformat()), encoding="utf-8")
    # Files in the landing area that are not where a return goes: accounted for too.
    misplaced, misplaced_lines = not_loaded_accounts(discover(settings.landing)[1],
                                                     rows_landed)
    if misplaced:
        load_log = pd.concat([load_log, pd.DataFrame(misplaced)], ignore_index=True)
        rejections = pd.concat([rejections.astype("string"),
                                pd.DataFrame(misplaced_lines).astype("string")],
                               ignore_index=True)
    write_csv(load_log.fillna(""), stage / "quality" / "load_summary.csv")
    write_csv(rejections.astype("string").fillna(""), stage / "quality" / "rejections.csv")
    loss = suppression_summary(protected)
    write_csv(loss, stage / "quality" / "suppression.csv")
    reasons = suppression_reasons(protected)  # for the log only: see suppression_summary
    suppressed = int(protected["numerator_suppressed"].sum())
    context.log.info(f"{len(published_quotes)} of {len(quotes)} consented quotes published")
    context.log.info(f"{len(published)} indicator rows, {suppressed} suppressed (c): "
                     f"{int(reasons['primary'].sum())} primary, "
                     f"{int(reasons['secondary'].sum())} secondary; disclosure "
                     f"control {seconds:.1f} s")
    return MaterializeResult(metadata={
        "rows": len(published),
        "suppressed": suppressed,
        "suppressed_primary": int(reasons["primary"].sum()),
        "suppressed_secondary": int(reasons["secondary"].sum()),
        "suppression_by_indicator": MetadataValue.json(
            [{k: (v if isinstance(v, str) else int(v)) for k, v in row.items()}
             for row in reasons.to_dict("records")]),
        "disclosure_seconds": round(seconds, 2),
        "threshold": config.threshold,
        "round_counts_to": config.round_to or 0,
        "quotes_published": len(published_quotes),
        "open_data_files": len(open_data),
        "staging": MetadataValue.path(str(stage)),
    })


def _selected_authorities(setting: str, authorities: pd.DataFrame) -> pd.DataFrame:
    if setting.lower() == "all":
        return authorities
    if setting.lower() == "none":
        return authorities.iloc[:0]
    wanted = {part.strip() for part in setting.split(",") if part.strip()}
    return authorities[authorities["la_code"].isin(wanted)
                       | authorities["new_la_code"].isin(wanted)]


def _render(job: tuple[Path, object]) -> list[Path]:
    folder, pack = job
    return write_pack(folder, pack)


@asset(deps=[indicator_tables], group_name="publish", kinds={"html", "pdf", "xlsx"})
def board_packs(context: AssetExecutionContext, chorus: ChorusResource) -> MaterializeResult:
    """A pack per neighbourhood and one per authority (HTML, PDF, Excel), built only from the
    staged, disclosure-controlled tables. CHORUS_PACKS chooses the authorities."""
    settings = chorus.settings()
    stage = staging_dir(settings, context.run.run_id)

    def read(path: Path) -> pd.DataFrame:
        return pd.read_csv(path, dtype=str, keep_default_na=False)

    values = read(stage / "indicators" / "indicator_values.csv")
    register = read(stage / "register" / "indicators.csv")
    quotes = read(stage / "quotes" / "quotes.csv")
    with connect(settings.warehouse, read_only=True) as connection:
        areas = connection.execute("select area_code, parent_area_code from marts.dim_areas "
                                   "where parent_area_code is not null").df()
    authorities = _selected_authorities(settings.packs, read(reference_file(
        "local_authorities", settings.landing, settings.seeds)))
    run = RunInfo.for_values(context.run.run_id, values)
    england = read(settings.seeds / "england_benchmarks.csv")
    items = load_item_bank(settings.seeds / "voice_items.csv")
    jobs = []
    for code in authorities["new_la_code"]:
        hoods = set(areas.loc[areas["parent_area_code"] == code, "area_code"])
        mine = values[(values["area_code"] == code) | values["area_code"].isin(hoods)]
        if mine.empty:
            continue
        publication = Publication(mine, register, quotes[quotes["neighbourhood_code"]
                                                         .isin(hoods)], run,
                                  england=england, items=items)
        jobs += [(stage / BOARDS / slug, build_pack(publication, area))
                 for area, slug in pack_slugs(publication).items()]
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            written = [path for paths in pool.map(_render, jobs) for path in paths]
    else:
        written = [path for job in jobs for path in _render(job)]
    context.log.info(f"{len(jobs)} board packs ({len(written)} files) for "
                     f"{len(authorities)} authorities")
    return MaterializeResult(metadata={"packs": len(jobs), "files": len(written),
                                       "authorities": settings.packs})


@asset(deps=[indicator_tables, board_packs], group_name="publish")
def publication(context: AssetExecutionContext, chorus: ChorusResource) -> MaterializeResult:
    """Write manifest.json, then switch the output link to this run's folder in one step."""
    settings = chorus.settings()
    stage = staging_dir(settings, context.run.run_id)
    write_quality_report(context, settings, stage)
    config = DisclosureConfig.from_seed(settings.seeds / "disclosure_control.csv")
    manifest = write_manifest(stage, context.run.run_id, {
        "disclosure_threshold": config.threshold,
        "round_counts_to": config.round_to or 0,
    })
    files = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
    folder = publish(stage, settings.output, context.run.run_id)
    context.log.info(f"published {len(files)} files to {settings.output} (-> {folder})")
    return MaterializeResult(metadata={
        "output": MetadataValue.path(str(settings.output)),
        "folder": MetadataValue.path(str(folder)),
        "files": MetadataValue.json(files),
        "manifest": MetadataValue.path(str(settings.output / manifest.name)),
    })


QUOTE_COLUMNS = ["quote", "item_id", "item", "domain", "neighbourhood_code",
                 "neighbourhood_name", "year", "time_period"]


def quotes_to_publish(quotes: pd.DataFrame, min_respondents: int) -> pd.DataFrame:
    """Quotes from neighbourhood-years with enough respondents to keep them anonymous.

    A request for help or a disclosure of harm is never a quote, nor is off-topic free text
    (quotes.may_be_quoted): the ingest sets them aside, and any loaded before it did (a year
    not reloaded since) is dropped here too.
    """
    enough = quotes[quotes["respondents_in_area"] >= min_respondents]
    enough = enough[enough["quote"].astype(str).map(may_be_quoted).astype(bool)]
    return enough[QUOTE_COLUMNS].astype(str).reset_index(drop=True)


def published_frame(output: Path) -> pd.DataFrame:
    """The published indicator table, as a reader would load it (all text)."""
    return pd.read_csv(output / "indicators" / "indicator_values.csv", dtype=str,
                       keep_default_na=False)
