"""Every authority's board packs, from the staged, disclosure-controlled tables only: for
each framework (dbt_project/frameworks/*.yml and CHORUS_FRAMEWORKS: its indicators, in its
`packs_under` folder), one pack for the authority and one per area of the audience's level
within it (indicators/publish/packs/ builds and renders each; none with
`audience.area_packs: false`), rendered in parallel processes. A framework's authority is
its audience's authority level: a local authority, or an area of whole authorities (a
combined authority: English devolved area), which gets a pack only when the publication
holds its figures. CHORUS_PACKS chooses the authorities (a combined authority's pack comes
with any of its authorities).

The board_packs asset (orchestration/publish_assets.py) calls `write_board_packs`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.config import ChorusSettings
from indicators.ingest.landing import reference_file
from indicators.isolated import forked_pool
from indicators.publish.framework_markers import read_markers
from indicators.publish.frameworks import load_frameworks
from indicators.publish.indicator_tables import area_parents
from indicators.publish.packs import (
    PackFiles,
    Publication,
    RunInfo,
    build_pack,
    pack_slugs,
    reuse,
    write_pack_reusing,
)
from indicators.publish.packs.deprivation_gap import read_inequality
from indicators.publish.packs.information import InformationSources
from indicators.publish.period_keys import keyed
from indicators.steps import Log
from indicators.voice.items import load_item_bank


def selected_authorities(setting: str, authorities: pd.DataFrame) -> pd.DataFrame:
    """The authorities CHORUS_PACKS names: all, none, or LA numbers and codes, comma-separated."""
    if setting.lower() == "all":
        return authorities
    if setting.lower() == "none":
        return authorities.iloc[:0]
    wanted = {part.strip() for part in setting.split(",") if part.strip()}
    return authorities[
        authorities["la_code"].isin(wanted) | authorities["new_la_code"].isin(wanted)
    ]


def pack_authorities(
    level: str, values: pd.DataFrame, chosen: pd.DataFrame, parents: pd.DataFrame
) -> list[str]:
    """The areas of `level` (a framework's authority level) in the published `values` that
    get a framework's packs: each authority CHORUS_PACKS chooses (`chosen`), and each area
    above authorities (a combined authority) with a chosen authority within it (`parents`:
    marts.dim_areas' area_code and parent_area_code); in the table's order. None when the
    publication has no area of the level (a combined authority's framework in a one-borough
    run)."""
    wanted = set(chosen["new_la_code"])
    within = parents.groupby("parent_area_code")["area_code"].agg(set).to_dict()
    found = dict.fromkeys(values.loc[values["geographic_level"] == level, "area_code"])
    return [code for code in found if code in wanted or within.get(code, set()) & wanted]


def _statements(stage: Path, frame: str) -> pd.DataFrame | None:
    """The framework's published statements (quotes/<frame>.csv), or None when it declares
    none or none are published."""
    path = stage / "quotes" / f"{frame}.csv"
    if not frame or not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def with_part_periods(values: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The keyed indicator table with each row's months counted, of how many, and the months
    not counted (indicators/part_periods.csv), blank for a whole period: the packs label a
    part period from them."""
    columns = ["months_landed", "months_in_period", "months_not_counted"]
    parts = (
        keyed(pd.read_csv(path, dtype=str, keep_default_na=False))
        if path.is_file()
        else pd.DataFrame(columns=["indicator_id", "time_period", *columns])
    )
    merged = values.merge(
        parts[["indicator_id", "time_period", *columns]],
        on=["indicator_id", "time_period"],
        how="left",
        validate="many_to_one",
    )
    merged[columns] = merged[columns].fillna("")
    return merged


_JOBS: list[tuple[Path, Publication, str, Path]] = []
"""The packs to write: (folder, publication, area, where packs are kept). Set before the
worker processes are forked, so each inherits it and only an index crosses to it; each
worker builds its packs' content as well as rendering them."""


def _render(index: int) -> PackFiles:
    folder, publication, area, kept = _JOBS[index]
    return write_pack_reusing(folder, build_pack(publication, area), kept)


@dataclass(frozen=True)
class PacksWritten:
    packs: int
    files: int
    authorities: int
    reused: int = 0
    """Packs whose content an earlier run rendered (packs/reuse.py): not rendered again."""


def kept_packs(settings: ChorusSettings) -> Path:
    """Where this home keeps rendered packs for the next run (packs/reuse.py)."""
    return settings.kept / "packs"


def write_board_packs(settings: ChorusSettings, stage: Path, run_id: str, log: Log) -> PacksWritten:
    """<packs_under>/<area>/pack.html|pdf|xlsx and claims.csv under `stage` (boards/<area>/
    for the school readiness framework) for every framework, from its
    indicators/, register/ and quotes/ files, for each authority CHORUS_PACKS chooses."""

    def read(path: Path) -> pd.DataFrame:
        return pd.read_csv(path, dtype=str, keep_default_na=False)

    # one key per period: (time_period, time_identifier) as "2024-M04" for a month
    values = with_part_periods(
        keyed(read(stage / "indicators" / "indicator_values.csv")),
        stage / "indicators" / "part_periods.csv",
    )
    register = read(stage / "register" / "indicators.csv")
    declared = read(stage / "register" / "frameworks.csv")  # each indicator's period type
    periods = declared[["indicator_id", "period_type"]].drop_duplicates("indicator_id")
    register = register.merge(periods, on="indicator_id", how="left").fillna("")
    quotes = read(stage / "quotes" / "quotes.csv")
    areas = area_parents(settings.data_warehouse)
    authorities = selected_authorities(
        settings.packs, read(reference_file("local_authorities", settings.landing, settings.seeds))
    )
    england = read(settings.seeds / "england_benchmarks.csv")
    items = load_item_bank(settings.seeds / "voice_items.csv")
    information = InformationSources.read(stage / "register")  # the map's chapter
    inequality = read_inequality(stage / "indicators")  # the published slope indices
    kept = kept_packs(settings)
    jobs = []
    for framework in load_frameworks():
        shown = values[values["indicator_id"].isin(framework.indicators)]
        # the cover's data period: the framework's own indicators' periods
        run = RunInfo.for_values(
            run_id, shown if len(shown) else values, la_word=framework.authority_word
        )
        every_statement = _statements(stage, framework.statements.frame)  # once per framework
        every_marker = read_markers(settings.data_warehouse, framework.markers, areas)
        codes = pack_authorities(framework.authority_level, shown, authorities, areas)
        if not codes and len(authorities):
            log.info(
                f"{framework.id}: no packs, as the publication has no "
                f"{framework.authority_level} figures for its indicators"
            )
        taken: set[str] = set()  # the framework's folder names so far, every authority's
        for code in codes:
            hoods = (
                set(areas.loc[areas["parent_area_code"] == code, "area_code"])
                if framework.area_level
                else set()
            )
            mine = shown[(shown["area_code"] == code) | shown["area_code"].isin(hoods)]
            if mine.empty:
                continue
            statements = (
                None
                if every_statement is None
                else every_statement[every_statement["area_code"].isin({code, *hoods})]
            )
            publication = Publication(
                mine,
                register,
                quotes[quotes["neighbourhood_code"].isin(hoods)],
                run,
                england=england,
                items=items,
                framework=framework,
                statements=statements,
                markers=None
                if every_marker is None
                else every_marker[every_marker["chart_area_code"].isin({code, *hoods})],
                information=information,
                inequality=inequality,
            )
            jobs += [
                (stage / framework.packs_under / slug, publication, area, kept)
                for area, slug in pack_slugs(publication, taken).items()
            ]
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    _JOBS[:] = jobs
    try:
        if workers > 1:
            with forked_pool(workers) as pool:
                packs = list(pool.map(_render, range(len(jobs))))
        else:
            packs = [_render(index) for index in range(len(jobs))]
    finally:
        _JOBS.clear()
    if packs:  # CHORUS_PACKS=none keeps the packs kept for the next run that writes them
        reuse.prune(kept, {pack.key for pack in packs}, run_id)
    written = [path for pack in packs for path in pack.paths]
    reused = sum(pack.reused for pack in packs)
    log.info(
        f"{len(jobs)} board packs ({len(written)} files) for {len(authorities)} authorities; "
        f"{reused} unchanged since an earlier run, not rendered again"
    )
    return PacksWritten(
        packs=len(jobs), files=len(written), authorities=len(authorities), reused=reused
    )
