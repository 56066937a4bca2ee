"""The type of every key a source spec may have, at every level, checked before anything is
built from it: a wrong type (`required: "yes"`, `aliases: abc`, `landing_order: "3"`) is one
line naming the file, the key path and the type expected, never a traceback later.

A key left empty (`doc:` with nothing after it) reads as not given; whether a key must be
given is checked by `indicators.sources.check`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

TEXT = "text"
WHOLE = "a whole number"
NUMBER = "a number"
FLAG = "true or false"
LIST = "a list"
MAPPING = "a mapping"
SCALAR = "text or a number"
TEXT_OR_MAPPING = "text or a mapping"
TEXT_OR_LIST = "text or a list"


def _is(value: Any, expected: str) -> bool:
    if expected == TEXT:
        return isinstance(value, str)
    if expected == FLAG:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False  # true is not a number, nor text
    return {
        WHOLE: isinstance(value, int),
        NUMBER: isinstance(value, int | float),
        LIST: isinstance(value, list),
        MAPPING: isinstance(value, dict),
        SCALAR: isinstance(value, str | int | float),
        TEXT_OR_MAPPING: isinstance(value, str | dict),
        TEXT_OR_LIST: isinstance(value, str | list),
    }[expected]


def _seen(value: Any) -> str:
    if isinstance(value, bool):
        return f"true or false ({str(value).lower()})"
    if isinstance(value, str):
        return f"text '{value}'"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


Shape = Mapping[str, Any]
"""key -> the type expected: one of the names above, or a (type, check of the value's
contents) pair for a list or mapping whose entries have a shape of their own."""

TEXTS = {"doc": TEXT}
RAW_TABLE: Shape = {"name": TEXT, "description": TEXT}
OFFSET: Shape = {"years": WHOLE, "months": WHOLE, "days": WHOLE}
FORMAT: Shape = {"named": TEXT, "pattern": TEXT, "rule": TEXT, "message": TEXT}
RANGE: Shape = {"min": NUMBER, "max": NUMBER, "rule": TEXT, "message": TEXT}
IDENTIFIER: Shape = {
    "handling": TEXT,
    "as": TEXT,
    "to": TEXT,
    "consent": TEXT,
    "linked_as": TEXT,
}
CODE: Shape = {"code": SCALAR, "name": SCALAR, **TEXTS}
KEY: Shape = {"columns": LIST, "rule": TEXT, "message": TEXT, **TEXTS}
MATCH: Shape = {
    "source": TEXT,
    "column": TEXT,
    "when_quarantined": TEXT,
    "missing": TEXT,
    "rejected": TEXT,
    "not_landed": TEXT,
    "held_back": TEXT,
    **TEXTS,
}
PLACEMENT: Shape = {
    "method": TEXT,
    "column": TEXT,
    "via": TEXT,
    "authority": TEXT,
    "neighbourhood": TEXT,
    "lookup": TEXT,
    "within": TEXT,
    **TEXTS,
}
ITEMS: Shape = {"bank": TEXT, "answers": TEXT, **TEXTS}
FREE_TEXT: Shape = {
    "columns": TEXT_OR_LIST,
    "consent": TEXT,
    "scrub": FLAG,
    "longest": WHOLE,
    **TEXTS,
}
NUMBERED: Shape = {"prefix": TEXT, "first": WHOLE, "last": WHOLE}


def _problems(
    data: Mapping, shape: Shape, path: str, say: Callable[[str], None], closed: bool = False
) -> None:
    """Each key of `data` that `shape` knows, checked for its type (and its contents');
    `closed`: a key it does not know is a problem too (a typo must not be ignored)."""
    if closed:
        for key in sorted(set(data) - set(shape), key=str):
            say(f"{path}.{key}: not a key of {path} (known: {', '.join(shape)})")
    for key, expected in shape.items():
        value = data.get(key)
        if value is None:
            continue
        where = f"{path}.{key}" if path else str(key)
        expected, inner = expected if isinstance(expected, tuple) else (expected, None)
        if not _is(value, expected):
            say(f"{where}: must be {expected}, not {_seen(value)}")
        elif inner is not None:
            inner(value, where, say)


def _each(entry_type: str, shape: Shape | None = None, closed: bool = True) -> Callable:
    """A list's (or mapping's values') entries, each of `entry_type` (with `shape`)."""

    def check(value: list | dict, where: str, say: Callable[[str], None]) -> None:
        entries = value.items() if isinstance(value, dict) else enumerate(value)
        for index, entry in entries:
            at = f"{where}.{index}" if isinstance(value, dict) else f"{where}[{index}]"
            if not _is(entry, entry_type):
                say(f"{at}: must be {entry_type}, not {_seen(entry)}")
            elif shape is not None:
                _problems(entry, shape, at, say, closed)

    return check


def _within(shape: Shape, closed: bool = True) -> Callable:
    def check(value: dict, where: str, say: Callable[[str], None]) -> None:
        _problems(value, shape, where, say, closed)

    return check


def _text_or(shape: Shape) -> Callable:
    def check(value: str | dict, where: str, say: Callable[[str], None]) -> None:
        if isinstance(value, dict):
            _problems(value, shape, where, say, closed=shape is not CODE_LIST_SHAPE)

    return check


CODE_LIST_SHAPE: Shape = {
    "codes": (LIST, _each(MAPPING, CODE)),
    "rule": TEXT,
    "message": TEXT,
    "blank": SCALAR,
    "synonyms": (MAPPING, _each(SCALAR)),
    "normalise": TEXT,
    **TEXTS,
}
WINDOW: Shape = {
    "from": (MAPPING, _within(OFFSET, closed=False)),  # its keys: check.py:_offset
    "to": (MAPPING, _within(OFFSET, closed=False)),
    "rule": TEXT,
    "message": TEXT,
}
COLUMN: Shape = {
    "name": TEXT,
    "title": TEXT,
    "type": TEXT,
    "required": FLAG,
    "identifier": (TEXT_OR_MAPPING, _text_or(IDENTIFIER)),
    "show_rejected": FLAG,
    "aliases": (LIST, _each(TEXT)),
    "codes": (TEXT_OR_MAPPING, _text_or(CODE_LIST_SHAPE)),
    "format": (TEXT_OR_MAPPING, _text_or(FORMAT)),
    "window": (MAPPING, _within(WINDOW)),
    "range": (MAPPING, _within(RANGE)),
    "invalid": TEXT,
    **TEXTS,
}
ROW_RULE: Shape = {
    "rule": TEXT,
    "columns": (LIST, _each(TEXT)),
    "check": TEXT,
    "seeds": (LIST, _each(TEXT)),
    "message": TEXT,
    **TEXTS,
}
TOP: Shape = {
    "source": TEXT,
    "title": TEXT,
    "description": TEXT,
    "period": TEXT,
    "stream": TEXT,
    "label": TEXT,
    "landing_order": WHOLE,
    "counted_when": TEXT,
    "starts_late": FLAG,
    "declared_start": (
        MAPPING,
        _within({"seed": TEXT, "column": TEXT, "per": TEXT, "due_with": TEXT}),
    ),
    "raw_table": (MAPPING, _within(RAW_TABLE)),
    "also_tables": (LIST, _each(MAPPING, RAW_TABLE)),
    "code_lists": (MAPPING, _each(MAPPING, CODE_LIST_SHAPE, closed=False)),
    "key": (
        MAPPING,
        _within(
            {
                **KEY,
                "columns": (LIST, _each(TEXT)),
                "across_periods": (MAPPING, _within({"rule": TEXT, "message": TEXT})),
            }
        ),
    ),
    "matching": (LIST, _each(MAPPING, MATCH)),
    "placement": (MAPPING, _within(PLACEMENT)),
    "consent": (MAPPING, _each(TEXT)),
    "items": (MAPPING, _within(ITEMS)),
    "free_text": (MAPPING, _within(FREE_TEXT)),
    "headers": (MAPPING, _within({"numbered": (MAPPING, _within(NUMBERED))})),
    "row_rules": (LIST, _each(MAPPING, ROW_RULE)),
    "columns": LIST,  # each column below, named by the file that gave it
}


def column_shape_problems(entry: Any, where: str) -> list[str]:
    """A column's keys checked for their types: 'where.key: must be ..., not ...'."""
    problems: list[str] = []
    if not isinstance(entry, dict):
        return [f"{where}: must be a mapping (name:, type:, ...), not {_seen(entry)}"]
    _problems(entry, COLUMN, where, lambda line: problems.append(line))
    return problems


def shape_problems(data: dict, shown: str, origins: Mapping[str, str]) -> list[str]:
    """Every key of a (merged) spec checked for its type; a column's problems name the file
    that gave it (`origins`: column name -> file, for a column a year file added or
    changed; else `shown`, the base)."""
    problems: list[str] = []
    _problems(data, TOP, "", lambda line: problems.append(f"{shown}: {line}"))
    columns = data.get("columns")
    for position, entry in enumerate(columns if isinstance(columns, list) else []):
        name = entry.get("name") if isinstance(entry, dict) else None
        where = f"columns[{position}]"
        source = origins.get(name, shown) if isinstance(name, str) else shown
        problems += [f"{source}: {line}" for line in column_shape_problems(entry, where)]
    return problems
