"""Publication: write everything to a staging folder, then swap it into place in one move.

A run that fails part-way leaves the previous publication untouched. The manifest lists
every published file with its sha256, the run id and the time.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from indicators.landing import sha256_of

MANIFEST = "manifest.json"


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """UTF-8 CSV, no index, never an empty cell left ambiguous (callers fill symbols first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def write_manifest(stage: Path, run_id: str, extra: Mapping[str, Any] | None = None) -> Path:
    files = sorted(p for p in stage.rglob("*") if p.is_file() and p.name != MANIFEST)
    manifest = {
        "run_id": run_id,
        "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **(extra or {}),
        "files": [
            {"path": p.relative_to(stage).as_posix(), "sha256": sha256_of(p),
             "bytes": p.stat().st_size}
            for p in files
        ],
    }
    path = stage / MANIFEST
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


def swap_into_place(stage: Path, output: Path) -> None:
    """Replace `output` by `stage` with renames, so readers never see half a publication."""
    output.parent.mkdir(parents=True, exist_ok=True)
    previous = output.with_name(f".{output.name}.previous")
    if previous.exists():
        shutil.rmtree(previous)
    if output.exists():
        output.rename(previous)
    try:
        shutil.move(str(stage), str(output))
    except BaseException:
        if previous.exists() and not output.exists():
            previous.rename(output)
        raise
    if previous.exists():
        shutil.rmtree(previous)


def read_manifest(output: Path) -> dict[str, Any]:
    return json.loads((output / MANIFEST).read_text(encoding="utf-8"))
