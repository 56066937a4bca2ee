"""Read the source specs (`sources/<kind>/base.yml`, and `sources/<kind>/<YYYY-YY>.yml` for a
year's differences, merged over the base in year order; `<YYYY>.yml` for a kind counted in
calendar years, their quarters or months) and refuse a malformed one with a
message naming the file, the key and what is wrong (`SpecInvalid`).

A year file holds `changes:`, each `{type: add | modify, column: ..., description: ...}`
(as liia-tools keeps its return specs: a base schema and per-year diffs): `add` a column
(`value:` the column, `after:` where), `modify` one (`value:` the keys that change). The
changes of every year up to the one being read apply, oldest first. `remove` is refused: a
kind's raw table is one table across all years, so a column cannot vanish in a later year
(make it optional: `modify` with `required: false`). A kind's folder holds base.yml, year
files and, if wanted, a README.md (and the fixture/ folder `chorus new-source` writes); any
other file is refused (a misnamed year file must not
be silently ignored).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

import yaml

from indicators import strict_yaml
from indicators.config import PROJECT_ROOT
from indicators.periods import landed_type_names, year_file_problem
from indicators.sources.check import build
from indicators.sources.fixed_tables import RAW_TABLES
from indicators.sources.shapes import column_shape_problems
from indicators.sources.spec import SourceSpec

BASE = "base.yml"
YEAR_FILE = re.compile(r"(\d{4})(-(\d{2}))?\.yml")
"""A year change file: YYYY-YY.yml, or YYYY.yml for a source counted in calendar years,
their quarters or months (`year_file_problem` checks which the kind's period takes)."""
CHANGE_TYPES = ("add", "modify")
CHANGE_KEYS = ("type", "column", "value", "after", "description")
README = "README.md"
"""Notes on a kind, allowed beside its specs (read by people, not by Chorus)."""
FIXTURE = "fixture"
"""The example landing area `chorus new-source` writes beside a new kind's spec (a folder)."""


class SpecInvalid(ValueError):
    """A source spec that cannot be read: `problems` are 'file: key: what is wrong'."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def sources_dir(environ: Mapping[str, str] | None = None) -> Path:
    """`CHORUS_SOURCES`, else the project's sources/."""
    env = os.environ if environ is None else environ
    return Path(env.get("CHORUS_SOURCES") or PROJECT_ROOT / "sources")


def _display(path: Path, root: Path) -> str:
    try:
        return f"sources/{path.relative_to(root).as_posix()}"
    except ValueError:
        return str(path)


def _read_yaml(path: Path, shown: str) -> dict:
    try:
        data = strict_yaml.load(path, shown)
    except strict_yaml.StrictYAMLError as error:
        raise SpecInvalid([str(error)]) from None
    if not isinstance(data, dict) and path.name != BASE:
        raise SpecInvalid(
            [
                f"{shown}: a year file holds changes: (a list of {{type, column, ...}}), "
                "and nothing else"
            ]
        )
    if not isinstance(data, dict):
        raise SpecInvalid([f"{shown}: must be a mapping of keys (source:, columns:, ...)"])
    return data


def year_files(folder: Path) -> list[Path]:
    """The kind's per-year files, oldest first."""
    return sorted(path for path in folder.glob("*.yml") if YEAR_FILE.fullmatch(path.name))


def stray_files(folder: Path, root: Path) -> list[str]:
    """A problem for each file in a kind's folder that is not base.yml, a year file
    (2024-25.yml: consecutive years, or 2025.yml) or README.md."""
    problems = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        year = YEAR_FILE.fullmatch(path.name)
        if year and (year[3] is None or (int(year[1]) + 1) % 100 == int(year[3])):
            continue  # YYYY.yml or YYYY-YY.yml: which one the kind's period takes is checked
        if path.name in (BASE, README) and path.is_file() or path.name == FIXTURE:
            continue
        problems.append(
            f"{_display(path, root)}: not a file a source's folder holds: base.yml, a year "
            f"file named YYYY-YY.yml (2024-25.yml) or YYYY.yml (2025.yml), or {README}"
        )
    return problems


def merged(
    base: dict, changes: list[tuple[str, dict]], origins: dict[str, str] | None = None
) -> tuple[dict, list[str]]:
    """The base with each year's changes applied; problems name the file and change.
    `origins` gets, for each column a year file adds or changes, that file."""
    spec = copy.deepcopy(base)
    problems: list[str] = []
    origins = {} if origins is None else origins
    for shown, data in changes:
        unknown = sorted(str(key) for key in set(data) - {"changes"})
        if unknown:
            problems.append(f"{shown}: {', '.join(unknown)}: a year file holds only changes:")
        entries = data.get("changes")
        if not isinstance(entries, list):
            problems.append(f"{shown}: changes: must be a list of {{type, column, ...}}")
            continue
        columns = spec.get("columns")
        if not isinstance(columns, list):
            continue  # the base's own problem
        for position, change in enumerate(entries):
            where = f"{shown}: changes[{position}]"
            if isinstance(change, dict) and change.get("type") == "remove":
                problems.append(
                    f"{where}: type: remove is not allowed: a kind's raw table is one table "
                    "across all years, so a column cannot vanish in a later year; make it "
                    "optional instead (type: modify, value: {required: false})"
                )
                continue
            if not isinstance(change, dict) or change.get("type") not in CHANGE_TYPES:
                problems.append(f"{where}: type must be one of {', '.join(CHANGE_TYPES)}")
                continue
            stray = sorted(str(key) for key in set(change) - set(CHANGE_KEYS))
            if stray:
                problems.append(
                    f"{where}: {', '.join(stray)}: not a key of a change (a change has "
                    f"{', '.join(CHANGE_KEYS)})"
                )
                continue
            found = _apply(columns, change, where)
            problems.extend(found)
            if not found:
                value = change.get("value") or {}
                if change["type"] == "add" or set(value) - {"doc", "title"}:
                    # a change to the wording alone leaves the column's problems base.yml's
                    origins[str(value.get("name") or change.get("column"))] = shown
    return spec, problems


def _apply(columns: list, change: dict, where: str) -> list[str]:
    kind = change["type"]
    names = [column.get("name") if isinstance(column, dict) else None for column in columns]
    if kind == "add":
        value = change.get("value")
        if not isinstance(value, dict) or "name" not in value:
            return [f"{where}: value: an added column needs at least a name"]
        wrong = column_shape_problems(value, f"{where}.value")
        if wrong:
            return wrong
        if value["name"] in names:
            return [f"{where}: column {value['name']} is already in the spec: use modify"]
        after = change.get("after")
        if after is not None and after not in names:
            return [f"{where}: after: no column {after} to add {value['name']} after"]
        at = names.index(after) + 1 if after is not None else len(columns)
        columns.insert(at, value)
        return []
    target = change.get("column")
    if target not in names:
        return [f"{where}: column: no column '{target}' to {kind}"]
    at = names.index(target)
    value = change.get("value")
    if not isinstance(value, dict):
        return [f"{where}: value: the keys of {target} that change, as a mapping"]
    if "name" in value:
        return [
            f"{where}: value.name: a modify cannot rename {target}: a kind's raw table is one "
            "table across all years; add the new column (type: add) and make this one "
            "optional (value: {required: false})"
        ]
    wrong = column_shape_problems(value, f"{where}.value")
    if wrong:
        return wrong
    columns[at] = {**columns[at], **value}
    return []


def load_spec(folder: Path, year: str | None = None, root: Path | None = None) -> SourceSpec:
    """One kind's spec: base.yml with the changes of every year file up to `year`
    ('2023-24', or '2025' for a kind counted by calendar year, quarter or month: a period's
    `year_folder`; None: all of them). Raises SpecInvalid naming each problem."""
    root = root or folder.parent
    base_path = folder / BASE
    shown = _display(base_path, root)
    if not base_path.is_file():
        raise SpecInvalid([f"{shown}: missing: every source needs a base.yml"])
    strays = stray_files(folder, root)
    if strays:
        raise SpecInvalid(strays)
    base = _read_yaml(base_path, shown)
    period = str(base.get("period"))  # a period not declared is refused below
    misnamed = {
        path: wrong
        for path in year_files(folder)
        if period in landed_type_names() and (wrong := year_file_problem(path.name, period))
    }
    years = [
        path
        for path in year_files(folder)
        if path not in misnamed and (year is None or path.stem <= year.replace("/", "-"))
    ]
    changes = [(_display(path, root), _read_yaml(path, _display(path, root))) for path in years]
    origins: dict[str, str] = {}
    data, problems = merged(base, changes, origins)
    problems += [f"{_display(path, root)}: {wrong}" for path, wrong in misnamed.items()]
    files = (shown, *(name for name, _ in changes))
    spec = build(data, shown, folder.name, problems, origins)
    if problems:
        raise SpecInvalid(problems)
    assert spec is not None
    # The rules as resolved for the year, not the files' bytes: a comment changes nothing.
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode())
    return SourceSpec(**{**spec.__dict__, "files": files, "digest": digest.hexdigest()})


def _all_apply(folder: Path, year: str) -> bool:
    """Whether each of the kind's year files applies to `year` (as `load_spec` picks them)."""
    return all(path.stem <= year.replace("/", "-") for path in year_files(folder))


def _state(directory: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple(
        (str(path), path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(directory.glob("*/*"))
    )


_CHECKED: dict[Path, tuple[float, tuple]] = {}
RECHECK_SECONDS = 2.0
"""A long-running process (the Dagster daemon) sees an edited spec within this long; within
it, the specs are not looked at again (a landing area's files ask for their kind often)."""


def forget_loaded_sources() -> None:
    """Look at the spec files again at the next `load_sources` (after writing one)."""
    _CHECKED.clear()


_RULES_YEAR: ContextVar[str | None] = ContextVar("rules_year", default=None)


@contextmanager
def rules_of_year(year: str | None) -> Iterator[None]:
    """Within it, `load_sources` gives each kind's spec as resolved for `year` (a period's
    `rules_year`: '2023-24', or '2025'): base.yml plus the year files up to that year only,
    so a column a 2025-26.yml adds is not asked of a 2023-24 file. None: every year file."""
    token = _RULES_YEAR.set(year.replace("/", "-") if year else None)
    try:
        yield
    finally:
        _RULES_YEAR.reset(token)


def load_sources(
    directory: Path | None = None, *, every_year: bool = False
) -> dict[str, SourceSpec]:
    """Every kind's spec, by source name, in landing order, checked together (a match names
    a real source). Read again when a spec file changes. Inside `rules_of_year(year)` each
    spec is as resolved for that year (unless `every_year`: all year files merged)."""
    directory = directory or sources_dir()
    now = time.monotonic()
    checked = _CHECKED.get(directory)
    if checked is None or now - checked[0] > RECHECK_SECONDS:
        checked = (now, _state(directory))
        _CHECKED[directory] = checked
    year = None if every_year else _RULES_YEAR.get()
    return dict(_specs(directory, year, checked[1]))


@cache
def _specs(directory: Path, year: str | None, _state: tuple) -> tuple[tuple[str, SourceSpec], ...]:
    """Every kind's spec as resolved for a rules `year` ('2023-24', '2025'; None: with every
    year file), in landing order, read once per state of the spec files: the one cache of
    specs. The specs with every year file are read and checked together first (a match
    names a real source), whatever the year asked."""
    if year is not None:  # a kind whose every year file applies to `year` is as with all
        every = _specs(directory, None, _state)
        return tuple(
            (kind, spec if _all_apply(directory / kind, year) else
             load_spec(directory / kind, year, root=directory))
            for kind, spec in every
        )  # fmt: skip
    problems: list[str] = []
    specs: dict[str, SourceSpec] = {}
    refused: set[str] = set()
    for folder in sorted(path for path in directory.iterdir() if path.is_dir()):
        if folder.name.startswith((".", "_")):
            continue
        try:
            specs[folder.name] = load_spec(folder, root=directory)
        except SpecInvalid as invalid:
            problems.extend(invalid.problems)
            refused.add(folder.name)
    for spec in specs.values():
        for match in spec.matching:
            if match.source in refused:
                continue  # its own problems are listed
            if match.source not in specs:
                problems.append(
                    f"{spec.files[0]}: matching: source '{match.source}' has no spec "
                    f"(known: {', '.join(sorted(specs))})"
                )
            elif match.column not in specs[match.source].names:
                problems.append(
                    f"{spec.files[0]}: matching: '{match.column}' is not a column of {match.source}"
                )
        if spec.declared_start_per:
            per, due_with = spec.declared_start_per
            if due_with not in specs and due_with not in refused:
                problems.append(f"{spec.files[0]}: declared_start.due_with: source '{due_with}' "
                                f"has no spec (known: {', '.join(sorted(specs))})")  # fmt: skip
            elif due_with == spec.source:
                problems.append(f"{spec.files[0]}: declared_start.due_with: another source "
                                "(whose rows say this one's are due), not itself")  # fmt: skip
            elif due_with in specs and per not in specs[due_with].names:
                problems.append(f"{spec.files[0]}: declared_start.per: '{per}' is not a column "
                                f"of {due_with}")  # fmt: skip
            seed = spec.declared_start[0] if spec.declared_start else ""
            if seed in RAW_TABLES and per not in RAW_TABLES[seed].replace(",", " ").split():
                problems.append(f"{spec.files[0]}: declared_start.per: '{per}' is not a column "
                                f"of seeds/{seed}.csv")  # fmt: skip
    if problems:
        raise SpecInvalid(problems)
    return tuple(sorted(specs.items(), key=lambda item: (item[1].landing_order, item[0])))


RAW_SOURCE = re.compile(r"source\(\s*['\"]raw['\"]\s*,\s*['\"](\w+)['\"]\s*\)")
STAGING_KIND = re.compile(r"stg_([a-z][a-z0-9_]*?)__\w+\.sql")


def missing_kinds(
    specs: Mapping[str, SourceSpec], staging: Path, absent_from: Path | None = None
) -> list[str]:
    """A problem for each kind the project needs but has no spec for: a staging model
    (`stg_<kind>__*.sql`) reads a raw table that no spec (and no reference file) makes."""
    made = set(RAW_TABLES)
    for spec in specs.values():
        made |= {spec.raw_table, *(name for name, _ in spec.also_tables)}
    if absent_from is not None:
        made |= _declared_tables(absent_from)
    problems = []
    named: set[str] = set()
    for model in sorted(staging.glob("stg_*.sql")):
        kind = STAGING_KIND.fullmatch(model.name)
        tables = RAW_SOURCE.findall(model.read_text(encoding="utf-8"))
        for table in (table for table in tables if table not in made):
            name = kind[1] if kind else table
            if name in named or absent_from is not None and (absent_from / name).exists():
                continue
            named.add(name)
            problems.append(
                f"sources/{name}/base.yml: missing: the project needs the {name} source "
                f"({model.name} reads raw.{table}, which no source spec makes): restore "
                f"sources/{name}/ (git checkout -- sources/{name} if it was committed) or "
                f"remove models/staging/stg_{name}__*.sql"
            )
    return problems


def _declared_tables(directory: Path) -> set[str]:
    """The raw tables the spec folders in `directory` declare, read leniently (a folder
    whose spec has problems of its own still makes its table: a staging model named for
    another prefix, stg_pathway_plan__reviews for pathway_plan_reviews, is not 'missing')."""
    tables: set[str] = set()
    for base in directory.glob("*/base.yml"):
        try:
            data = yaml.safe_load(base.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError, OSError):
            continue
        raw = data.get("raw_table") if isinstance(data, dict) else None
        if isinstance(raw, dict) and isinstance(raw.get("name"), str):
            tables.add(raw["name"])
        for also in (data.get("also_tables") or []) if isinstance(data, dict) else []:
            if isinstance(also, dict) and isinstance(also.get("name"), str):
                tables.add(also["name"])
    return tables


def source_spec_line(directory: Path | None = None) -> str | None:
    """The one line to show when a source spec cannot be read, or a kind the project's
    staging models read has none (None when all is well)."""
    from indicators.config import dbt_project_dir

    directory = directory or sources_dir()
    try:
        specs = load_sources(directory, every_year=True)
        problems = missing_kinds(specs, dbt_project_dir() / "models" / "staging")
        if problems:
            raise SpecInvalid(problems)
    except SpecInvalid as invalid:
        # A kind whose folder is gone: said as such, not as another spec's matching problem.
        gone = missing_kinds({}, dbt_project_dir() / "models" / "staging", directory)
        named = [line.split("/")[1] for line in gone]
        others = [p for p in invalid.problems if not any(f"'{k}' has no spec" in p for k in named)]
        if gone:
            invalid = SpecInvalid([*gone, *(p for p in others if p not in gone)])
        return (
            f"the source specs in {directory or sources_dir()} have problems: {invalid}; "
            "correct them (docs/inputs.md, docs/architecture.md: Source specs)"
        )
    return None


def source_spec(kind: str, directory: Path | None = None) -> SourceSpec:
    return load_sources(directory)[kind]


def specs_digest(
    kinds: tuple[str, ...], directory: Path | None = None, year: str | None = None
) -> str:
    """The rules version of a stream for one year ('2024/25' or '2024-25'; None: with every
    year file): its kinds' specs as resolved for that year (base.yml plus the year files up
    to it), not the files' bytes. A comment changes nothing; a rule changed in 2024-25.yml
    changes 2024-25 and later years, not earlier ones."""
    directory = directory or sources_dir()
    load_sources(directory, every_year=True)  # every spec checked, the state current
    state = _CHECKED[directory][1]
    resolved = dict(_specs(directory, year.replace("/", "-") if year else None, state))
    joined = "".join(f"{kind}:{resolved[kind].digest};" for kind in kinds if kind in resolved)
    return "spec:" + hashlib.sha256(joined.encode()).hexdigest()


def landing_layout() -> str:
    """How returns are laid out, for a message about a landing with none: each kind's folder
    (the specs', in landing order)."""
    kinds = ", ".join(f"{kind}/" for kind in load_sources())
    return (
        "each in its kind's folder by year or period, as eyfsp/<YYYY-YY>/*.csv "
        f"(the kinds: {kinds})"
    )
