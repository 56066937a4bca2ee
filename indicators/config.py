"""Where Chorus keeps things, read from environment variables with safe defaults.

Nothing here touches the disk: it only resolves paths. Every path is made absolute,
because dbt-duckdb resolves a relative warehouse path against the current directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

DEMO_PSEUDONYM_KEY = "chorus-demo-key-not-for-real-data"


def _path(environ: Mapping[str, str], name: str, default: Path, cwd: Path) -> Path:
    raw = environ.get(name)
    path = Path(raw).expanduser() if raw else default
    return path if path.is_absolute() else (cwd / path).resolve()


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

    @property
    def warehouse(self) -> Path:
        return self.home / "chorus.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def archive(self) -> Path:
        return self.home / "archive"

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
        )
