"""`make quick` leaves out what runs Chorus end to end (tests/tiers.py): a test that runs it
is marked, whether it runs it itself, through a helper or through a fixture, however many
fixtures away."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QUICK = "not pipeline and not slow and not browser"

REFUSED = {
    "test_cli.py::test_run_on_a_missing_landing_folder_says_so",
    "test_cli.py::test_run_on_a_landing_that_is_a_file_says_it_is_a_file",
    "test_sources.py::test_a_deleted_kind_the_project_needs_stops_validate_and_run_in_one_line",
    "test_frameworks.py::test_a_run_on_a_bad_framework_stops_before_anything_is_built",
}
"""Tests whose `chorus run` is refused before anything is built (a few seconds): quick."""

MARKS = {"pytest.mark.pipeline", "pytest.mark.slow"}


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _strings(call: ast.Call) -> list[str]:
    arguments = [*call.args, *(k.value for k in call.keywords)]
    return [
        node.value
        for argument in arguments
        for node in ast.walk(argument)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def _starts_a_run(call: ast.Call, runners: set[str]) -> bool:
    """`chorus run --landing ...` through whichever helper (the arguments' strings, however
    spread, starred or joined), `chorus demo`, the runner or a helper that starts a run,
    or the Dagster job executed in process."""
    name, strings = _name(call.func), _strings(call)
    if name == "run_pipeline" or (isinstance(call.func, ast.Name) and name in runners):
        return True  # a helper by its own name (never a method that shares it)
    if "run" in strings and any(s.startswith("--landing") for s in strings):
        return True
    if strings[:1] == ["demo"] and ("chorus" in name.lower() or "cli" in name.lower()):
        return True
    return name == "execute_in_process" and any(
        isinstance(n, ast.Name) and n.id == "PIPELINE_JOB" for n in ast.walk(call.func)
    )


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _is_fixture(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(ast.unparse(d).startswith("pytest.fixture") for d in node.decorator_list)


def _runs(node: ast.AST, runners: set[str]) -> bool:
    return any(isinstance(n, ast.Call) and _starts_a_run(n, runners) for n in ast.walk(node))


def _runners(trees: dict[str, ast.Module]) -> dict[str, set[str]]:
    """For each module (by its name in tests/), the names that start a run when it calls
    them: the runner under any name it is imported as, its own helpers that start a run
    (directly or through another such helper), and such helpers imported from another of
    the tests' modules."""
    helpers = {
        module: [  # a module's own functions, not its classes' methods
            f
            for f in tree.body
            if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
            and not f.name.startswith("test_")
            and not _is_fixture(f)
        ]
        for module, tree in trees.items()
    }
    imported = {module: {} for module in trees}
    for module, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in (
                "orchestration.runner",
                *(f"tests.{m}" for m in trees),
            ):
                source = node.module.removeprefix("tests.")
                for alias in node.names:
                    imported[module][alias.asname or alias.name] = (source, alias.name)
    runners = {module: {"run_pipeline"} for module in trees}
    runners["orchestration.runner"] = {"run_pipeline"}
    while True:
        more = False
        for module in trees:
            for name, (source, original) in imported[module].items():
                if name not in runners[module] and original in runners.get(source, ()):
                    runners[module].add(name)
                    more = True
            for f in helpers[module]:
                if f.name not in runners[module] and _runs(f, runners[module]):
                    runners[module].add(f.name)
                    more = True
        if not more:
            return runners


def _marked(node, module_marks: set[str], class_marks: set[str]) -> bool:
    decorators = [ast.unparse(d) for d in node.decorator_list]
    if MARKS & (set(decorators) | module_marks | class_marks):
        return True
    fixture_at = [i for i, d in enumerate(decorators) if d.startswith("pytest.fixture")]
    return bool(fixture_at) and "runs_chorus" in decorators[fixture_at[0] + 1 :]


def _pytestmark(body: list[ast.stmt]) -> set[str]:
    for node in body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", "") == "pytestmark" for t in node.targets
        ):
            value = node.value
            items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
            return {ast.unparse(item) for item in items}
    return set()


def _unmarked_runs(path: Path, runners: set[str]) -> list[str]:
    """Tests and fixtures of `path` (in classes too) that start a run and are not marked for
    it, nor in REFUSED."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_marks = _pytestmark(tree.body)
    unmarked = []
    classes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef))]
    for owner in classes:
        class_marks = set() if owner is tree else _pytestmark(owner.body)
        if owner is not tree:
            class_marks |= {ast.unparse(d) for d in owner.decorator_list}
        for node in owner.body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if not (node.name.startswith("test_") or _is_fixture(node)):
                continue
            name = f"{path.name}::{node.name}"
            marked = _marked(node, module_marks, class_marks) or name in REFUSED
            if _runs(node, runners) and not marked:
                unmarked.append(name)
    return unmarked


def _test_modules() -> list[Path]:
    return [p for p in sorted((ROOT / "tests").glob("*.py")) if p.name != "test_tiers.py"]


def test_every_test_or_fixture_that_runs_chorus_is_marked():
    modules = _test_modules()
    runners = _runners({p.stem: ast.parse(p.read_text(encoding="utf-8")) for p in modules})
    # helpers known to start a run, found (else the walk below proves nothing)
    assert "_run" in runners["conftest"] and "_chorus_run" in runners["test_hostile_runs"]
    assert "_run" not in runners["test_monthly_source"]  # its own _run loads one source
    unmarked = [name for p in modules for name in _unmarked_runs(p, runners[p.stem])]
    assert unmarked == [], "mark these pipeline or slow (tests/tiers.py), or add to REFUSED"
    tests = {f"{p.name}::{f.name}" for p in modules for f in _functions(ast.parse(p.read_text()))}
    assert tests >= REFUSED  # each refusal still names a test


EXAMPLE = """
import pytest
from orchestration.runner import run_pipeline as go
from tests.tiers import runs_chorus

def _land(landing):
    return chorus("run", *("--landing", str(landing)))

def _twice(landing):
    return _land(landing), _land(landing)

@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    return _twice(tmp_path_factory.mktemp("x"))

@runs_chorus
@pytest.fixture
def wrong_order(tmp_path):
    return go(tmp_path)

@pytest.fixture(name="pipeline_ish")
def named_so(tmp_path):
    return run_pipeline(tmp_path)

@pytest.fixture
@runs_chorus
def right_order(tmp_path):
    return go(tmp_path)

def test_inline(tmp_path):
    chorus(
        "run",
        f"--landing={tmp_path}")

def test_demo(tmp_path):
    _cli("demo", cwd=tmp_path)

def test_job(defs):
    defs.resolve_job_def(PIPELINE_JOB).execute_in_process()

async def test_async(tmp_path):
    go(tmp_path)

def test_attribute(tmp_path):
    import orchestration.runner as runner
    runner.run_pipeline(tmp_path)

@pytest.mark.pipeline
def test_marked(tmp_path):
    run_pipeline(tmp_path)

@pytest.mark.parametrize("how", ["slow_path"])
def test_says_slow_but_is_not_marked(tmp_path, how):
    run_pipeline(tmp_path)

def test_reads(ran):
    assert ran

class TestInClass:
    def test_method(self, tmp_path):
        chorus("run", "--out", "o", "--landing", str(tmp_path))

@pytest.mark.slow
class TestMarkedClass:
    def test_method(self, tmp_path):
        run_pipeline(tmp_path)
"""


def test_the_check_finds_every_way_a_test_starts_a_run(tmp_path):
    module = tmp_path / "test_example.py"
    module.write_text(EXAMPLE, encoding="utf-8")
    runners = _runners({"test_example": ast.parse(EXAMPLE)})["test_example"]
    assert {"run_pipeline", "go", "_land", "_twice"} <= runners
    assert _unmarked_runs(module, runners) == [
        "test_example.py::ran",
        "test_example.py::wrong_order",
        "test_example.py::named_so",
        "test_example.py::test_inline",
        "test_example.py::test_demo",
        "test_example.py::test_job",
        "test_example.py::test_async",
        "test_example.py::test_attribute",
        "test_example.py::test_says_slow_but_is_not_marked",
        "test_example.py::test_method",
    ]


def test_runs_chorus_above_the_fixture_is_refused():
    from tests.tiers import runs_chorus

    with pytest.raises(TypeError, match="under @pytest.fixture"):

        @runs_chorus
        @pytest.fixture
        def made(): ...


def _pytest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
        cwd=ROOT,
        env={**os.environ, "PYTEST_ADDOPTS": ""},
        capture_output=True,
        text=True,
        check=False,
    )


def _quick(*paths: str) -> set[str]:
    """The test ids `make quick` selects from `paths`."""
    done = _pytest("--collect-only", "-q", "-m", QUICK, *paths)
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


ASKS_BY_NAME = """
import pytest
from tests.tiers import runs_chorus

@pytest.fixture
@runs_chorus
def expensive():
    return 1

@pytest.fixture
def cheap():
    return 2

def test_asks_by_name(request):
    assert request.getfixturevalue("expensive") == 1

def test_asks_a_cheap_one_by_name(request):
    assert request.getfixturevalue("cheap") == 2

@pytest.mark.pipeline
def test_asks_by_name_marked(request):
    assert request.getfixturevalue("expensive") == 1
"""


def test_a_run_asked_for_by_name_fails_a_test_not_marked(tmp_path):
    folder = ROOT / "tests" / f"_tiers_{os.getpid()}"  # under tests/, for its conftest.py
    folder.mkdir()
    try:
        (folder / "test_by_name.py").write_text(ASKS_BY_NAME, encoding="utf-8")
        done = _pytest("-q", "-rA", str(folder / "test_by_name.py"))
    finally:
        for path in sorted(folder.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        folder.rmdir()
    lines = done.stdout.splitlines()
    assert any(x.startswith("FAILED") and "::test_asks_by_name " in x for x in lines), done.stdout
    assert any("PASSED" in x and "test_asks_a_cheap_one_by_name" in x for x in lines)
    assert any("PASSED" in x and "test_asks_by_name_marked" in x for x in lines)
    assert "makes expensive, which runs Chorus: mark it pipeline" in done.stdout
