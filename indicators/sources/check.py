"""Check a source spec's keys and build the `SourceSpec` it describes: each problem is one
line naming the file, the key path and what is wrong (collected by `indicators.sources.load`,
which raises them together as `SpecInvalid`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from indicators.config import PROJECT_ROOT
from indicators.declarations import DeclarationError, period_types
from indicators.periods import landed_type_names
from indicators.sources import spec_keys
from indicators.sources.code_lists import code_list as _code_list
from indicators.sources.code_lists import code_lists as _code_lists
from indicators.sources.free_text import free_text_problems
from indicators.sources.row_rules import parse_row_rules
from indicators.sources.shapes import shape_problems
from indicators.sources.spec import (
    COLUMN_TYPES,
    HANDLINGS,
    INVALID,
    REDUCTIONS,
    CodeList,
    Column,
    Identifier,
    Match,
    SourceSpec,
)
from indicators.sources.value_rules import (
    parse_format,
    parse_range,
    parse_window,
)
from indicators.sources.value_rules import text as _text

NAME = re.compile(r"[a-z][a-z0-9_]*")
COUNTED_WHEN = ("landed", "next_period_landed")
"""When a period of a divided source is counted whole (spec `counted_when:`): once landed
with rows, or once the next period is too (its rows' follow-up arrives in the next files)."""
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
    "also_keys": False,
    "also_tables": False,
    "matching": False,
    "placement": False,
    "consent": False,
    "items": False,
    "free_text": False,
    "headers": False,
    "landing_order": False,
    "counted_when": False,
    "starts_late": False,
    "declared_start": False,
    "label": False,
    "row_rules": False,
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
MATCH_MESSAGES = ("missing", "rejected", "not_landed", "held_back")

STREAMS = ("statutory", "voice", "standalone")
"""The engines that load a source (indicators/ingest/streams.py)."""
CONSENT_ROLES = ("aggregate", "quote", "link")
"""A survey's consent columns (the voice survey: indicators/ingest/survey.py); a source
without items: takes aggregate only."""


def _period(period: str, shown: str) -> list[str]:
    """A spec's period: a period type declared in dbt_project/metadata/periods.yml that
    has a landing form (its folders: 2024-25, 2024, 2024-25-Q1, 2024-Q1 or 2024-04)."""
    try:
        declared = period_types()
    except DeclarationError as error:
        return [f"{shown}: period: the period types cannot be read ({error})"]
    if period not in declared:
        return [
            f"{shown}: period: '{period}' is not a period type declared in "
            f"dbt_project/metadata/periods.yml ({', '.join(declared)})"
        ]
    if period not in landed_type_names():
        return [
            f"{shown}: period: '{period}' is declared but has no landing form in "
            "dbt_project/metadata/periods.yml (landing_folder:), so it cannot be landed"
        ]
    return []


def build(
    data: dict,
    shown: str,
    folder: str,
    problems: list[str],
    origins: Mapping[str, str] | None = None,
) -> SourceSpec | None:
    """The spec `data` describes, or None with its problems added. `origins`: column name ->
    the year file that added or changed it (named in that column's problems)."""
    origins = origins or {}
    for key, needed in TOP_KEYS.items():
        if needed and data.get(key) is None:
            problems.append(f"{shown}: {key}: missing (a spec needs {key}:)")
    for key in sorted(set(data) - set(TOP_KEYS), key=str):
        problems.append(
            f"{shown}: {key}: not a key a source spec has (known: {', '.join(TOP_KEYS)})"
        )
    wrong_types = shape_problems(data, shown, origins)
    if wrong_types:
        problems.extend(wrong_types)
        return None  # what follows reads each key as its type
    if data.get("source") is not None and data.get("source") != folder:
        problems.append(
            f"{shown}: source: is '{data.get('source')}' but the folder is '{folder}': they "
            "must be the same (the landing folder of the kind)"
        )
    if data.get("period") is not None:
        problems.extend(_period(data["period"], shown))
    if data.get("stream") is not None and data.get("stream") not in STREAMS:
        problems.append(
            f"{shown}: stream: '{data.get('stream')}' must be one of {', '.join(STREAMS)} "
            "(the engine that loads it; a new source is standalone)"
        )
    if data.get("title") is not None and not _text(data.get("title")).strip():
        problems.append(f"{shown}: title: must not be blank (how docs and messages name it)")
    bank = (data.get("items") or {}).get("bank") if isinstance(data.get("items"), dict) else None
    if bank is not None and not (PROJECT_ROOT / str(bank)).is_file():
        problems.append(f"{shown}: items.bank: no file {bank} in the project")
    raw = data.get("raw_table") or {}
    if not isinstance(raw, dict) or not NAME.fullmatch(str(raw.get("name", ""))):
        problems.append(f"{shown}: raw_table: needs a name (lower case, underscores)")
        raw = {}
    code_lists = _code_lists(data.get("code_lists") or {}, shown, problems)
    columns = _columns(data.get("columns"), code_lists, shown, problems, origins)
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
    also_keys = spec_keys.also_keys(data, names, shown, problems)
    if str(data.get("counted_when") or "landed") not in COUNTED_WHEN:
        problems.append(f"{shown}: counted_when: one of {', '.join(COUNTED_WHEN)}")
    across = spec_keys.key_across_periods(data, key_columns, shown, problems)
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
            except (KeyError, IndexError, ValueError, AttributeError, TypeError):
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
    spec_keys.placement_problems(placement, data, names, shown, problems)
    consent = data.get("consent") or {}
    if not isinstance(consent, dict):
        problems.append(f"{shown}: consent: must map a role (aggregate, ...) to a column")
        consent = {}
    roles = CONSENT_ROLES if data.get("items") else ("aggregate",)
    for role, name in consent.items():
        if role not in roles:
            problems.append(
                f"{shown}: consent.{role}: not a consent role; "
                + (
                    f"a survey's are {', '.join(roles)}"
                    if data.get("items")
                    else "a source without items: takes only aggregate (rows without its Y "
                    "are not loaded)"
                )
            )
        elif name not in names:
            problems.append(f"{shown}: consent.{role}: '{name}' is not a column")
    problems.extend(free_text_problems(data, shown, columns))
    if data.get("items") and not set(CONSENT_ROLES) <= set(consent):
        missing = ", ".join(role for role in CONSENT_ROLES if role not in consent)
        problems.append(f"{shown}: consent: a survey needs {missing} too")
    row_rules = parse_row_rules(data.get("row_rules"), columns, data.get("stream"), shown, problems)
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
        also_keys=also_keys,
        key_across_periods=across,
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
        row_rules=row_rules,
        landing_order=int(data.get("landing_order") or 100),
        counted_when=str(data.get("counted_when") or "landed"),
        starts_late=bool(data.get("starts_late") or False),
        declared_start=spec_keys.declared_start(data, shown, problems),
        declared_start_per=spec_keys.declared_start_per(data, names, shown, problems),
    )


def _columns(
    entries: Any,
    code_lists: dict[str, CodeList],
    shown: str,
    problems: list[str],
    origins: Mapping[str, str],
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
        where = f"{origins.get(name, shown)}: columns[{position}] ({name or 'no name'})"
        if not NAME.fullmatch(name):
            problems.append(f"{where}: name: lower case letters, digits and underscores")
            continue
        if name in seen:
            problems.append(f"{where}: name: {name} is listed twice")
        seen.add(name)
        column = _column(entry, name, where, code_lists, problems)
        if column is not None:
            columns.append(column)
    names = [str(entry.get("name")) for entry in entries if isinstance(entry, dict)]
    for position, column in ((names.index(c.name), c) for c in columns):
        where = f"{origins.get(column.name, shown)}: columns[{position}] ({column.name})"
        for key, made in (
            ("as", column.identifier.as_name),
            ("linked_as", column.identifier.linked_as),
        ):
            clash = [
                c.name for c in columns if c is not column and made in (c.name, *c.raw_names)
            ] + ([column.name] if key == "linked_as" and made == column.raw_name else [])
            if made and clash:
                problems.append(
                    f"{where}: identifier.{key}: '{made}' is also {clash[0]}'s column in the "
                    "raw table: name another"
                )
        consent = column.identifier.consent
        if consent is not None and consent not in names:
            problems.append(f"{where}: identifier.consent: '{consent}' is not a column")
    return columns


def _column(
    entry: dict, name: str, where: str, code_lists: dict[str, CodeList], problems: list[str]
) -> Column | None:
    before = len(problems)
    for key in sorted(set(entry) - COLUMN_KEYS, key=str):
        problems.append(f"{where}: {key}: not a key of a column (known: {', '.join(COLUMN_KEYS)})")
    kind = entry.get("type")
    if kind not in COLUMN_TYPES:
        problems.append(f"{where}: type: '{kind}' must be one of {', '.join(COLUMN_TYPES)}")
    identifier = _identifier(entry.get("identifier"), where, problems, kind)
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
    # A value reduced at the door (a full postcode, a date of birth) is an identifier as
    # written: never shown, as a pseudonymised or dropped one is not.
    if entry.get("show_rejected") and identifier.handling in ("pseudonymise", "reduce", "drop"):
        problems.append(
            f"{where}: show_rejected: not allowed on a column whose identifier handling is "
            f"{identifier.handling}: a rejected value would show the identifier in the "
            "rejected-rows report"
        )
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
        format=parse_format(entry.get("format"), where, problems),
        window=parse_window(entry.get("window"), where, problems),
        range=parse_range(entry.get("range"), where, problems),
        invalid=str(invalid),
        doc=_text(entry.get("doc")),
    )


def _identifier(entry: Any, where: str, problems: list[str], kind: Any = None) -> Identifier:
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
    fits = {"year_month": ("date",), "postcode_sector": ("code", "text")}.get(entry.get("to"))
    if handling == "reduce" and fits and kind not in fits:
        problems.append(
            f"{where}: identifier.to: {entry.get('to')} reduces a {' or '.join(fits)} column, "
            f"not a {kind} one"
        )
    linked = entry.get("linked_as")
    if linked is not None and (handling != "reduce" or entry.get("to") != "postcode_sector"):
        problems.append(
            f"{where}: identifier.linked_as: only a postcode reduced to its sector "
            "(handling: reduce, to: postcode_sector) is also kept as a linked pseudonym"
        )
    elif linked is not None and not NAME.fullmatch(str(linked)):
        problems.append(f"{where}: identifier.linked_as: the raw table's column for the pseudonym")
    return Identifier(
        handling, entry.get("as"), entry.get("to"), entry.get("consent"), linked_as=linked
    )
