"""Publish assets: disclosure-controlled tables into a staging folder, then one atomic swap.

Nothing here runs unless every blocking check upstream passed (dbt tests with severity
error, and the blocking GX suites).
"""


import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from indicators.config import ChorusSettings
from indicators.disclosure import DisclosureConfig, protect, publishable
from indicators.landing import reference_file
from indicators.open_data import write_open_data
from indicators.publication import swap_into_place, write_csv, write_manifest
from indicators.register import register_table, render_register_html, shapes
from indicators.warehouse import connect
from orchestration.resources import ChorusResource


def staging_dir(settings: ChorusSettings, run_id: str) -> Path:
    return settings.home / "publish" / run_id


@asset(
    deps=[AssetKey(["marts", "fct_indicator_values"]), AssetKey(["marts", "dim_areas"]),
          AssetKey(["marts", "dim_indicators"]), AssetKey(["marts", "fct_voice_quotes"])],
    group_name="publish",
    kinds={"csv"},
)
def indicator_tables(context: AssetExecutionContext, chorus: ChorusResource) -> MaterializeResult:
    """indicator_values.csv after disclosure control, the register, and the quality reports."""
    settings = chorus.settings()
    stage = staging_dir(settings, context.run.run_id)
    if stage.parent.exists():  # leftovers of runs that failed before publishing
        shutil.rmtree(stage.parent)
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
    protected = protect(values, dict(zip(areas["area_code"], areas["parent_area_code"],
                                         strict=True)), indicator_shapes, config)
    published = publishable(protected, indicator_shapes, config)
    write_csv(published, stage / "indicators" / "indicator_values.csv")
    write_csv(register_table(register), stage / "register" / "indicators.csv")
    authorities = pd.read_csv(reference_file("local_authorities", settings.landing,
                                             settings.seeds), dtype=str)
    open_data = write_open_data(stage, published, register, local_authorities=authorities)
    published_quotes = quotes_to_publish(quotes, config.voice_min_respondents)
    write_csv(published_quotes, stage / "quotes" / "quotes.csv")
    (stage / "register" / "index.html").write_text(
        render_register_html(register, dt.date.today().isoformat()), encoding="utf-8")
    write_csv(load_log.fillna(""), stage / "quality" / "load_summary.csv")
    write_csv(rejections.astype("string").fillna(""), stage / "quality" / "rejections.csv")
    suppressed = int(protected["numerator_suppressed"].sum())
    context.log.info(f"{len(published_quotes)} of {len(quotes)} consented quotes published")
    context.log.info(f"{len(published)} indicator rows, {suppressed} suppressed (c)")
    return MaterializeResult(metadata={
        "rows": len(published),
        "suppressed": suppressed,
        "threshold": config.threshold,
        "round_counts_to": config.round_to or 0,
        "quotes_published": len(published_quotes),
        "open_data_files": len(open_data),
        "staging": MetadataValue.path(str(stage)),
    })


@asset(deps=[indicator_tables], group_name="publish")
def publication(context: AssetExecutionContext, chorus: ChorusResource) -> MaterializeResult:
    """Write manifest.json and move the staged publication into the output folder at once."""
    settings = chorus.settings()
    stage = staging_dir(settings, context.run.run_id)
    config = DisclosureConfig.from_seed(settings.seeds / "disclosure_control.csv")
    manifest = write_manifest(stage, context.run.run_id, {
        "disclosure_threshold": config.threshold,
        "round_counts_to": config.round_to or 0,
    })
    files = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
    swap_into_place(stage, settings.output)
    context.log.info(f"published {len(files)} files to {settings.output}")
    return MaterializeResult(metadata={
        "output": MetadataValue.path(str(settings.output)),
        "files": MetadataValue.json(files),
        "manifest": MetadataValue.path(str(settings.output / manifest.name)),
    })


QUOTE_COLUMNS = ["quote", "item_id", "item", "domain", "neighbourhood_code",
                 "neighbourhood_name", "year", "time_period"]


def quotes_to_publish(quotes: pd.DataFrame, min_respondents: int) -> pd.DataFrame:
    """Quotes from neighbourhood-years with enough respondents to keep them anonymous."""
    enough = quotes[quotes["respondents_in_area"] >= min_respondents]
    return enough[QUOTE_COLUMNS].astype(str).reset_index(drop=True)


def published_frame(output: Path) -> pd.DataFrame:
    """The published indicator table, as a reader would load it (all text)."""
    return pd.read_csv(output / "indicators" / "indicator_values.csv", dtype=str,
                       keep_default_na=False)
