"""What dbt needs before Dagster can load the project: its environment and a fresh manifest.

Kept apart from dbt_assets.py, which reads the manifest when it is imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from indicators.config import PROJECT_ROOT, ChorusSettings

DBT_PROJECT_DIR = Path(os.environ.get("CHORUS_DBT_PROJECT") or PROJECT_ROOT / "dbt_project"
                       ).resolve()
"""The dbt project (CHORUS_DBT_PROJECT overrides it, e.g. to try an indicator on a copy)."""
INDICATOR_MODELS_DIR = DBT_PROJECT_DIR / "models" / "indicators"
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
_PARSE_INPUTS = ("models", "macros", "tests", "dbt_project.yml", "profiles.yml")


def indicator_model_names(models_dir: Path = INDICATOR_MODELS_DIR) -> list[str]:
    """Every indicator model, found on disk: fct_indicator_values collects exactly these."""
    return sorted(path.stem for path in models_dir.rglob("*.sql"))


def dbt_environment(settings: ChorusSettings | None = None) -> dict[str, str]:
    """Environment variables every dbt invocation needs (set before parse and build)."""
    settings = settings or ChorusSettings.from_env()
    return {
        "CHORUS_WAREHOUSE": str(settings.warehouse),
        "CHORUS_INDICATOR_MODELS": ",".join(indicator_model_names()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
        "DO_NOT_TRACK": "1",
    }


def _newest_input_mtime() -> float:
    newest = 0.0
    for name in _PARSE_INPUTS:
        path = DBT_PROJECT_DIR / name
        paths = path.rglob("*") if path.is_dir() else [path]
        for item in paths:
            if item.is_file():
                newest = max(newest, item.stat().st_mtime)
    seeds = DBT_PROJECT_DIR.parent / "seeds"
    for item in seeds.glob("*.csv"):
        newest = max(newest, item.stat().st_mtime)
    return newest


def manifest_is_stale() -> bool:
    if not MANIFEST_PATH.is_file():
        return True
    return MANIFEST_PATH.stat().st_mtime < _newest_input_mtime()


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(args: list[str], settings: ChorusSettings | None = None,
            capture: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a dbt command in the project with Chorus's environment."""
    env = {**os.environ, **dbt_environment(settings)}
    return subprocess.run(
        [dbt_executable(), *args], cwd=DBT_PROJECT_DIR, env=env, text=True,
        capture_output=capture, check=False,
    )


def prepare_manifest(force: bool = False) -> None:
    """`dbt parse` when the manifest is missing or older than the project's files."""
    if not force and not manifest_is_stale():
        return
    result = run_dbt(["parse", "--quiet"])
    if result.returncode != 0:
        detail = (result.stdout + result.stderr).strip().splitlines()
        raise RuntimeError("dbt could not parse the project: " + " | ".join(detail[-8:]))


RUN_TARGETS_KEPT = 3
"""dagster-dbt gives each `dbt build` its own target folder (manifest, run results, compiled
SQL: a few MB); the newest few are kept for inspection, older ones are removed so that a
scheduled deployment does not fill its disk."""


def prune_run_targets(target_root: Path, prefix: str, keep: int = RUN_TARGETS_KEPT
                      ) -> list[Path]:
    """Remove all but the `keep` newest `<prefix>-*` run folders under `target_root`."""
    runs = sorted((p for p in target_root.glob(f"{prefix}-*") if p.is_dir()),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    removed = runs[keep:]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed
