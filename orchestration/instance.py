"""Dagster's home under CHORUS_HOME: run history shared by `chorus run` and `chorus ui`."""

from pathlib import Path

from indicators.config import ChorusSettings

DAGSTER_YAML = """\
# Written by Chorus. Nothing here reaches the network.
telemetry:
  enabled: false
# DuckDB allows one writer: the warehouse runs one job at a time.
concurrency:
  runs:
    max_concurrent_runs: 1
"""


def prepare_dagster_home(settings: ChorusSettings) -> Path:
    """Create $CHORUS_HOME/dagster with telemetry off, and point DAGSTER_HOME at it."""
    import os

    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text(encoding="utf-8") != DAGSTER_YAML:
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home
