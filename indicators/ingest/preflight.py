"""Before dbt runs: can anything be published, and is every indicator definition finished?

Two checks, each giving the one line a person needs (or nothing when all is well):

- `nothing_publishable`: from the load log and the quarantine (what ingest made of the
  landed files), a kind of return and year whose every row is quarantined or whose file
  was rejected, or no EYFSP return at all. The line names the dominant rule, how many rows
  it took and what to do: "EYFSP 2023/24: 3,615 of 3,615 rows: LA number 354 is not in
  seeds/local_authorities.csv: add the authority or correct the number (rule
  la_code_unknown)".
  Defects in some rows are not this: the rest publishes.
- `unfinished_indicators`: each indicator model (`chorus new-indicator` scaffold) whose
  YAML still has a TODO, a missing field or a value outside its list, or whose SQL still
  says TODO (`TODO_condition`), named by file and field, before dbt tries to run it.

`orchestration/preflight.py` raises either line as a Dagster failure upstream of dbt (UI and
CLI runs alike); the runner checks the definitions once before starting a run.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from indicators.config import PROJECT_ROOT
from indicators.publish.register import (
    COUNT_UNITS,
    POLARITIES,
    REQUIRED_META,
    SOURCE_TYPES,
    VALUE_TYPES,
)
from indicators.reference import AcademicYear

KIND_LABELS = {"eyfsp": "EYFSP", "census": "census", "voice": "voice survey"}
"""The kinds of landed return, in the order a reason is looked for, with their names."""
CONSEQUENCES = frozenset({"census_row_quarantined", "eyfsp_row_quarantined"})
"""Rules that only follow another return's defect: its own reason is the one to give."""
TODO = re.compile(r"\bTODO")


# ----------------------------------------------------------------------- what can be published

@dataclass(frozen=True)
class Blocked:
    """A kind of return and year with landed rows and none to publish, and why."""

    kind: str
    academic_year: str
    rows_read: int
    rule: str
    rows: int
    """Rows the dominant rule took (a rejected file's rows count under its rule)."""
    reason: str
    consequence: bool
    """The dominant rule only follows a defect elsewhere (another return's row or file)."""

    def line(self) -> str:
        year = AcademicYear.parse(self.academic_year).label
        count = f"{self.rows:,} of {self.rows_read:,} rows: " if self.rows_read else ""
        return (f"{KIND_LABELS.get(self.kind, self.kind)} {year}: {count}{self.reason} "
                f"(rule {self.rule})")


def _is_consequence(rule: str, message: str) -> bool:
    """A row held back only because of another return: its row, its rejection, its absence."""
    return rule in CONSEQUENCES or (rule in ("census_missing", "eyfsp_missing") and (
        " was rejected" in message or " is landed, so the child is held back" in message))


def _blocked(kind: str, year: str, files: pd.DataFrame, quarantine: pd.DataFrame) -> Blocked:
    """The dominant reason a kind and year has nothing to publish."""
    counts: dict[str, int] = {}
    examples: dict[str, list[tuple[str, str, object]]] = {}
    for file in files.itertuples():
        if file.status == "rejected":  # a header with no rows counts, with none
            counts[f"file:{file.file}"] = int(file.rows_read)
    mine = quarantine[(quarantine["academic_year"] == year) & (quarantine["kind"] == kind)]
    rejected = mine[mine["row"].isna()]
    for defect in rejected.itertuples():
        examples.setdefault(f"file:{defect.file}", []).append(
            (defect.rule, f"{defect.file} was rejected: {defect.message}", None))
    rows = mine[mine["row"].notna()].drop_duplicates(subset=["file", "row", "rule"])
    for rule, group in rows.groupby("rule", sort=False):
        counts[str(rule)] = group[["file", "row"]].drop_duplicates().shape[0]
        examples[str(rule)] = [(str(rule), str(message), (file, row)) for file, row, message
                               in zip(group["file"], group["row"], group["message"],
                                      strict=True)]
    if not counts:
        raise ValueError(f"{kind} {year}: no row loaded and no reason recorded")
    key = max(counts, key=lambda name: (counts[name], name))
    found = examples.get(key) or [(key.removeprefix("file:"), "was rejected", None)]
    rule = found[0][0]
    messages = {message for _, message, _ in found}
    if len(messages) == 1:
        reason = found[0][1]
    else:  # the messages differ row by row (each names its own value): one of them
        _, message, (file, row) = found[0]
        reason = f"for example {file}, row {int(row)}: {message}"
    return Blocked(kind, year, int(files["rows_read"].sum()), rule, counts[key], reason,
                   _is_consequence(rule, found[0][1]))


def nothing_publishable(load_log: pd.DataFrame, quarantine: pd.DataFrame,
                        landing: Path | None = None) -> str | None:
    """Why nothing can be published, in one line, or None when the rows loaded allow it.

    `load_log` and `quarantine` are raw.load_log and raw.quarantine (public: identifiers
    withheld). Blocked: a kind and year with rows read and none loaded; or no EYFSP row
    loaded at all. The line gives the root cause first (a child held back because the other
    return rejected them points at that return's reason), then where to see every defect.
    """
    returns = load_log[load_log["kind"].isin(list(KIND_LABELS))]
    blocked = []
    for (kind, year), files in returns.groupby(["kind", "academic_year"], sort=True):
        landed = files["rows_read"].sum() > 0 or (files["status"] == "rejected").any()
        if landed and files["rows_loaded"].sum() == 0:
            blocked.append(_blocked(str(kind), str(year), files, quarantine))
    see = f" (every defect: chorus validate {landing})" if landing is not None else ""
    if blocked:
        order = list(KIND_LABELS)
        first = min(blocked, key=lambda b: (b.consequence, -b.rows, b.academic_year,
                                            order.index(b.kind)))
        more = sum(not b.consequence for b in blocked if b is not first)
        also = (f"; {more} other return(s) or year(s) have nothing to publish either"
                if more else "")
        return f"nothing can be published: {first.line()}{also}{see}"
    eyfsp = returns[returns["kind"] == "eyfsp"]
    if eyfsp.empty:
        return ("nothing can be published: no EYFSP return is landed, and every indicator "
                "needs the children's results: land it as eyfsp/<YYYY-YY>/<file>.csv (or "
                ".xlsx) with the census extract under census/<YYYY-YY>/ (see docs/inputs.md)")
    return None


# ------------------------------------------------------------------ finished indicator models

@dataclass(frozen=True)
class Unfinished:
    """What is left to do in one indicator file."""

    file: str
    todo: tuple[str, ...] = ()
    """Fields (YAML) or lines (SQL) still saying TODO."""
    invalid: tuple[str, ...] = ()
    """Fields whose value is missing or not one the register allows, with the choices."""

    def line(self) -> str:
        parts = []
        if self.todo:
            parts.append("still TODO: " + ", ".join(self.todo))
        if self.invalid:
            parts.append("to correct: " + "; ".join(self.invalid))
        return f"{self.file}: {'; '.join(parts)}"


CHOICES = {"polarity": POLARITIES, "value_type": VALUE_TYPES, "source_type": SOURCE_TYPES,
           "numerator_unit": COUNT_UNITS, "denominator_unit": COUNT_UNITS[:3]}


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def _yaml_problems(path: Path, model: str) -> Unfinished | None:
    shown = _shown(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        detail = str(error).strip().splitlines()
        return Unfinished(shown, invalid=(f"it cannot be read as YAML ({' '.join(detail[:2])})",))
    entries = [entry for entry in document.get("models") or [] if isinstance(entry, dict)
               and entry.get("name") == model]
    if not entries:
        return Unfinished(shown, invalid=(f"it has no entry for the model {model} (models: - "
                                          f"name: {model})",))
    entry = entries[0]
    meta = ((entry.get("config") or {}).get("meta") or entry.get("meta") or {}).get(
        "indicator") or {}
    todo, invalid = [], []
    if TODO.search(str(entry.get("description") or "")):
        todo.append("description")
    for name in REQUIRED_META:
        value = meta.get(name)
        text = "" if value is None else str(value).strip()
        if not text:
            invalid.append(f"meta.indicator.{name} is missing")
        elif TODO.match(text):
            todo.append(name)
        elif name in CHOICES and text not in CHOICES[name]:
            invalid.append(f"{name} '{text}' is not one of {', '.join(CHOICES[name])}")
        elif name == "co_designed_on" and not _is_date(text):
            invalid.append(f"co_designed_on '{text}' is not a date such as 2024-06-17")
    if not (todo or invalid):
        return None
    return Unfinished(shown, tuple(todo), tuple(invalid))


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _sql_problems(path: Path) -> Unfinished | None:
    lines = [f"line {number}" + (" (TODO_condition)" if "TODO_condition" in line else "")
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(),
                                           start=1) if TODO.search(line)]
    return Unfinished(_shown(path), todo=tuple(lines)) if lines else None


def unfinished_indicators(models_dir: Path) -> list[Unfinished]:
    """Every indicator model under `models_dir` (its .sql and the .yml beside it) with
    something left to fill in or correct, file by file."""
    found: list[Unfinished] = []
    for sql in sorted(models_dir.rglob("*.sql")):
        yml = sql.with_suffix(".yml")
        if not yml.is_file():
            found.append(Unfinished(_shown(yml), invalid=(
                f"missing: every indicator model needs its YAML (meta.indicator) beside "
                f"{sql.name}; `chorus new-indicator` writes both",)))
        else:
            problem = _yaml_problems(yml, sql.stem)
            if problem:
                found.append(problem)
        problem = _sql_problems(sql)
        if problem:
            found.append(problem)
    return found


def unfinished_line(problems: Sequence[Unfinished]) -> str | None:
    """The one line naming every unfinished indicator file and field, or None."""
    if not problems:
        return None
    return ("indicator definitions are not finished, so nothing was built or published: "
            + " | ".join(problem.line() for problem in problems)
            + " (fill them in as README.md, Adding an indicator, describes)")
