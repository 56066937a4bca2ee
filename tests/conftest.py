"""Shared fixtures. The whole pipeline runs once per session (it costs ~20 s); unit tests
use the library directly."""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from indicators.config import ChorusSettings

TEST_KEY = "test-pseudonym-key"


@dataclass
class PipelineRun:
    settings: ChorusSettings
    landing: Path
    outcome: object


@pytest.fixture(scope="session")
def chorus_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChorusSettings]:
    """A private CHORUS_HOME, landing area and output folder for the session."""
    root = tmp_path_factory.mktemp("chorus")
    saved = dict(os.environ)
    os.environ.update(
        {
            "CHORUS_HOME": str(root / "home"),
            "CHORUS_LANDING": str(root / "landing"),
            "CHORUS_OUTPUT": str(root / "output"),
            "CHORUS_PSEUDONYM_KEY": TEST_KEY,
            "GX_ANALYTICS_ENABLED": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }
    )
    settings = ChorusSettings.from_env()
    from orchestration.instance import prepare_dagster_home

    prepare_dagster_home(settings)
    yield settings
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator:
    """A real PostgreSQL server started for the session (tests/postgres_server.py); a test
    that asks for it fails, never skips, when it cannot start."""
    from tests.postgres_server import start

    server = start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pipeline_run(chorus_env: ChorusSettings) -> PipelineRun:
    """A small synthetic borough (2,500 children a year, two years) run end to end once:
    enough families consent to linkage for some linked cells to clear disclosure control."""
    from indicators.synthetic.generate import generate
    from orchestration.runner import run_pipeline

    generate(chorus_env.landing, seed=7, children_per_year=2500, years=["2022/23", "2023/24"])
    outcome = run_pipeline(chorus_env)
    assert outcome.success, outcome.reason
    return PipelineRun(settings=chorus_env, landing=chorus_env.landing, outcome=outcome)
