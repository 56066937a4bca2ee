"""The test suite's tiers (markers registered in pyproject.toml). `make test` runs every test,
which is what CI must run; `make quick` leaves out three kinds, for a loop of a few minutes
while changing code:

- `pipeline`: runs Chorus end to end (a Dagster run through dbt: 50 to 150 s each on two
  cores) or reads such a run. A fixture that makes one is decorated `@runs_chorus` (under
  `@pytest.fixture`), and conftest.py marks every test that uses it, directly or through
  other fixtures; a test that asks for one by name (`request.getfixturevalue`) is marked by
  hand, or by its parameter's marks, and conftest.py fails it when it is not. A test that
  runs Chorus itself is marked `@pytest.mark.pipeline`;
- `slow`: a test whose own work takes more than about five seconds without a pipeline run
  (the disclosure attacks and searches, plain dbt, rendering packs, solving tables); a
  module's fixture shared by quick tests may take longer, once;
- `browser`: drives chromium.

`tests/test_tiers.py` reads the tests' code for every way a test starts a run it knows of
(`chorus run`, `chorus demo`, the runner under any name, the Dagster job in process, and
helpers that do) and fails on one that is not marked."""

from collections.abc import Callable
from typing import TypeVar

Fixture = TypeVar("Fixture", bound=Callable)


def runs_chorus(fixture_function: Fixture) -> Fixture:
    """Marks a fixture function (under `@pytest.fixture`) that runs Chorus end to end: every
    test that uses it is marked `pipeline`."""
    if type(fixture_function).__name__ == "FixtureFunctionDefinition":
        raise TypeError("put @runs_chorus under @pytest.fixture, next to the function")
    fixture_function.runs_chorus = True
    return fixture_function


def makes_a_run(fixture_definition) -> bool:
    return getattr(fixture_definition.func, "runs_chorus", False)


def uses_a_run(item) -> bool:
    """Whether a collected test uses, directly or through other fixtures, a fixture marked
    `@runs_chorus` (pytest's own closure of the test's fixtures; of each name, the
    definition the test gets, the last)."""
    definitions = item._fixtureinfo.name2fixturedefs.values()
    return any(makes_a_run(ds[-1]) for ds in definitions if ds)
