"""The house a newcomer reads: no module so long it cannot be read at a sitting, no two
modules a reader could mistake for each other, and Dagster assets that only wire.

The limits are the project's own rule (docs/architecture.md, "Where to find things"), written
here by hand: 500 lines a module; module names unique across the library and the code
location; no SQL in orchestration/ and no warehouse connection of its own (queries belong to
the library or to dbt)."""

import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("indicators", "orchestration")
MAX_LINES = 500


def _modules() -> list[Path]:
    return [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]


def test_the_house_has_modules_to_check():
    # the walk below proves nothing if it finds nothing
    assert len(_modules()) > 40


def test_no_module_is_over_500_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these modules (lines): {long}"


def test_no_two_modules_share_a_name():
    by_name = defaultdict(list)
    for p in _modules():
        if p.name != "__init__.py":
            by_name[p.stem].append(str(p.relative_to(ROOT)))
    assert {k: v for k, v in by_name.items() if len(v) > 1} == {}


def test_orchestration_runs_no_sql():
    query = re.compile(r"\b(SELECT|INSERT INTO|CREATE TABLE|DELETE FROM|UPDATE \w+ SET)\b")
    found = []
    for p in sorted((ROOT / "orchestration").rglob("*.py")):
        for number, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if query.search(line) or re.search(r"^\s*(import|from) duckdb\b", line):
                found.append(f"{p.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
