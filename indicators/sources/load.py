"""Read the source specs (`sources/<kind>/base.yml`, and `sources/<kind>/<YYYY-YY>.yml` for a
year's differences, merged over the base in year order; `<YYYY>.yml` for a kind counted in
calendar years, their quarters or months) and refuse a malformed one with a
message naming the file, the key and what is wrong (`SpecInvalid`).

A year file holds `changes:`, each `{type: add | modify | remove, column: ..., description:
...}` (as liia-tools keeps its return specs: a base schema and per-year diffs): `add` a
column (`value:` the column, `after:` where), `modify` one (`value:` the keys that change),
`remove` one. The changes of every year up to the one being read apply, oldest first.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import time
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from indicators.config import PROJECT_ROOT
from indicators.periods import landed_type_names, year_file_problem
from indicators.sources.spec import (
    COLUMN_TYPES,
    HANDLINGS,
    INVALID,
    NAMED_FORMATS,
    PLACEMENTS,
    REDUCTIONS,
    CodeList,
    Column,
    Format,
    Identifier,
    Match,
    Offset,
    Range,
    SourceSpec,
    Window,
)

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it (ten times quicker), else PyYAML's own."""
BASE = "base.yml"
YEAR_FILE = re.compile(r"(\d{4})(-(\d{2}))?\.yml")
"""A year change file: YYYY-YY.yml, or YYYY.yml for a source counted in calendar years,
their quarters or months (`year_file_problem` checks which the kind's period takes)."""
NAME = re.compile(r"[a-z][a-z0-9_]*")
TOP_KEYS = {
    "source": True,
    "title": True,
    "description": True,
    "period": True,
    "stream": True,
    "raw_table": True,
    "columns": True,
    "code_lists": False,
    "key": False,
    "also_tables": False,
    "matching": False,
    "placement": False,
    "consent": False,
    "items": False,
    "free_text": False,
    "headers": False,
    "landing_order": False,
    "label": False,
}
"""Every key a spec may have: True for those it must have."""
COLUMN_KEYS = {
    "name",
    "title",
    "type",
    "required",
    "identifier",
    "show_rejected",
    "aliases",
    "codes",
    "format",
    "window",
    "range",
    "invalid",
    "doc",
}
CODE_LIST_KEYS = {"codes", "rule", "message", "blank", "synonyms", "normalise", "doc"}
CHANGE_TYPES = ("add", "modify", "remove")
MATCH_MESSAGES = ("missing", "rejected", "not_landed", "held_back")


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
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - safe
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise SpecInvalid([f"{shown}: not readable YAML{where}: {error}"]) from None
    if not isinstance(data, dict):
        raise SpecInvalid([f"{shown}: must be a mapping of keys (source:, columns:, ...)"])
    return data


def year_files(folder: Path) -> list[Path]:
    """The kind's per-year files, oldest first."""
    return sorted(path for path in folder.glob("*.yml") if YEAR_FILE.fullmatch(path.name))


def merged(base: dict, changes: list[tuple[str, dict]]) -> tuple[dict, list[str]]:
    """The base with each year's changes applied; problems name the file and change."""
    spec = copy.deepcopy(base)
    problems: list[str] = []
    for shown, data in changes:
        unknown = sorted(set(data) - {"changes"})
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
            if not isinstance(change, dict) or change.get("type") not in CHANGE_TYPES:
                problems.append(f"{where}: type must be one of {', '.join(CHANGE_TYPES)}")
                continue
            problems.extend(_apply(columns, change, where))
    return spec, problems


def _apply(columns: list, change: dict, where: str) -> list[str]:
    kind = change["type"]
    names = [column.get("name") if isinstance(column, dict) else None for column in columns]
    if kind == "add":
        value = change.get("value")
        if not isinstance(value, dict) or "name" not in value:
            return [f"{where}: value: an added column needs at least a name"]
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
    if kind == "remove":
        del columns[at]
        return []
    value = change.get("value")
    if not isinstance(value, dict):
        return [f"{where}: value: the keys of {target} that change, as a mapping"]
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
    data, problems = merged(base, changes)
    problems += [f"{_display(path, root)}: {wrong}" for path, wrong in misnamed.items()]
    files = (shown, *(name for name, _ in changes))
    digest = hashlib.sha256()
    for path in (base_path, *years):
        digest.update(path.read_bytes())
    spec = _build(data, shown, folder.name, problems)
    if problems:
        raise SpecInvalid(problems)
    assert spec is not None
    return SourceSpec(**{**spec.__dict__, "files": files, "digest": digest.hexdigest()})


def _state(directory: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple(
        (str(path), path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(directory.glob("*/*.yml"))
    )


_CHECKED: dict[Path, tuple[float, tuple]] = {}
RECHECK_SECONDS = 2.0
"""A long-running process (the Dagster daemon) sees an edited spec within this long; within
it, the specs are not looked at again (a landing area's files ask for their kind often)."""


def forget_loaded_sources() -> None:
    """Look at the spec files again at the next `load_sources` (after writing one)."""
    _CHECKED.clear()


def load_sources(directory: Path | None = None) -> dict[str, SourceSpec]:
    """Every kind's spec, by source name, in landing order, checked together (a match names
    a real source). Read again when a spec file changes."""
    directory = directory or sources_dir()
    now = time.monotonic()
    checked = _CHECKED.get(directory)
    if checked is None or now - checked[0] > RECHECK_SECONDS:
        checked = (now, _state(directory))
        _CHECKED[directory] = checked
    return dict(_load_sources(directory, checked[1]))


@cache
def _load_sources(directory: Path, _state: tuple) -> tuple[tuple[str, SourceSpec], ...]:
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
    if problems:
        raise SpecInvalid(problems)
    return tuple(sorted(specs.items(), key=lambda item: (item[1].landing_order, item[0])))


def source_spec_line(directory: Path | None = None) -> str | None:
    """The one line to show when a source spec cannot be read (None when all can)."""
    try:
        load_sources(directory)
    except SpecInvalid as invalid:
        return (
            f"the source specs in {directory or sources_dir()} have problems: {invalid}; "
            "correct them (docs/inputs.md, docs/architecture.md: Source specs)"
        )
    return None


def source_spec(kind: str, directory: Path | None = None) -> SourceSpec:
    return load_sources(directory)[kind]


def specs_digest(kinds: tuple[str, ...], directory: Path | None = None) -> str:
    """The rules version of a stream: its kinds' spec digests together."""
    specs = load_sources(directory)
    joined = "".join(f"{kind}:{specs[kind].digest};" for kind in kinds if kind in specs)
    return "spec:" + hashlib.sha256(joined.encode()).hexdigest()


# ------------------------------------------------------------------------------ checking


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _build(data: dict, shown: str, folder: str, problems: list[str]) -> SourceSpec | None:
    for key, needed in TOP_KEYS.items():
        if needed and key not in data:
            problems.append(f"{shown}: {key}: missing (a spec needs {key}:)")
    for key in sorted(set(data) - set(TOP_KEYS)):
        problems.append(
            f"{shown}: {key}: not a key a source spec has (known: {', '.join(TOP_KEYS)})"
        )
    if data.get("source") is not None and data.get("source") != folder:
        problems.append(
            f"{shown}: source: is '{data.get('source')}' but the folder is '{folder}': they "
            "must be the same (the landing folder of the kind)"
        )
    if data.get("period") is not None and data.get("period") not in landed_type_names():
        problems.append(
            f"{shown}: period: '{data.get('period')}' must be a period type "
            f"dbt_project/metadata/periods.yml declares: {', '.join(landed_type_names())}"
        )
    raw = data.get("raw_table") or {}
    if not isinstance(raw, dict) or not NAME.fullmatch(str(raw.get("name", ""))):
        problems.append(f"{shown}: raw_table: needs a name (lower case, underscores)")
        raw = {}
    code_lists = _code_lists(data.get("code_lists") or {}, shown, problems)
    columns = _columns(data.get("columns"), code_lists, shown, problems)
    names = [  # every column the spec names, even one with problems of its own
        str(entry.get("name"))
        for entry in data.get("columns") or []
        if isinstance(entry, dict) and entry.get("name")
    ]
    key = data.get("key") or {}
    key_columns = tuple(key.get("columns") or ()) if isinstance(key, dict) else ()
    for name in key_columns:
        if name not in names:
            problems.append(f"{shown}: key.columns: '{name}' is not a column of the spec")
    matching = []
    for position, entry in enumerate(data.get("matching") or []):
        if not isinstance(entry, dict) or not {"source", "column"} <= set(entry):
            problems.append(f"{shown}: matching[{position}]: needs source: and column:")
            continue
        if entry["column"] not in names:
            problems.append(
                f"{shown}: matching[{position}].column: '{entry['column']}' is not a column"
            )
        if entry.get("when_quarantined", "both") not in ("both", "this"):
            problems.append(f"{shown}: matching[{position}].when_quarantined: both or this")
        for message in MATCH_MESSAGES:
            try:
                _text(entry.get(message)).format(value="", period="", folder="", files="", rows="")
            except (KeyError, IndexError, ValueError):
                problems.append(
                    f"{shown}: matching[{position}].{message}: may use only {{value}}, "
                    "{period}, {folder}, {files} and {rows}"
                )
        matching.append(
            Match(
                entry["source"],
                entry["column"],
                entry.get("when_quarantined", "both"),
                _text(entry.get("doc")),
                *(_text(entry.get(message)) for message in MATCH_MESSAGES),
            )
        )
    placement = data.get("placement") or {}
    if placement and placement.get("method") not in PLACEMENTS:
        problems.append(
            f"{shown}: placement.method: '{placement.get('method')}' must be one of "
            f"{', '.join(PLACEMENTS)}"
        )
    if "column" in placement and placement["column"] not in names:
        problems.append(f"{shown}: placement.column: '{placement['column']}' is not a column")
    consent = data.get("consent") or {}
    for role, name in consent.items():
        if name not in names:
            problems.append(f"{shown}: consent.{role}: '{name}' is not a column")
    numbered = None
    headers = data.get("headers") or {}
    if "numbered" in headers:
        entry = headers["numbered"]
        try:
            numbered = (str(entry["prefix"]), int(entry["first"]), int(entry["last"]))
        except (KeyError, TypeError, ValueError):
            problems.append(f"{shown}: headers.numbered: needs prefix:, first: and last:")
    if problems:
        return None
    return SourceSpec(
        source=str(data["source"]),
        title=_text(data["title"]),
        description=_text(data["description"]),
        period=str(data["period"]),
        stream=str(data["stream"]),
        raw_table=str(raw["name"]),
        raw_description=_text(raw.get("description")),
        columns=tuple(columns),
        key=key_columns,
        key_rule=str(key.get("rule", "")),
        key_message=_text(key.get("message")),
        label=_text(data.get("label")) or str(data["source"]),
        key_doc=_text(key.get("doc")),
        also_tables=tuple(
            (str(table["name"]), _text(table.get("description")))
            for table in data.get("also_tables") or []
        ),
        matching=tuple(matching),
        placement=dict(placement),
        consent={str(role): str(name) for role, name in consent.items()},
        items=dict(data.get("items") or {}),
        free_text=dict(data.get("free_text") or {}),
        numbered_headers=numbered,
        landing_order=int(data.get("landing_order") or 100),
    )


def _code_lists(entries: Any, shown: str, problems: list[str]) -> dict[str, CodeList]:
    if not isinstance(entries, dict):
        problems.append(f"{shown}: code_lists: must map a list's name to its codes")
        return {}
    lists = {}
    for name, entry in entries.items():
        where = f"{shown}: code_lists.{name}"
        made = _code_list(str(name), entry, where, problems)
        if made is not None:
            lists[str(name)] = made
    return lists


def _code_list(name: str, entry: Any, where: str, problems: list[str]) -> CodeList | None:
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be a mapping with codes:, rule: and message:")
        return None
    for key in sorted(set(entry) - CODE_LIST_KEYS):
        problems.append(f"{where}.{key}: not a key of a code list ({', '.join(CODE_LIST_KEYS)})")
    codes: dict[str, str] = {}
    for position, code in enumerate(entry.get("codes") or []):
        if not isinstance(code, dict) or "code" not in code:
            problems.append(f"{where}.codes[{position}]: needs code: (and name: its meaning)")
            continue
        value = str(code["code"])
        if value in codes:
            problems.append(f"{where}.codes[{position}]: code '{value}' is listed twice")
        codes[value] = str(code.get("name", value))
    if not codes:
        problems.append(f"{where}.codes: a code list needs at least one code")
    for key in ("rule", "message"):
        if not entry.get(key):
            problems.append(f"{where}.{key}: missing (the rule's name and its message)")
    message = _text(entry.get("message"))
    try:
        message.format(codes="", code_list="")
    except (KeyError, IndexError, ValueError):
        problems.append(f"{where}.message: may use only {{codes}} and {{code_list}}")
    blank = entry.get("blank")
    if blank is not None and str(blank) not in codes:
        problems.append(f"{where}.blank: '{blank}' is not one of its codes")
    synonyms = {str(k).upper(): str(v) for k, v in (entry.get("synonyms") or {}).items()}
    for spelling, code in synonyms.items():
        if code not in codes:
            problems.append(f"{where}.synonyms: {spelling} reads as '{code}', not a code")
    if entry.get("normalise") not in (None, "snake_case"):
        problems.append(f"{where}.normalise: only snake_case is known")
    return CodeList(
        name=name,
        codes=codes,
        rule=str(entry.get("rule", "")),
        message=message,
        blank=None if blank is None else str(blank),
        synonyms=synonyms,
        normalise=entry.get("normalise"),
        doc=_text(entry.get("doc")),
    )


def _columns(
    entries: Any, code_lists: dict[str, CodeList], shown: str, problems: list[str]
) -> list[Column]:
    if not isinstance(entries, list) or not entries:
        if entries is not None:
            problems.append(f"{shown}: columns: must be a list of columns")
        return []
    columns: list[Column] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict):
            problems.append(f"{shown}: columns[{position}]: must be a mapping (name:, type:...)")
            continue
        name = str(entry.get("name", ""))
        where = f"{shown}: columns[{position}] ({name or 'no name'})"
        if not NAME.fullmatch(name):
            problems.append(f"{where}: name: lower case letters, digits and underscores")
            continue
        if name in seen:
            problems.append(f"{where}: name: {name} is listed twice")
        seen.add(name)
        column = _column(entry, name, where, code_lists, problems)
        if column is not None:
            columns.append(column)
    return columns


def _column(
    entry: dict, name: str, where: str, code_lists: dict[str, CodeList], problems: list[str]
) -> Column | None:
    before = len(problems)
    for key in sorted(set(entry) - COLUMN_KEYS):
        problems.append(f"{where}: {key}: not a key of a column (known: {', '.join(COLUMN_KEYS)})")
    kind = entry.get("type")
    if kind not in COLUMN_TYPES:
        problems.append(f"{where}: type: '{kind}' must be one of {', '.join(COLUMN_TYPES)}")
    identifier = _identifier(entry.get("identifier"), where, problems)
    codes = entry.get("codes")
    code_list = None
    if isinstance(codes, str):
        code_list = code_lists.get(codes)
        if code_list is None:
            problems.append(
                f"{where}: codes: no code list '{codes}' "
                f"(code_lists: {', '.join(code_lists) or 'none'})"
            )
    elif codes is not None:
        code_list = _code_list(name, codes, f"{where}: codes", problems)
    invalid = entry.get("invalid", "quarantine")
    if invalid not in INVALID:
        problems.append(f"{where}: invalid: must be one of {', '.join(INVALID)}")
    if len(problems) > before:
        return None
    return Column(
        name=name,
        type=str(kind),
        identifier=identifier,
        title=_text(entry.get("title")),
        required=bool(entry.get("required", True)),
        show_rejected=bool(entry.get("show_rejected", False)),
        aliases=tuple(str(alias) for alias in entry.get("aliases") or ()),
        codes=code_list,
        format=_format(entry.get("format"), where, problems),
        window=_window(entry.get("window"), where, problems),
        range=_range(entry.get("range"), where, problems),
        invalid=str(invalid),
        doc=_text(entry.get("doc")),
    )


def _identifier(entry: Any, where: str, problems: list[str]) -> Identifier:
    if isinstance(entry, str):
        entry = {"handling": entry}
    if not isinstance(entry, dict) or entry.get("handling") not in HANDLINGS:
        shown = entry.get("handling") if isinstance(entry, dict) else entry
        problems.append(
            f"{where}: identifier: '{shown}' must be one of {', '.join(HANDLINGS)} "
            "(what happens to the values at the door)"
        )
        return Identifier("keep")
    handling = entry["handling"]
    if handling in ("pseudonymise", "reduce") and not NAME.fullmatch(str(entry.get("as", ""))):
        problems.append(f"{where}: identifier.as: the raw table's column for the {handling}d value")
    if handling == "reduce" and entry.get("to") not in REDUCTIONS:
        problems.append(f"{where}: identifier.to: must be one of {', '.join(REDUCTIONS)}")
    return Identifier(handling, entry.get("as"), entry.get("to"), entry.get("consent"))


def _format(entry: Any, where: str, problems: list[str]) -> Format | None:
    if entry is None:
        return None
    if isinstance(entry, str):
        entry = {"named": entry}
    if not isinstance(entry, dict):
        problems.append(f"{where}: format: a named format or {{pattern:, rule:, message:}}")
        return None
    named, pattern = entry.get("named"), entry.get("pattern")
    if named is not None and named not in NAMED_FORMATS:
        problems.append(
            f"{where}: format.named: '{named}' must be one of {', '.join(NAMED_FORMATS)}"
        )
    if named is None and pattern is None:
        problems.append(f"{where}: format: give named: or pattern:")
    if pattern is not None:
        try:
            re.compile(str(pattern))
        except re.error as error:
            problems.append(f"{where}: format.pattern: not a regular expression ({error})")
        if not entry.get("rule") or not entry.get("message"):
            problems.append(f"{where}: format: a pattern needs rule: and message:")
    return Format(
        rule=str(entry.get("rule", "")),
        message=_text(entry.get("message")),
        named=named,
        pattern=None if pattern is None else str(pattern),
    )


def _offset(entry: Any, where: str, problems: list[str]) -> Offset:
    if not isinstance(entry, dict) or set(entry) - {"years", "months", "days"}:
        problems.append(f"{where}: an offset from the period's start: years:, months:, days:")
        return Offset()
    try:
        return Offset(**{key: int(value) for key, value in entry.items()})
    except (TypeError, ValueError):
        problems.append(f"{where}: years, months and days must be whole numbers")
        return Offset()


def _window(entry: Any, where: str, problems: list[str]) -> Window | None:
    if entry is None:
        return None
    if not isinstance(entry, dict) or not {"from", "to", "rule", "message"} <= set(entry):
        problems.append(f"{where}: window: needs from:, to:, rule: and message:")
        return None
    message = _text(entry["message"])
    try:
        message.format(period="", first="", last="")
    except (KeyError, IndexError, ValueError):
        problems.append(f"{where}: window.message: may use only {{period}}, {{first}}, {{last}}")
    return Window(
        _offset(entry["from"], f"{where}: window.from", problems),
        _offset(entry["to"], f"{where}: window.to", problems),
        str(entry["rule"]),
        message,
    )


def _range(entry: Any, where: str, problems: list[str]) -> Range | None:
    if entry is None:
        return None
    if not isinstance(entry, dict) or not {"rule", "message"} <= set(entry):
        problems.append(f"{where}: range: needs min: and/or max:, rule: and message:")
        return None
    try:
        least = None if entry.get("min") is None else float(entry["min"])
        most = None if entry.get("max") is None else float(entry["max"])
    except (TypeError, ValueError):
        problems.append(f"{where}: range: min and max must be numbers")
        return None
    return Range(least, most, str(entry["rule"]), _text(entry["message"]))
