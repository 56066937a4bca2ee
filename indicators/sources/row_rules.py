"""`row_rules:` of a source spec: rules across a row's columns (an age that disagrees with
two dates, a score on a row that records no review, a section that does not fit the age).

Each rule is declared, never coded: `rule:` its name, `columns:` the row's columns it reads
(the first is the column a defect names), `check:` a DuckDB SQL boolean expression over
those columns typed as the spec declares them (number as DOUBLE, date as DATE, code and
text as VARCHAR; a blank, or a value that broke its column's own rule, is NULL), `seeds:`
the seeds it may read as tables (`seeds/<name>.csv` as `<name>`), `message:` what a user
is told, `doc:` for docs/inputs.md. A row passes when the expression is true or NULL (NULL:
the rule does not apply to it); false makes it a defect, quarantined like any other
(indicators/ingest/row_checks.py). Only a standalone source's rows are checked so.
"""

from __future__ import annotations

import csv
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from indicators.config import PROJECT_ROOT
from indicators.sources.spec import Column

NAME = re.compile(r"[a-z][a-z0-9_]*")
KEYS = ("rule", "columns", "check", "seeds", "message", "doc")
SQL_TYPES = {"number": "DOUBLE", "date": "DATE"}
"""A column's DuckDB type in a check by its spec type; any other type is VARCHAR."""


@dataclass(frozen=True)
class RowCheck:
    rule: str
    columns: tuple[str, ...]
    check: str
    message: str
    seeds: tuple[str, ...] = ()
    doc: str = ""


def sql_type(column: Column) -> str:
    return SQL_TYPES.get(column.type, "VARCHAR")


def seed_path(folder: Path, name: str) -> Path:
    return folder / f"{name}.csv"


_SEEDED: dict[tuple, duckdb.DuckDBPyConnection] = {}
_SEEDED_LOCK = threading.Lock()
_INHERITED: list[dict[tuple, duckdb.DuckDBPyConnection]] = []


def _forget_after_fork() -> None:
    """A forked process makes its own databases: the parent's threads are not in it. It keeps
    the parent's, never closed (closing one would wait for those threads)."""
    global _SEEDED_LOCK
    _INHERITED.append(dict(_SEEDED))
    _SEEDED.clear()
    _SEEDED_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def _stamp(path: Path) -> tuple[int, ...] | None:
    """What tells a seed's file apart from the one read before: a file put in its place
    (another inode) or written to (its change time, which no tool can set back)."""
    try:
        found = path.stat()
    except OSError:
        return None  # read_csv then says what is wrong
    return found.st_ino, found.st_ctime_ns, found.st_mtime_ns, found.st_size


def _seeded(seeds: Sequence[str], folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding each seed as a table of its name, made once a process for
    each set of seeds as they are on disk (a seed changed since is read again): a file's
    rules each used to start a database of their own, 12 ms each, for thousands of files."""
    key = (str(folder), tuple(seeds), tuple(_stamp(seed_path(folder, n)) for n in seeds))
    with _SEEDED_LOCK:
        database = _SEEDED.get(key)
        if database is None:
            database = duckdb.connect()
            try:
                for name in seeds:
                    path = str(seed_path(folder, name)).replace("'", "''")
                    database.execute(
                        f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header=true)"
                    )
            except Exception:
                database.close()
                raise
            if len(_SEEDED) >= 16:  # seeds edited many times in a long-lived process:
                _SEEDED.clear()  # forgotten, not closed (a file checked now keeps its own)
            _SEEDED[key] = database
        return database.cursor()


def connect(
    columns: Sequence[Column], seeds: Sequence[str], folder: Path
) -> duckdb.DuckDBPyConnection:
    """A connection to an in-memory DuckDB with each seed read as a table of its name, and an
    empty table `landed_row` of `columns` (typed, plus `_i`) of the connection's own (a
    temporary table: gone when it is closed)."""
    connection = _seeded(seeds, folder)
    declared = ", ".join(f'"{c.name}" {sql_type(c)}' for c in columns)
    connection.execute(
        f"CREATE TEMP TABLE landed_row (_i BIGINT{', ' + declared if declared else ''})"
    )
    return connection


def failing_query(check: RowCheck) -> str:
    """The rows of `landed_row` the check fails (false; NULL passes), by `_i`."""
    return f"SELECT _i FROM landed_row WHERE NOT coalesce(({check.check}), TRUE) ORDER BY _i"


def parse_row_rules(
    entries: object,
    columns: Sequence[Column],
    stream: object,
    shown: str,
    problems: list[str],
    seeds_folder: Path | None = None,
) -> tuple[RowCheck, ...]:
    """The spec's row rules; each problem one line naming the file, rule and what is wrong
    (a check DuckDB cannot run over the named columns and seeds is one line too)."""
    if not entries:
        return ()
    if stream != "standalone":
        problems.append(f"{shown}: row_rules: only a standalone source (stream: standalone)")
        return ()
    if not isinstance(entries, list):
        problems.append(f"{shown}: row_rules: a list of {{rule:, columns:, check:, message:}}")
        return ()
    folder = seeds_folder or PROJECT_ROOT / "seeds"
    by_name = {column.name: column for column in columns}
    checks: list[RowCheck] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries):
        where = f"{shown}: row_rules[{position}]"
        check = _one(entry, where, by_name, folder, problems)
        if check is None:
            continue
        if check.rule in seen:
            problems.append(f"{where}.rule: '{check.rule}' is listed twice")
            continue
        seen.add(check.rule)
        checks.append(check)
    return tuple(checks)


def _one(
    entry: object, where: str, by_name: dict[str, Column], folder: Path, problems: list[str]
) -> RowCheck | None:
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be a mapping (rule:, columns:, check:, message:)")
        return None
    before = len(problems)
    stray = sorted(str(key) for key in set(entry) - set(KEYS))
    if stray:
        problems.append(f"{where}: {', '.join(stray)}: not a key ({', '.join(KEYS)})")
    for key in ("rule", "columns", "check", "message"):
        if not entry.get(key):
            problems.append(f"{where}.{key}: missing (a row rule needs {key}:)")
    rule = str(entry.get("rule") or "")
    if rule and not NAME.fullmatch(rule):
        problems.append(f"{where}.rule: '{rule}': lower case letters, digits and underscores")
    names = entry.get("columns") or []
    names = [names] if isinstance(names, str) else names
    for name in names:
        if name not in by_name:
            problems.append(f"{where}.columns: '{name}' is not a column of the spec")
    seeds = entry.get("seeds") or []
    seeds = [seeds] if isinstance(seeds, str) else seeds
    for name in seeds:
        if not NAME.fullmatch(str(name)) or not seed_path(folder, str(name)).is_file():
            problems.append(f"{where}.seeds: no seed seeds/{name}.csv")
    if len(problems) > before:
        return None
    check = RowCheck(
        rule,
        tuple(str(name) for name in names),
        " ".join(str(entry["check"]).split()),
        " ".join(str(entry["message"]).split()),
        tuple(str(name) for name in seeds),
        " ".join(str(entry.get("doc") or "").split()),
    )
    problem = compile_problem(check, [by_name[name] for name in check.columns], folder)
    if problem:
        problems.append(f"{where}.check: {problem}")
        return None
    return check


def compile_problem(check: RowCheck, columns: Sequence[Column], folder: Path) -> str:
    """Why DuckDB cannot run the check over the named columns and seeds ('' when it can),
    in one line."""
    try:
        connection = connect(columns, check.seeds, folder)
    except (duckdb.Error, csv.Error) as error:
        return f"a seed cannot be read ({_first_line(error)})"
    try:
        described = connection.execute(
            f"DESCRIBE SELECT ({check.check}) AS passes FROM landed_row"
        ).fetchall()
        if described[0][1] != "BOOLEAN":
            return f"'{check.check}' gives {described[0][1]}, not true or false"
        connection.execute(failing_query(check)).fetchall()
    except duckdb.Error as error:
        return (
            f"'{check.check}' is not a DuckDB expression over the columns "
            f"{', '.join(check.columns)} and seeds {', '.join(check.seeds) or '(none)'}: "
            f"{_first_line(error)}"
        )
    finally:
        connection.close()
    return ""


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " ".join(lines[:2])[:300]
