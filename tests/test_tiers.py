"""`make quick` leaves out what runs Chorus end to end (tests/tiers.py): a test that runs it
is marked, whether it runs it itself or through a fixture, however many fixtures away."""

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUICK = "not pipeline and not slow and not browser"
RUNS = re.compile(r"""["']run["'],\s*["']--landing["']|\brun_pipeline\(""")
"""How a test module starts a run: `chorus run --landing ...` (through whichever helper) or
the runner itself."""

REFUSED = {
    "test_cli.py::test_run_on_a_missing_landing_folder_says_so",
    "test_cli.py::test_run_on_a_landing_that_is_a_file_says_it_is_a_file",
    "test_sources.py::test_a_deleted_kind_the_project_needs_stops_validate_and_run_in_one_line",
    "test_frameworks.py::test_a_run_on_a_bad_framework_stops_before_anything_is_built",
}
"""Tests whose `chorus run` is refused before anything is built (a few seconds): quick."""

MARKED = ("pipeline", "slow", "runs_chorus")


def _decorators(node: ast.FunctionDef) -> str:
    return " ".join(ast.unparse(d) for d in node.decorator_list)


def _unmarked_runs(path: Path) -> list[str]:
    """Tests and fixtures of `path` that start a run, directly or through a helper function
    of the module that does, with no mark for it (nor the module's `pytestmark`)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    module_mark = any(
        isinstance(n, ast.Assign)
        and any(getattr(t, "id", "") == "pytestmark" for t in n.targets)
        and re.search(r"\bmark\.(pipeline|slow)\b", ast.unparse(n.value))
        for n in tree.body
    )
    helpers = {
        n.name
        for n in functions
        if not n.name.startswith("test_")
        and "fixture" not in _decorators(n)
        and RUNS.search(ast.get_source_segment(source, n) or "")
    }
    calls_helper = (
        re.compile(r"\b(" + "|".join(map(re.escape, helpers)) + r")\(") if helpers else None
    )
    unmarked = []
    for n in functions:
        if not (n.name.startswith("test_") or "fixture" in _decorators(n)):
            continue
        body = ast.get_source_segment(source, n) or ""
        runs = RUNS.search(body) or (calls_helper and calls_helper.search(body))
        marked = module_mark or any(m in _decorators(n) for m in MARKED)
        if runs and not marked and f"{path.name}::{n.name}" not in REFUSED:
            unmarked.append(f"{path.name}::{n.name}")
    return unmarked


def test_every_test_or_fixture_that_runs_chorus_is_marked():
    modules = [p for p in sorted((ROOT / "tests").glob("test_*.py")) if p.name != "test_tiers.py"]
    running = [p.name for p in modules if RUNS.search(p.read_text(encoding="utf-8"))]
    assert len(running) > 20  # the walk proves nothing if it finds no run
    unmarked = [name for p in modules for name in _unmarked_runs(p)]
    assert unmarked == [], "mark these pipeline or slow (tests/tiers.py), or add to REFUSED"


def test_the_check_finds_a_run_through_a_helper_and_a_fixture(tmp_path):
    module = tmp_path / "test_example.py"
    module.write_text(
        "import pytest\n\n"
        "def _go(landing):\n"
        "    return chorus('run', '--landing', str(landing))\n\n"
        "@pytest.fixture(scope='module')\n"
        "def ran(tmp_path_factory):\n"
        "    return _go(tmp_path_factory.mktemp('x'))\n\n"
        "def test_inline(tmp_path):\n"
        "    chorus(\n        'run',\n        '--landing', str(tmp_path))\n\n"
        "@pytest.mark.pipeline\n"
        "def test_marked(tmp_path):\n"
        "    run_pipeline(tmp_path)\n\n"
        "def test_reads(ran):\n"
        "    assert ran\n",
        encoding="utf-8",
    )
    assert _unmarked_runs(module) == ["test_example.py::ran", "test_example.py::test_inline"]


def _quick(*paths: str) -> set[str]:
    """The test ids `make quick` selects from `paths`."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
        + ["-p", "no:xdist", "-m", QUICK, *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return {line.strip() for line in done.stdout.splitlines() if "::" in line}


def test_quick_leaves_out_every_test_that_uses_a_run_however_far_away():
    quick = _quick(
        "tests/test_early_help_sources.py", "tests/test_end_to_end.py", "tests/test_open_data.py"
    )
    # the module's run fixture, and a fixture built on it (`warehouse`)
    assert not any("test_early_help_sources.py" in t for t in quick)
    # the session's run, through fixtures of the module (`published`, `expected`)
    assert "tests/test_end_to_end.py::test_occurring_finds_what_in_finds" in quick
    assert (
        not {
            "tests/test_end_to_end.py::test_every_published_gld_value_matches_an_independent_computation",
            "tests/test_end_to_end.py::test_no_identifier_reaches_the_warehouse_or_the_output",
        }
        & quick
    )
    # a fixture's third parameter reads the session's run
    assert "tests/test_open_data.py::test_file_names_are_lower_case_and_paired[statutory]" in quick
    assert (
        "tests/test_open_data.py::test_file_names_are_lower_case_and_paired[pipeline]" not in quick
    )
