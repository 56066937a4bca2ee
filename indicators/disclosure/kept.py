"""Secondary suppression kept for the next run: a table (one period of one authority, as
disclosure control solves them apart) whose every input is what it was at the last run is
not solved again.

A table's key is a SHA-256 over everything `suppress._protect_table` reads: the table's
rows (every column it is solved with, after primary suppression; `NOT_DECIDING` are dropped
first), which counts primary suppression hid, every indicator's shape and declared
relations, the area parents, the item bank, the configuration, and the code that decides
(every module of the `indicators` package, and the versions of Python, numpy, pandas and
scipy), which must be the code this process loaded (`LOADED`). The kept decision is one
boolean a count: hidden or not; no count is stored, in a folder only its owner can read. A
changed input is a different key, so a stale decision is never found; a value that cannot
be keyed, or a kept file that cannot be read or written, solves the table as if nothing
were kept. After each run the folder holds the tables of that run only (`prune`), and
`chorus purge`, or a retention purge, removes it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import os
import platform
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.isolated import forked_pool
from indicators.stats.indicator_values import STATISTIC_COLUMNS

PACKAGE = Path(__file__).resolve().parents[1]
NOT_DECIDING = (
    "area_name",
    "value",
    "standard_deviation",
    *(column for column in STATISTIC_COLUMNS if column != "value_type"),
)
"""Columns of the indicator table that disclosure control does not read (results and their
comparisons, not counts): dropped from each table before it is solved, so they cannot decide
it and are not in its key. A confidence interval's last digit varies between runs (DuckDB
sums floats in parallel); it must not make a table look changed."""


Job = tuple[pd.DataFrame, np.ndarray, np.ndarray]
"""A table to solve: its rows, and which of their numerators and denominators primary
suppression hid."""


class Unkeyable(TypeError):
    """An input of a different kind than the key knows how to read."""


def _feed(digest, value) -> None:  # noqa: C901 (one branch per kind of value)
    """Add `value` to `digest`: equal values give equal bytes in every process (sets and
    mappings in a sorted order, never Python's per-process string hashes)."""
    if value is None or isinstance(value, bool | int | float | str | bytes | np.generic):
        digest.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, pd.DataFrame):
        digest.update(f"frame{value.shape};".encode())
        for name in value.columns:
            _feed(digest, str(name))
            _feed(digest, value[name])
    elif isinstance(value, pd.Series):
        _feed_series(digest, value)
    elif isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise Unkeyable(f"an array of {value.dtype}")
        digest.update(f"array:{value.dtype.str}:{value.shape};".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        digest.update(f"{type(value).__qualname__}(".encode())
        for field in dataclasses.fields(value):
            _feed(digest, field.name)
            _feed(digest, getattr(value, field.name))
        digest.update(b")")
    elif isinstance(value, Mapping):
        digest.update(f"mapping{len(value)}{{".encode())
        for key in sorted(value, key=repr):
            _feed(digest, key)
            _feed(digest, value[key])
        digest.update(b"}")
    elif isinstance(value, set | frozenset):
        parts = sorted(_digest_of(member) for member in value)
        digest.update(f"set{len(parts)}{{{','.join(parts)}}}".encode())
    elif isinstance(value, list | tuple):
        digest.update(f"sequence{len(value)}[".encode())
        for member in value:
            _feed(digest, member)
        digest.update(b"]")
    elif isinstance(value, re.Pattern):
        digest.update(f"pattern:{value.flags}:{value.pattern!r};".encode())
    else:
        raise Unkeyable(f"a {type(value).__qualname__}")


def _feed_series(digest, value: pd.Series) -> None:
    """A column, exactly: which values are missing, then the values by kind (numbers as
    their bytes; strings by pandas' fixed-key hash of each; categories by their codes and
    categories; anything else value by value, its type included: 1 is not "1")."""
    digest.update(f"series:{value.dtype}:{len(value)};".encode())
    digest.update(value.isna().to_numpy(dtype=bool).tobytes())
    kind = value.dtype.kind
    if isinstance(value.dtype, pd.CategoricalDtype):
        _feed(digest, (list(value.cat.categories), bool(value.cat.ordered)))
        digest.update(value.cat.codes.to_numpy(dtype=np.int64).tobytes())
    elif kind in "iub":  # numpy's, or pandas' nullable (Int64, boolean): missing told above
        digest.update(value.to_numpy(dtype=np.int64, na_value=0).tobytes())
    elif kind == "f":
        digest.update(value.to_numpy(dtype=np.float64, na_value=0.0).tobytes())
    elif isinstance(value.dtype, pd.StringDtype):  # str only, or missing (told above)
        hashed = pd.util.hash_pandas_object(value.fillna(""), index=False)
        digest.update(hashed.to_numpy().tobytes())
    elif kind == "O":
        for member in value.tolist():
            if member is pd.NA:
                digest.update(b"NA;")  # no value _feed writes starts so
            else:
                _feed(digest, member)
    else:
        raise Unkeyable(f"a column of {value.dtype}")


def _digest_of(value) -> str:
    digest = hashlib.sha256()
    _feed(digest, value)
    return digest.hexdigest()


def code_fingerprint() -> str:
    """Every module of the `indicators` package and the versions it computes with, as on
    disk now (see LOADED)."""
    import scipy

    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    versions = (platform.python_version(), np.__version__, pd.__version__, scipy.__version__)
    digest.update(repr(versions).encode())
    return digest.hexdigest()


LOADED = code_fingerprint()
"""The code this process runs: read from disk when it imported this module (with
suppress.py). A process whose modules changed on disk since (a release installed while a
run was under way) neither reads nor keeps decisions: it would keep its old code's under
the new code's key."""


class KeptTables:
    """The decisions of the last run's tables in `folder` (None: nothing kept or read).
    Keeping is only ever an optimisation: a key that cannot be made, a file that cannot be
    read or written, solves the table as if nothing were kept."""

    def __init__(self, folder: Path | None, *context) -> None:
        self.folder = folder
        self.reused = 0
        self.context = ""
        if folder is not None:
            try:
                code = code_fingerprint()
                self.context = _digest_of((code, context))
            except Exception:  # noqa: BLE001 - solved, not kept: an input is never guessed
                code = None
            if code != LOADED:
                self.folder = None

    def key(self, job: Job) -> str | None:
        if self.folder is None:
            return None
        table, numerators, denominators = job
        try:
            return _digest_of(
                (self.context, table.reset_index(drop=True), numerators, denominators)
            )
        except Exception:  # noqa: BLE001 - see the class
            return None

    def get(self, key: str | None, cells: int) -> np.ndarray | None:
        if key is None:
            return None
        try:
            unknown = np.load(self.folder / f"{key}.npy", allow_pickle=False)
        except Exception:  # noqa: BLE001 - missing, empty, truncated, not an array
            return None
        if unknown.dtype != bool or unknown.shape != (2 * cells,):
            return None
        self.reused += 1
        return unknown

    def put(self, key: str | None, unknown: np.ndarray) -> None:
        if key is None:
            return
        part = self.folder / f".{key}.{os.getpid()}.npy"
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            with part.open("wb") as file:
                np.save(file, np.asarray(unknown, dtype=bool), allow_pickle=False)
                file.flush()
                os.fsync(file.fileno())
            os.replace(part, self.folder / f"{key}.npy")
        except OSError:
            part.unlink(missing_ok=True)

    def prune(self, keys: Sequence[str | None]) -> None:
        """Keep the tables of this run only."""
        if self.folder is None or not self.folder.is_dir():
            return
        wanted = {f"{key}.npy" for key in keys if key is not None}
        for path in self.folder.iterdir():
            if path.name in wanted or (path.name.startswith(".") and _writing(path)):
                continue
            path.unlink(missing_ok=True)


def _writing(part: Path) -> bool:
    """Whether the process named in a part file's name (.<key>.<pid>.npy) still runs."""
    pid = part.name.split(".")[-2]
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


_WORK: dict[int, tuple[Callable[[int], Job], Callable[[Job], np.ndarray]]] = {}
"""(cut, solve) of each call of solve_tables under way, by a number of its own. Set before
the worker processes are forked, so each inherits it with the frame the tables are cut from,
and only (call, table number) crosses to a worker: a call nested in another, or made from
another thread, never finds another's cut and solve."""
_CALLS = itertools.count()


def _solve(task: tuple[int, int]) -> np.ndarray:
    call, index = task
    cut, solve = _WORK[call]
    return solve(cut(index))


def solve_tables(
    count: int,
    cut: Callable[[int], Job],
    solve: Callable[[Job], np.ndarray],
    kept: KeptTables,
) -> list[np.ndarray]:
    """Each of `count` tables' unknowns (`cut(i)` is table i): kept from the last run when
    its key is unchanged, otherwise solved (side by side in processes when there are
    several: the tables share no relation, so the answer is the same) and kept for the
    next. A table is cut when it is keyed and again when it is solved, never held."""
    keys: list[str | None] = []
    solved: list[np.ndarray | None] = []
    for index in range(count):
        job = cut(index) if kept.folder is not None else None
        keys.append(None if job is None else kept.key(job))
        solved.append(None if job is None else kept.get(keys[-1], len(job[0])))
    todo = [i for i, unknown in enumerate(solved) if unknown is None]
    workers = min(len(todo), table_workers())
    call = next(_CALLS)
    _WORK[call] = (cut, solve)
    try:
        if workers > 1:
            with forked_pool(workers) as pool:
                fresh = list(pool.map(_solve, [(call, i) for i in todo]))
        else:
            fresh = [solve(cut(i)) for i in todo]
    finally:
        del _WORK[call]
    for i, unknown in zip(todo, fresh, strict=True):
        solved[i] = unknown
        kept.put(keys[i], unknown)
    kept.prune(keys)
    return solved


def table_workers() -> int:
    """Processes that protect tables side by side: CHORUS_DISCLOSURE_WORKERS, default the
    machine's cores (1 solves them one after another in this process)."""
    setting = os.environ.get("CHORUS_DISCLOSURE_WORKERS", "").strip()
    if setting.isdigit() and int(setting) >= 1:
        return int(setting)
    return os.cpu_count() or 1
