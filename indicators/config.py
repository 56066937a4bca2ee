"""Where Chorus keeps things, read from environment variables with safe defaults.

Nothing here touches the disk: it only resolves paths (the key file is read by
indicators/ingest/keys.py when a run needs the key). Every path is made absolute, because
dbt-duckdb resolves a relative warehouse path against the current directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

DEMO_PSEUDONYM_KEY = "chorus-demo-key-not-for-real-data"
"""Public, so it protects nothing: only for returns `chorus synth` wrote
(indicators/ingest/keys.py)."""

DEFAULT_RETENTION_YEARS = 6
"""Academic years of returns kept by default: the newest and the five before it, enough for
the five-year trends with the newest year still being collected."""

DEFAULT_LOCK_WAIT_SECONDS = 600
"""How long a run waits for another run to release the warehouse before giving up."""


def dbt_project_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The dbt project: CHORUS_DBT_PROJECT (e.g. a copy to try an indicator on), else the
    project's dbt_project/. Its frameworks/ and metadata/ are read from here too."""
    env = os.environ if environ is None else environ
    raw = env.get("CHORUS_DBT_PROJECT")
    return Path(raw).expanduser() if raw else PROJECT_ROOT / "dbt_project"


class SettingsError(ValueError):
    """An environment variable Chorus reads has a value it cannot use."""


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return (environ.get(name) or "").strip().lower() in ("1", "true", "yes", "on")


def _retention(environ: Mapping[str, str]) -> int | None:
    raw = (environ.get("CHORUS_RETENTION_YEARS") or "").strip().lower()
    if not raw:
        return DEFAULT_RETENTION_YEARS
    if raw in ("all", "forever"):
        return None
    if raw.isdigit() and int(raw) >= 1:
        return int(raw)
    raise SettingsError(
        f"CHORUS_RETENTION_YEARS is '{raw}': set a number of academic years "
        f"(default {DEFAULT_RETENTION_YEARS}) or 'all' to keep every year"
    )


def _seconds(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = (environ.get(name) or "").strip()
    if not raw:
        return default
    if raw.isdigit():
        return int(raw)
    raise SettingsError(f"{name} is '{raw}': set a whole number of seconds (default {default})")


DUCKDB_MEMORY = "CHORUS_DUCKDB_MEMORY"
"""The variable holding DuckDB's memory limit (dbt's profile reads it by this name too)."""
DEFAULT_DUCKDB_MEMORY = "1GB"
_MEMORY = re.compile(r"(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KIB|MIB|GIB|TIB)", re.IGNORECASE)
_UNITS = {"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}
_UNITS |= {"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}
MINIMUM_DUCKDB_MEMORY = 128e6
"""Less, and DuckDB fails every query with an Out of Memory error rather than spilling."""


def duckdb_memory_limit(environ: Mapping[str, str] | None = None) -> str:
    """CHORUS_DUCKDB_MEMORY (default 1GB): DuckDB's memory limit, in dbt's runs and in
    Chorus's own connections; past it DuckDB spills most work to a folder beside the
    warehouse (a step that cannot spill stops with DuckDB's Out of Memory error: raise it).
    DuckDB's own default is 80% of the machine: at national, dbt's build held 6.0 GiB with
    it and 1.25 GiB with 1GB, about 6% slower, on two cores (docs/scaling.md)."""
    environ = os.environ if environ is None else environ
    raw = (environ.get(DUCKDB_MEMORY) or "").strip()
    if not raw:
        return DEFAULT_DUCKDB_MEMORY
    found = _MEMORY.fullmatch(raw)
    if found and float(found.group(1)) * _UNITS[found.group(2).upper()] >= MINIMUM_DUCKDB_MEMORY:
        return raw.replace(" ", "")
    raise SettingsError(
        f"{DUCKDB_MEMORY} is '{raw}': set an amount of at least 128MB, such as 1GB or "
        f"512MB (default {DEFAULT_DUCKDB_MEMORY})"
    )


def _warehouse_url(environ: Mapping[str, str]) -> str | None:
    from indicators.postgres import is_postgres_url, parse_url

    value = (environ.get("CHORUS_WAREHOUSE") or "").strip()
    if not is_postgres_url(value):
        return None
    try:  # a URL without a host or database is a configuration error, said now
        parse_url(value)
    except ValueError as error:
        raise SettingsError(f"CHORUS_WAREHOUSE: {error}") from None
    return value


def absolute(path: Path) -> Path:
    """`path` made absolute and normalised, without following symbolic links: the output
    is a link to the current publication, and must stay the link."""
    return Path(os.path.abspath(path))


def _path(environ: Mapping[str, str], name: str, default: Path, cwd: Path) -> Path:
    raw = environ.get(name)
    path = Path(raw).expanduser() if raw else default
    return path if path.is_absolute() else absolute(cwd / path)


@dataclass(frozen=True)
class ChorusSettings:
    """The locations and switches one Chorus installation runs with."""

    home: Path
    """CHORUS_HOME (default ./data): the warehouse, Dagster's home, the archive."""
    landing: Path
    """CHORUS_LANDING (default $CHORUS_HOME/landing): where returns are landed."""
    output: Path
    """CHORUS_OUTPUT (default ./output): what Chorus publishes."""
    seeds: Path
    """CHORUS_SEEDS (default the project's seeds/): reference CSVs the LA edits."""
    expectations: Path
    """CHORUS_EXPECTATIONS (default the project's expectations/): the GX suites."""
    pseudonym_key: str | None
    """CHORUS_PSEUDONYM_KEY: the secret keying UPN pseudonyms. None when unset."""
    xlsx_sheet: str | None = None
    """CHORUS_XLSX_SHEET: the worksheet to read from .xlsx returns (default: the first)."""
    packs: str = "all"
    """CHORUS_PACKS: which authorities get board packs: all (default), none, or a comma list
    of LA numbers or codes (e.g. 354 or E08000005)."""
    pseudonym_key_file: Path | None = None
    """CHORUS_PSEUDONYM_KEY_FILE: a file holding the key (readable by its owner only), used
    when CHORUS_PSEUDONYM_KEY is not set."""
    allow_demo_key: bool = False
    """CHORUS_ALLOW_DEMO_KEY=1: use the public demo key even for returns `chorus synth` did
    not write (test data made by hand). Never for real returns."""
    retention_years: int | None = DEFAULT_RETENTION_YEARS
    """CHORUS_RETENTION_YEARS (default 6, or 'all'): academic years of returns the archive
    and the raw tables keep, counted back from the newest year loaded."""
    lock_wait_seconds: int = DEFAULT_LOCK_WAIT_SECONDS
    """CHORUS_LOCK_WAIT (default 600): seconds a run waits for another run to finish with
    the warehouse before it gives up (0: give up at once)."""
    duckdb_memory: str = DEFAULT_DUCKDB_MEMORY
    """CHORUS_DUCKDB_MEMORY (default 1GB): DuckDB's memory limit (duckdb_memory_limit)."""
    warehouse_url: str | None = None
    """CHORUS_WAREHOUSE, when it holds a postgresql:// URL: the team's shared PostgreSQL
    warehouse. Unset (or anything else): the embedded DuckDB file in CHORUS_HOME."""

    @property
    def warehouse(self) -> Path:
        """The embedded DuckDB file: the raw zone's home (ingest, retention, the lock)."""
        return self.home / "chorus.duckdb"

    @property
    def data_warehouse(self) -> Path | str:
        """Where dbt builds and the publication reads: the PostgreSQL URL when one is set
        (the raw zone is copied there before dbt), else the DuckDB file."""
        return self.warehouse_url or self.warehouse

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def kept(self) -> Path:
        """What a run keeps so that the next need not make it again: rendered packs,
        disclosure decisions. Removed by `chorus purge` (they show purged years)."""
        return self.home / "cache"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> ChorusSettings:
        env = os.environ if environ is None else environ
        here = (cwd or Path.cwd()).resolve()
        home = _path(env, "CHORUS_HOME", Path("data"), here)
        return cls(
            home=home,
            landing=_path(env, "CHORUS_LANDING", home / "landing", here),
            output=_path(env, "CHORUS_OUTPUT", Path("output"), here),
            seeds=_path(env, "CHORUS_SEEDS", PROJECT_ROOT / "seeds", here),
            expectations=_path(env, "CHORUS_EXPECTATIONS", PROJECT_ROOT / "expectations", here),
            pseudonym_key=env.get("CHORUS_PSEUDONYM_KEY") or None,
            xlsx_sheet=env.get("CHORUS_XLSX_SHEET") or None,
            packs=(env.get("CHORUS_PACKS") or "all").strip(),
            pseudonym_key_file=(
                _path(env, "CHORUS_PSEUDONYM_KEY_FILE", Path(), here)
                if env.get("CHORUS_PSEUDONYM_KEY_FILE")
                else None
            ),
            allow_demo_key=_flag(env, "CHORUS_ALLOW_DEMO_KEY"),
            retention_years=_retention(env),
            lock_wait_seconds=_seconds(env, "CHORUS_LOCK_WAIT", DEFAULT_LOCK_WAIT_SECONDS),
            duckdb_memory=duckdb_memory_limit(env),
            warehouse_url=_warehouse_url(env),
        )
