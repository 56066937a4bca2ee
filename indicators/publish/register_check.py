"""Is every indicator definition finished? The register's fields, checked in each indicator
model's files before dbt parses them.

`unfinished_indicators`: each indicator model (`chorus new-indicator` scaffold) whose YAML
still has a TODO, a missing field or a value outside its list, or whose SQL still says TODO
(`TODO_condition`), named by file and field, before dbt tries to run it. The runner checks
them once before a run starts, and the preflight asset again in the run.

`register_problems`: after dbt, the register (marts.dim_indicators) and the columns every
indicator model returns, as the indicator_register_complete asset check reads them.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from indicators.config import PROJECT_ROOT
from indicators.publish.frameworks import FrameworkError, framework_problems, load_frameworks
from indicators.publish.information_inputs import information_line
from indicators.publish.open_data_tables import LABEL_LIMIT
from indicators.publish.register import (
    POLARITIES,
    REQUIRED_META,
    SOURCE_TYPES,
    VALUE_TYPES,
    declaration_problems,
    denominator_units,
    metadata_problems,
    numerator_units,
)
from indicators.sources.load import SpecInvalid, load_sources
from indicators.stats.indicator_values import STANDARD_COLUMNS
from indicators.steps import StepRefused
from indicators.voice.items import DEFAULT_ITEM_BANK, load_item_bank
from indicators.warehouse_tables import reading

TODO = re.compile(r"\bTODO")


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


CHOICES = {
    "polarity": POLARITIES,
    "value_type": VALUE_TYPES,
    "source_type": SOURCE_TYPES,
}


def _choices() -> dict[str, tuple[str, ...]]:
    """Each closed field's allowed values (the units from dbt_project/metadata/units.yml)."""
    return {**CHOICES, "numerator_unit": numerator_units(), "denominator_unit": denominator_units()}


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=1024)
def _parsed(text: str) -> object:
    return yaml.load(text, Loader=_LOADER) or {}  # noqa: S506 - a safe loader


def model_yaml(path: Path) -> dict:
    """An indicator model's YAML as yaml.safe_load reads it (libyaml's loader), parsed once
    per text: a run reads every model's YAML five times before dbt (unfinished definitions,
    frameworks, the information map, in the runner and the preflight step). A copy, so no
    caller changes another's."""
    return copy.deepcopy(_parsed(path.read_text(encoding="utf-8")))


def _yaml_problems(path: Path, model: str) -> Unfinished | None:
    shown = _shown(path)
    try:
        document = model_yaml(path)
    except (OSError, yaml.YAMLError) as error:
        detail = str(error).strip().splitlines()
        return Unfinished(shown, invalid=(f"it cannot be read as YAML ({' '.join(detail[:2])})",))
    entries = [
        entry
        for entry in document.get("models") or []
        if isinstance(entry, dict) and entry.get("name") == model
    ]
    if not entries:
        return Unfinished(
            shown, invalid=(f"it has no entry for the model {model} (models: - name: {model})",)
        )
    entry = entries[0]
    meta = ((entry.get("config") or {}).get("meta") or entry.get("meta") or {}).get(
        "indicator"
    ) or {}
    todo, invalid = [], []
    choices = _choices()
    if TODO.search(str(entry.get("description") or "")):
        todo.append("description")
    for name in REQUIRED_META:
        value = meta.get(name)
        text = "" if value is None else str(value).strip()
        if not text:
            invalid.append(f"meta.indicator.{name} is missing")
        elif TODO.match(text):
            todo.append(name)
        elif name in choices and text not in choices[name]:
            invalid.append(f"{name} '{text}' is not one of {', '.join(choices[name])}")
        elif name == "co_designed_on" and not _is_date(text):
            invalid.append(f"co_designed_on '{text}' is not a date such as 2024-06-17")
        elif name == "title" and len(" ".join(text.split())) > LABEL_LIMIT:
            invalid.append(
                f"title is {len(' '.join(text.split()))} characters: at most {LABEL_LIMIT}, "
                "the open data's label limit (EES), or its files would cut it"
            )
    invalid += declaration_problems(meta)
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
    lines = [
        f"line {number}" + (" (TODO_condition)" if "TODO_condition" in line else "")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if TODO.search(line)
    ]
    return Unfinished(_shown(path), todo=tuple(lines)) if lines else None


def unfinished_indicators(models_dir: Path) -> list[Unfinished]:
    """Every indicator model under `models_dir` (its .sql and the .yml beside it) with
    something left to fill in or correct, file by file."""
    found: list[Unfinished] = []
    for sql in sorted(models_dir.rglob("*.sql")):
        yml = sql.with_suffix(".yml")
        if not yml.is_file():
            found.append(
                Unfinished(
                    _shown(yml),
                    invalid=(
                        f"missing: every indicator model needs its YAML (meta.indicator) beside "
                        f"{sql.name}; `chorus new-indicator` writes both",
                    ),
                )
            )
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
    return (
        "indicator definitions are not finished, so nothing was built or published: "
        + " | ".join(problem.line() for problem in problems)
        + " (fill them in as README.md, Adding an indicator, describes)"
    )


def declared_indicators(models_dir: Path) -> dict[str, dict]:
    """indicator id -> its meta.indicator, as the models' YAML declare it, before dbt."""
    declared: dict[str, dict] = {}
    for path in sorted(models_dir.rglob("*.yml")):
        try:
            document = model_yaml(path)
        except (OSError, yaml.YAMLError):
            continue  # named by unfinished_indicators
        for entry in document.get("models") or []:
            if not isinstance(entry, dict):
                continue
            meta = ((entry.get("config") or {}).get("meta") or entry.get("meta") or {}).get(
                "indicator"
            ) or {}
            if isinstance(meta, dict) and meta.get("indicator_id"):
                declared[str(meta["indicator_id"])] = meta
    return declared


def declared_indicator_ids(models_dir: Path) -> list[str]:
    """The indicator ids the models' YAML declare (meta.indicator.indicator_id), before dbt."""
    return list(declared_indicators(models_dir))


def item_domains(seeds: Path | None = None) -> set[str]:
    """The domains of the voice item bank's questions (seeds/voice_items.csv): a question's
    rows go in its domain's section."""
    bank = (seeds / "voice_items.csv") if seeds else DEFAULT_ITEM_BANK
    try:
        frame = load_item_bank(bank)
    except (OSError, ValueError):
        return set()  # the item bank's own checks name it
    return set(frame["domain"]) - {""} if "domain" in frame else set()


def framework_line(models_dir: Path, seeds: Path | None = None) -> str | None:
    """The one line naming what the frameworks (dbt_project/frameworks/ and CHORUS_FRAMEWORKS)
    declare that is not declared elsewhere or breaks their rules, or None."""
    try:
        frameworks = load_frameworks()
    except FrameworkError as error:
        problems = [str(error)]
    else:
        problems = framework_problems(
            frameworks, declared_indicators(models_dir), item_domains(seeds)
        )
    if not problems:
        return None
    return (
        "the frameworks name what is not declared, so nothing was built or published: "
        + " | ".join(problems)
        + " (README.md, Adding a framework)"
    )


def information_map_line(models_dir: Path, seeds: Path | None = None) -> str | None:
    """The one line naming what is wrong in the information inventory, the theory of change
    or an indicator's `outcome` (not an outcome of the theory of change), or None."""
    try:
        kinds = load_sources()
    except SpecInvalid:
        return None  # the specs' own check names it
    return information_line(declared_indicators(models_dir), seeds or PROJECT_ROOT / "seeds", kinds)


def require_finished(models_dir: Path, seeds: Path | None = None) -> None:
    """Refuse the step, with the one line `unfinished_line` gives, while any indicator
    definition under `models_dir` is unfinished, or a framework names what is not declared
    or breaks a framework rule (`framework_line`), or the information map's seeds or an
    indicator's outcome break their rules (`information_map_line`)."""
    unfinished = unfinished_line(unfinished_indicators(models_dir))
    if unfinished:
        raise StepRefused(unfinished)
    for line in (framework_line(models_dir, seeds), information_map_line(models_dir, seeds)):
        if line:
            raise StepRefused(line)


def register_problems(warehouse: Path | str) -> tuple[int, list[str]]:
    """The indicators in the built register, and what is wrong with it: a missing or invalid
    metadata field, or an indicator model whose columns are not the standard ones."""
    with reading(warehouse) as connection:
        register = connection.execute("select * from marts.dim_indicators").df()
        rows = connection.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'indicators' order by table_name, ordinal_position"
        ).fetchall()
    by_table: dict[str, list[str]] = {}
    for table, column in rows:
        by_table.setdefault(table, []).append(column)
    columns = list(by_table.items())
    problems = metadata_problems(register)
    whole_year = [column for column in STANDARD_COLUMNS if column != "time_identifier"]
    shapes = (STANDARD_COLUMNS, whole_year)
    shapes += tuple([*shape, "ordered_values"] for shape in shapes)  # a median's sorted values
    for table, found in columns:
        if list(found) not in shapes:
            problems.append(
                f"{table} returns columns {', '.join(found)}; an indicator model "
                f"must return exactly {', '.join(STANDARD_COLUMNS)} "
                "(time_identifier may be left out for a whole year, ordered_values is a "
                "median's; use the "
                "indicator_over_children macro)"
            )
    return len(register), problems
