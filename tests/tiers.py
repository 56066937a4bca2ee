"""The test suite's tiers (markers registered in pyproject.toml). `make test` runs every test,
which is what CI must run; `make quick` leaves out three kinds, for a loop of a few minutes
while changing code:

- `pipeline`: runs Chorus end to end (a Dagster run through dbt: 50 to 150 s each on two
  cores) or reads such a run. A fixture that makes one is decorated `@runs_chorus`, and
  conftest.py marks every test that uses it, directly or through another fixture; a test
  that runs Chorus itself is marked `@pytest.mark.pipeline`;
- `slow`: a test that takes more than about five seconds without a pipeline run (the
  disclosure attacks and searches, plain dbt, rendering packs, solving tables);
- `browser`: drives chromium.

`tests/test_tiers.py` checks that a module which runs Chorus marks it."""

from collections.abc import Callable
from typing import TypeVar

Fixture = TypeVar("Fixture", bound=Callable)


def runs_chorus(fixture_function: Fixture) -> Fixture:
    """Marks a fixture function (under `@pytest.fixture`) that runs Chorus end to end: every
    test that uses it is marked `pipeline`."""
    fixture_function.runs_chorus = True
    return fixture_function


def uses_a_run(item) -> bool:
    """Whether a collected test uses, directly or through other fixtures, a fixture marked
    `@runs_chorus` (pytest's own closure of the test's fixtures)."""
    definitions = item._fixtureinfo.name2fixturedefs.values()
    return any(getattr(d.func, "runs_chorus", False) for ds in definitions for d in ds)
