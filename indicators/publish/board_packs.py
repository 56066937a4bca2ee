"""Every authority's board packs, from the staged, disclosure-controlled tables only: one
pack per neighbourhood and one for the authority (indicators/publish/packs/ builds and
renders each), rendered in parallel processes. CHORUS_PACKS chooses the authorities.

The board_packs asset (orchestration/publish_assets.py) calls `write_board_packs`.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.config import ChorusSettings
from indicators.ingest.landing import reference_file
from indicators.publish.indicator_tables import area_parents
from indicators.publish.packs import (
    BOARDS,
    Publication,
    RunInfo,
    build_pack,
    pack_slugs,
    write_pack,
)
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


def _render(job: tuple[Path, object]) -> list[Path]:
    folder, pack = job
    return write_pack(folder, pack)


@dataclass(frozen=True)
class PacksWritten:
    packs: int
    files: int
    authorities: int


def write_board_packs(settings: ChorusSettings, stage: Path, run_id: str, log: Log) -> PacksWritten:
    """boards/<area>/pack.html|pdf|xlsx and claims.csv under `stage`, from its
    indicators/, register/ and quotes/ files, for each authority CHORUS_PACKS chooses."""

    def read(path: Path) -> pd.DataFrame:
        return pd.read_csv(path, dtype=str, keep_default_na=False)

    values = read(stage / "indicators" / "indicator_values.csv")
    register = read(stage / "register" / "indicators.csv")
    quotes = read(stage / "quotes" / "quotes.csv")
    areas = area_parents(settings.warehouse)
    authorities = selected_authorities(
        settings.packs, read(reference_file("local_authorities", settings.landing, settings.seeds))
    )
    run = RunInfo.for_values(run_id, values)
    england = read(settings.seeds / "england_benchmarks.csv")
    items = load_item_bank(settings.seeds / "voice_items.csv")
    jobs = []
    for code in authorities["new_la_code"]:
        hoods = set(areas.loc[areas["parent_area_code"] == code, "area_code"])
        mine = values[(values["area_code"] == code) | values["area_code"].isin(hoods)]
        if mine.empty:
            continue
        publication = Publication(
            mine,
            register,
            quotes[quotes["neighbourhood_code"].isin(hoods)],
            run,
            england=england,
            items=items,
        )
        jobs += [
            (stage / BOARDS / slug, build_pack(publication, area))
            for area, slug in pack_slugs(publication).items()
        ]
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            written = [path for paths in pool.map(_render, jobs) for path in paths]
    else:
        written = [path for job in jobs for path in _render(job)]
    log.info(f"{len(jobs)} board packs ({len(written)} files) for {len(authorities)} authorities")
    return PacksWritten(packs=len(jobs), files=len(written), authorities=len(authorities))
