"""Shared fixtures. The whole pipeline runs once per session (about 110 s on an idle 2-core
machine), for every pytest-xdist worker; unit tests use the library directly."""

import fcntl
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from indicators.config import ChorusSettings
from tests.tiers import makes_a_run, runs_chorus, uses_a_run

TEST_KEY = "test-pseudonym-key"

# No property test is timed (speed targets live in benchmarks/): Hypothesis's 200 ms deadline
# failed examples on a busy 2-core machine whose first call loads the source specs.
hypothesis_settings.register_profile("chorus", deadline=None)
hypothesis_settings.load_profile("chorus")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses a fixture running Chorus is marked `pipeline` (tests/tiers.py)."""
    for item in items:
        if hasattr(item, "_fixtureinfo") and uses_a_run(item):
            item.add_marker(pytest.mark.pipeline)


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef, request: pytest.FixtureRequest) -> None:
    """A fixture that runs Chorus, made for a test not marked `pipeline` (asked for by name,
    `request.getfixturevalue`, where the closure above cannot see it): the test fails, so
    `make quick` never runs Chorus unseen (tests/tiers.py)."""
    item = getattr(request, "_pyfuncitem", None)
    if makes_a_run(fixturedef) and item is not None and not item.get_closest_marker("pipeline"):
        refused = pytest.fail.Exception(
            f"{item.nodeid} makes {fixturedef.argname}, which runs Chorus: mark it pipeline "
            "(tests/tiers.py)",
            pytrace=False,
        )
        # kept as pytest keeps a fixture's own error, for the fixture's next user and teardown
        fixturedef.cached_result = (None, fixturedef.cache_key(request), (refused, None))
        raise refused


@dataclass
class PipelineRun:
    settings: ChorusSettings
    landing: Path
    outcome: object


@pytest.fixture(scope="session")
def chorus_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChorusSettings]:
    """A private CHORUS_HOME, landing area and output folder for the session."""
    root = tmp_path_factory.mktemp("chorus")
    # under pytest-xdist every worker reads the one landing `pipeline_run` writes (raw tables
    # of reference files name the file by its whole path, so each copy of the run loads
    # them as they were: its home's next run finds nothing changed)
    shared = _shared(tmp_path_factory)
    saved = dict(os.environ)
    os.environ.update(
        {
            "CHORUS_HOME": str(root / "home"),
            "CHORUS_LANDING": str((shared or root) / "landing"),
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
@runs_chorus
def pipeline_run(chorus_env: ChorusSettings, tmp_path_factory) -> PipelineRun:
    """A small synthetic borough (2,500 children a year, two years) run end to end once for
    the session: enough families consent to linkage for some linked cells to clear
    disclosure control. Under pytest-xdist the first worker to ask makes the run, in a
    process of its own, in a folder every worker shares (the others wait); each worker then
    copies its home and publication and reads its landing there (which no test writes to),
    so a test that runs again in its home touches no other worker's."""
    shared = _shared(tmp_path_factory)
    outcome = _shared_run(shared, chorus_env) if shared else _run(chorus_env)
    assert outcome.success, outcome.reason
    return PipelineRun(settings=chorus_env, landing=chorus_env.landing, outcome=outcome)


def _shared(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """The folder every pytest-xdist worker of the session shares, None without workers."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return None
    return tmp_path_factory.getbasetemp().parent / "pipeline-run"


def _run(settings: ChorusSettings):
    from indicators.synthetic.generate import generate
    from orchestration.runner import run_pipeline

    generate(settings.landing, seed=7, children_per_year=2500, years=["2022/23", "2023/24"])
    return run_pipeline(settings)


_MAKE = """
import pickle, sys
from pathlib import Path
from tests.conftest import _run
settings = pickle.loads(Path(sys.argv[1]).read_bytes())
Path(sys.argv[2]).write_bytes(pickle.dumps(_run(settings)))
"""
"""The shared run, in a process of its own: nothing of it (its environment, Dagster's open
history files) stays in the worker that made it."""


def _shared_run(shared: Path, settings: ChorusSettings):
    """The run made once in `shared` (the session's folder above each worker's), from the
    landing there, which `settings` already names, with `settings` but for its home and
    output; copied to `settings`' home and output. A run that could not be made fails every
    worker that asks, with its own output."""
    from indicators.publish.publication import publications_dir
    from orchestration.instance import prepare_dagster_home

    assert settings.landing == shared / "landing"
    shared.mkdir(exist_ok=True)
    made = replace(settings, home=shared / "home", output=shared / "output")
    kept, failed = shared / "outcome.pickle", shared / "failed.txt"
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # until the run is made (released when closed)
        if not kept.is_file() and not failed.is_file():
            (shared / "settings.pickle").write_bytes(pickle.dumps(made))
            done = subprocess.run(
                [sys.executable, "-c", _MAKE, str(shared / "settings.pickle"), str(kept)],
                cwd=Path(__file__).resolve().parents[1],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0 or not kept.is_file():
                failed.write_text(done.stdout[-3000:] + done.stderr[-3000:], encoding="utf-8")
    if failed.is_file():
        pytest.fail(f"the session's pipeline run failed:\n{failed.read_text(encoding='utf-8')}")
    outcome = pickle.loads(kept.read_bytes())
    if not outcome.success:
        return outcome  # nothing to copy: the caller says why
    shutil.copytree(made.home, settings.home, symlinks=True, dirs_exist_ok=True)
    shutil.copytree(publications_dir(made.output), publications_dir(settings.output), symlinks=True)
    settings.output.symlink_to(os.readlink(made.output))  # output.publications/<current>
    prepare_dagster_home(settings)  # this copy's own storage
    return outcome
