"""Disclosure decisions kept between runs (indicators/disclosure/kept.py): a run again solves
only the tables whose inputs changed, and publishes exactly what solving every table afresh
publishes. The reference is always `protect` with nothing kept, on the same inputs."""

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators.disclosure import DisclosureConfig, protect
from indicators.disclosure import kept as kept_module
from indicators.publish.register import shapes
from tests.cohorts import ITEMS, REGISTER, cohort, people_of

ROOT = Path(__file__).resolve().parents[1]
DECIDED = ["numerator_suppressed", "denominator_suppressed", "suppression"]
KEY = ["indicator_id", "time_period", "area_code", "breakdown", "group"]


@pytest.fixture(autouse=True)
def one_process(monkeypatch):
    monkeypatch.setenv("CHORUS_DISCLOSURE_WORKERS", "1")


def _cohort(seed: int):
    drawn = dict(
        seed=seed, years=2, authorities=1, hoods=2, per_year=15, heard=0.6, rare=0.1, lean=0.5
    )
    return cohort(*people_of(**drawn))


def _decided(values, parents, config, kept=None) -> tuple[pd.DataFrame, dict]:
    frame = protect(values, parents, shapes(REGISTER, config.voice_min_respondents), config,
                    ITEMS, kept=kept)  # fmt: skip
    tables = frame.attrs["tables"]
    frame = frame[KEY + ["numerator", "denominator"] + DECIDED]
    return frame.sort_values(KEY).reset_index(drop=True), tables


CONFIG = DisclosureConfig(threshold=5)


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """One cohort (one authority, two years: two tables), decided afresh with nothing kept,
    and decided once more keeping its decisions in a folder."""
    values, parents = _cohort(seed=5)
    assert values["time_period"].nunique() == 2
    folder = tmp_path_factory.mktemp("kept")
    afresh, _ = _decided(values, parents, CONFIG)
    once, tables = _decided(values, parents, CONFIG, kept=folder)
    return values, parents, afresh, once, tables, folder


@pytest.fixture
def kept(first, tmp_path) -> Path:
    """A copy of the folder the cohort's decisions were kept in."""
    folder = tmp_path / "kept"
    shutil.copytree(first[-1], folder)
    return folder


@pytest.mark.slow
def test_a_run_again_solves_no_table_and_decides_exactly_as_afresh(first, kept):
    values, parents, afresh, once, tables_once, _ = first
    assert afresh["numerator_suppressed"].any() and not afresh["numerator_suppressed"].all()
    assert (afresh["suppression"].str.startswith("secondary")).any()
    pd.testing.assert_frame_equal(once, afresh)
    again, tables_again = _decided(values, parents, CONFIG, kept=kept)
    pd.testing.assert_frame_equal(again, afresh)
    assert tables_once == {"solved": 2, "kept": 0}
    assert tables_again == {"solved": 0, "kept": 2}
    # what is kept is one flag a count, never a count
    files = sorted(kept.glob("*.npy"))
    assert len(files) == 2
    assert all(np.load(path).dtype == bool for path in files)


@pytest.mark.slow
def test_a_changed_year_is_solved_again_and_the_unchanged_year_is_kept(first, kept):
    values, parents = first[:2]
    other, other_parents = _cohort(seed=6)
    assert other_parents == parents
    years = sorted(values["time_period"].unique())
    mixed = pd.concat(
        [values[values["time_period"] == years[0]], other[other["time_period"] == years[1]]],
        ignore_index=True,
    )
    afresh, _ = _decided(mixed, parents, CONFIG)
    again, tables = _decided(mixed, parents, CONFIG, kept=kept)
    pd.testing.assert_frame_equal(again, afresh)
    assert tables == {"solved": 1, "kept": 1}
    assert len(list(kept.glob("*.npy"))) == 2  # this run's tables only: the old year 2 went


@pytest.mark.parametrize("change", ["threshold", "parents", "declaration"])
@pytest.mark.slow
def test_a_changed_setting_or_declaration_solves_every_table(first, kept, change, monkeypatch):
    values, parents = first[:2]
    config = CONFIG
    if change == "threshold":
        config = DisclosureConfig(threshold=3)
    elif change == "parents":  # an area nobody publishes, beside the others
        parents = {**parents, "E99999999": "E92000001"}
    else:  # one indicator's declared decimals
        real = shapes

        def edited(register, minimum):
            result = dict(real(register, minimum))
            first_id = sorted(result)[0]
            result[first_id] = replace(result[first_id], decimals=result[first_id].decimals + 1)
            return result

        monkeypatch.setattr(sys.modules[__name__], "shapes", edited)
    _, tables = _decided(values, parents, config, kept=kept)
    assert tables == {"solved": 2, "kept": 0}  # solved afresh: nothing kept was used


@pytest.mark.parametrize(
    "damage", ["too_short", "not_a_decision", "counts_not_flags", "empty", "cut_short"]
)
@pytest.mark.slow
def test_a_kept_decision_of_the_wrong_shape_or_unreadable_is_solved_again(first, kept, damage):
    values, parents, afresh = first[:3]
    damaged = sorted(kept.glob("*.npy"))[0]
    length = np.load(damaged).shape[0]
    if damage == "too_short":
        np.save(damaged, np.zeros(length - 2, dtype=bool))
    elif damage == "not_a_decision":
        damaged.write_bytes(b"not a decision")
    elif damage == "empty":  # a power cut after the rename
        damaged.write_bytes(b"")
    elif damage == "cut_short":
        damaged.write_bytes(damaged.read_bytes()[:-5])
    else:
        np.save(damaged, np.zeros(length, dtype=np.int64))
    again, tables = _decided(values, parents, CONFIG, kept=kept)
    pd.testing.assert_frame_equal(again, afresh)
    assert tables == {"solved": 1, "kept": 1}


def test_an_input_the_key_cannot_read_keeps_nothing(first, tmp_path):
    values = first[0]

    class Opaque:  # a value whose contents the key cannot see
        pass

    with pytest.raises(kept_module.Unkeyable):
        kept_module._digest_of({"a": Opaque()})
    tables = kept_module.KeptTables(tmp_path, {"a": Opaque()})
    job = (values.head(3), np.zeros(3, bool), np.zeros(3, bool))
    assert tables.key(job) is None
    tables.put(tables.key(job), np.zeros(6, bool))
    assert not list(tmp_path.iterdir())


def test_the_key_sees_every_change_and_no_process_s_string_hashes():
    base = {
        "shape": DisclosureConfig(threshold=5),
        "sets": frozenset({"a", "b", "c"}),
        "frame": pd.DataFrame({"x": ["1", "2"], "n": [1.0, 2.0]}),
        "array": np.array([True, False]),
    }
    changes = {
        "shape": DisclosureConfig(threshold=6),
        "sets": frozenset({"a", "b", "d"}),
        "frame": pd.DataFrame({"x": ["1", "3"], "n": [1.0, 2.0]}),
        "array": np.array([True, True]),
    }
    digests = {kept_module._digest_of(base)}
    for name, changed in changes.items():
        digests.add(kept_module._digest_of({**base, name: changed}))
    digests.add(kept_module._digest_of({**base, "frame": base["frame"].assign(n=[1.0, 2.5])}))
    assert len(digests) == 2 + len(changes)
    # columns whose values differ only in kind: missing as None, NaN or NA; 1 or "1";
    # the same labels in categories of another order
    columns = [
        pd.Series([None, "a"], dtype=object),
        pd.Series([np.nan, "a"], dtype=object),
        pd.Series([pd.NA, "a"], dtype=object),
        pd.Series([1, "a"], dtype=object),
        pd.Series(["1", "a"], dtype=object),
        pd.Series([pd.NA, 1], dtype="Int64"),
        pd.Series([0, 1], dtype="Int64"),
        pd.Series(["a", "b"], dtype=pd.CategoricalDtype(["a", "b"])),
        pd.Series(["a", "b"], dtype=pd.CategoricalDtype(["b", "a"])),
    ]
    assert len({kept_module._digest_of(column) for column in columns}) == len(columns)
    # the same value in processes with different string hashes: the same digest
    script = (
        "import numpy as np, pandas as pd\n"
        "from indicators.disclosure.kept import _digest_of\n"
        "print(_digest_of({'s': frozenset(f'v{i}' for i in range(50)), "
        "'m': {f'k{i}': i for i in range(50)}, 'f': pd.DataFrame({'x': ['a', None, 'c']})}))\n"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(seen) == 1


def test_the_code_that_decides_is_in_the_key(tmp_path, monkeypatch):
    package = tmp_path / "indicators"
    (package / "disclosure").mkdir(parents=True)
    module = package / "disclosure" / "suppress.py"
    module.write_text("THRESHOLD = 10\n")
    monkeypatch.setattr(kept_module, "PACKAGE", package)
    before = kept_module.code_fingerprint()
    module.write_text("THRESHOLD = 11\n")
    assert kept_module.code_fingerprint() != before


@pytest.mark.slow
def test_code_changed_on_disk_since_the_process_loaded_it_reads_and_keeps_nothing(
    first, kept, tmp_path, monkeypatch
):
    """A release installed while a run is under way: the running process has the old code
    but would key its decisions with the new files. It must neither use the decisions kept
    nor keep its own."""
    values, parents, afresh = first[:3]
    package = tmp_path / "indicators"
    shutil.copytree(ROOT / "indicators", package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(kept_module, "PACKAGE", package)
    monkeypatch.setattr(kept_module, "LOADED", kept_module.code_fingerprint())  # as imported
    again, tables = _decided(values, parents, CONFIG, kept=kept)  # the copy is unchanged
    assert tables == {"solved": 0, "kept": 2}
    suppress = package / "disclosure" / "suppress.py"
    suppress.write_text(suppress.read_text() + "\n# the next release\n")  # the upgrade
    before = sorted(path.stat().st_mtime_ns for path in kept.iterdir())
    again, tables = _decided(values, parents, CONFIG, kept=kept)
    pd.testing.assert_frame_equal(again, afresh)
    assert tables == {"solved": 2, "kept": 0}
    assert sorted(path.stat().st_mtime_ns for path in kept.iterdir()) == before  # untouched


@pytest.mark.slow
def test_prune_leaves_a_running_process_s_file_being_written_and_the_folder_is_private(first, kept):
    values, parents = first[:2]
    alive = kept / f".{'0' * 64}.{os.getpid()}.npy"
    alive.write_bytes(b"being written")
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    dead = kept / f".{'1' * 64}.{ended.stdout.strip()}.npy"
    dead.write_bytes(b"left by a killed run")
    _decided(values, parents, CONFIG, kept=kept)
    assert alive.exists() and not dead.exists()
    fresh = kept.parent / "fresh"
    _decided(values, parents, CONFIG, kept=fresh)
    assert fresh.stat().st_mode & 0o777 == 0o700


def test_a_table_s_key_changes_with_any_one_value_of_any_column(first, tmp_path):
    """A count changed by one, with the same counts hidden by primary suppression, must not
    find the old decision: the cheapest partner depends on the counts themselves."""
    values = first[0].reset_index(drop=True)
    tables = kept_module.KeptTables(tmp_path, "context")
    hidden = np.zeros(len(values), bool)
    keys = {tables.key((values, hidden, hidden))}
    for column in values.columns:
        changed = values.copy()
        cell = changed[column].first_valid_index()
        if pd.api.types.is_numeric_dtype(changed[column]):
            changed.loc[cell, column] = changed.loc[cell, column] + 1
        else:
            changed.loc[cell, column] = f"{changed.loc[cell, column]}x"
        keys.add(tables.key((changed, hidden, hidden)))
    flipped = hidden.copy()
    flipped[0] = True
    keys.add(tables.key((values, flipped, hidden)))
    keys.add(tables.key((values, hidden, flipped)))
    keys.add(tables.key((values.iloc[::-1], hidden, hidden)))  # the same rows in another order
    assert len(keys) == 1 + len(values.columns) + 3
    # the row labels are not part of it: the solver reads positions
    assert tables.key((values.set_axis(values.index + 7), hidden, hidden)) in keys


def test_a_result_s_last_digit_changing_keeps_every_table(first, kept):
    """DuckDB sums floats in parallel, so a standard deviation or an interval can differ in
    its last digit between runs on the same rows: that is no change to what decides
    suppression (the counts), and must not make disclosure control solve a table again."""
    values, parents, afresh = first[:3]
    results = [c for c in ("value", "standard_deviation", "lower_ci_95") if c in values]
    assert results, values.columns
    noisy = values.copy()
    for column in results:
        noisy[column] = noisy[column] * (1 + 1e-15) + 1e-13
    again, tables = _decided(noisy, parents, CONFIG, kept=kept)
    pd.testing.assert_frame_equal(again, afresh)
    assert tables == {"solved": 0, "kept": 2}


def _numbered_tables(parent: int, cut_here: list[int]):
    def cut(index: int):
        if os.getpid() == parent:
            cut_here.append(index)
        return pd.DataFrame({"n": [index]}), np.array([True]), np.array([False])

    def solve(job) -> np.ndarray:  # odd tables hide their denominator; where it was solved
        table, _, _ = job
        return np.array([table["n"].iloc[0] % 2 == 1, os.getpid() != parent])

    return cut, solve


@pytest.mark.parametrize("keeping", [False, True])
def test_workers_cut_their_own_tables_and_the_parent_holds_none(keeping, tmp_path, monkeypatch):
    """At national the tables were cut before the workers started, all 1,350 held at once
    (0.5 GB) beside the frame they came from, and each was pickled to a worker. Now a
    worker is handed a table's number and cuts it from the frame it inherits; the parent
    cuts a table only to key it, one at a time, and not at all when nothing is kept."""
    monkeypatch.setenv("CHORUS_DISCLOSURE_WORKERS", "2")
    cut_here: list[int] = []
    cut, solve = _numbered_tables(os.getpid(), cut_here)  # local closures: never pickled
    kept = kept_module.KeptTables(tmp_path / "kept" if keeping else None, "context")
    solved = kept_module.solve_tables(7, cut, solve, kept)
    assert [bool(s[0]) for s in solved] == [n % 2 == 1 for n in range(7)]
    assert all(bool(s[1]) for s in solved), "every table is solved in a worker"
    assert cut_here == (list(range(7)) if keeping else [])
    assert kept_module._WORK == {}
    if keeping:  # and the next run finds them, cutting each once again to key it
        cut_here.clear()
        again = kept_module.solve_tables(
            7, cut, solve, kept_module.KeptTables(tmp_path / "kept", "context")
        )
        assert [s.tolist() for s in again] == [s.tolist() for s in solved]
        assert cut_here == list(range(7))


@pytest.mark.slow
def test_values_handed_over_are_let_go_before_the_tables_are_solved(first, monkeypatch):
    """write_indicator_tables hands protect the only reference to the indicator values (at
    national 0.3 GiB): neither they nor protect's sorted copy of them may be held while the
    tables are solved, which is when the run's memory peaks; the cells completed from them
    are, and decide exactly as before."""
    import gc
    import weakref

    from indicators.disclosure import suppress

    values, parents, afresh = first[0], first[1], first[2]
    handed: list[weakref.ref] = []
    held: list[list[int]] = []
    real = suppress.solve_tables

    def solving(*args, **kwargs):
        gc.collect()
        held.append([
            len(o) for o in gc.get_objects()
            if isinstance(o, pd.DataFrame) and len(o) == len(values) and o is not values
        ])  # fmt: skip
        held.append([1] if handed[0]() is not None else [])
        return real(*args, **kwargs)

    def only_reference() -> pd.DataFrame:
        copy = values.copy()
        handed.append(weakref.ref(copy))
        return copy

    monkeypatch.setattr(suppress, "solve_tables", solving)
    frame = protect(only_reference(), parents, shapes(REGISTER, CONFIG.voice_min_respondents),
                    CONFIG, ITEMS)  # fmt: skip
    assert held == [[], []], "a copy of the values, or the values handed over, still held"
    decided = frame[KEY + ["numerator", "denominator"] + DECIDED]
    pd.testing.assert_frame_equal(decided.sort_values(KEY).reset_index(drop=True), afresh)


def test_solving_tables_nested_or_from_two_threads_keeps_each_calls_own_tables():
    """Each call has its own tables: a call made inside another's solve, or from another
    thread at the same time, never solves with the other's cut (one module-wide slot gave
    one thread the other's answers for 19 of its 20 tables, without an error)."""
    import threading

    def tables(mark: int):
        def cut(index: int):
            return pd.DataFrame({"n": [index]}), np.array([True]), np.array([False])

        def solve(job) -> np.ndarray:
            threading.Event().wait(0.005)  # the other thread runs meanwhile
            return np.array([job[0]["n"].iloc[0] == mark, True])

        return cut, solve

    def nested_solve(job) -> np.ndarray:
        inner = kept_module.solve_tables(2, *tables(1), kept_module.KeptTables(None))
        return np.array([bool(inner[1][0]), job[0]["n"].iloc[0] == 0])

    cut, _ = tables(0)
    outer = kept_module.solve_tables(2, cut, nested_solve, kept_module.KeptTables(None))
    assert [s.tolist() for s in outer] == [[True, True], [True, False]]
    found: dict[int, list] = {}

    def call(mark: int) -> None:
        found[mark] = kept_module.solve_tables(20, *tables(mark), kept_module.KeptTables(None))

    threads = [threading.Thread(target=call, args=(mark,)) for mark in (3, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for mark in (3, 7):
        assert [bool(s[0]) for s in found[mark]] == [n == mark for n in range(20)]
