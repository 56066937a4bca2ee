"""The keys a framework file (dbt_project/frameworks/*.yml) may have, and of what type, and
reading one: UTF-8 YAML whose mappings give each key once.

`read_framework_file` reads a file (one line naming the file, and the line or key, when it
cannot: not UTF-8, not YAML, a key given twice); `shape_problem` names the first key of a
document that is not a known one (with the keys known there and a "did you mean") or whose
value is not of its type. frameworks.py reads and checks every framework with them before
it uses any value, so no key is silently ignored and no value of the wrong type gets to a pack.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path

import yaml

TEXT = "text"
NUMBER = "a number"
ANY_KEY = "*"
"""In a mapping of the schema: any key (a text) is allowed, each with this value's type."""

SCHEMA: dict[str, object] = {
    "id": TEXT,
    "title": TEXT,
    "subject": TEXT,
    "audience": {
        "name": TEXT,
        "levels": {"authority": TEXT, "areas": TEXT},
        "pack_titles": {"authority": TEXT, "areas": TEXT},
    },
    "packs_under": TEXT,
    "indicators": [TEXT],
    "headline": {
        "indicator": TEXT,
        "heading": TEXT,
        "ambition": {"value": NUMBER, "label": TEXT, "line": TEXT, "row": TEXT, "source": TEXT},
        "words": {
            "none": TEXT,
            "figure": TEXT,
            "caution": TEXT,
            "title": TEXT,
            "value_column": TEXT,
            "count_column": TEXT,
            "count_sheet": [TEXT],
            "england_note": TEXT,
        },
    },
    "sections": [TEXT],
    "who_we_heard": {
        "section": TEXT,
        "heading": TEXT,
        "indicators": [TEXT],
        "reach": TEXT,
        "channels": TEXT,
        "groups": TEXT,
        "groups_breakdown": TEXT,
        "cohort_shares": {ANY_KEY: TEXT},
        "words": {"no_survey": TEXT, "who_answered": TEXT, "limits": TEXT},
    },
    "trend_charts": {"sections": [TEXT], "indicators": [TEXT]},
    "breakdowns": {"items": TEXT, "domains": TEXT, "answers": TEXT, "folded": [TEXT]},
    "glance": [{"section": TEXT, "indicator": TEXT, "breakdown": TEXT}],
}
"""Every key a framework may have. A key left out, or given with no value (null), takes its
default; `id`, `title`, `audience`, `indicators` and `headline` are required (frameworks.py)."""


class DuplicateKey(yaml.YAMLError):
    """A mapping of a framework gives one key twice."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: dict[object, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                line = key_node.start_mark.line + 1
                try:
                    first = seen.setdefault(key, line)
                except TypeError:  # an unhashable key: SafeLoader's own error names it
                    continue
                if first != line:
                    raise DuplicateKey(
                        f"`{key}` is given twice (lines {first} and {line}): keep one"
                    )
        return super().construct_mapping(node, deep=deep)


def read_framework_file(path: Path, shown: str) -> object:
    """The YAML document in `path`; ValueError with one line naming `shown` when the file
    cannot be read, is not UTF-8, is not YAML or gives a key twice in one mapping."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValueError(f"{shown}: cannot be read ({error.strerror or error})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValueError(
            f"{shown}: line {line}: byte 0x{data[error.start]:02x} is not UTF-8 text: "
            "save the file as UTF-8"
        ) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except DuplicateKey as error:
        raise ValueError(f"{shown}: {error}") from None
    except yaml.YAMLError as error:
        detail = " ".join(str(error).strip().splitlines()[:2])
        raise ValueError(f"{shown}: cannot be read as YAML ({detail})") from None


def _kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no)"
    return f"{value!r} (a number)" if isinstance(value, int | float) else repr(value)


def _wanted(schema: object) -> str:
    if isinstance(schema, dict):
        return "a mapping of keys (" + ", ".join(k for k in schema if k != ANY_KEY) + ")"
    if isinstance(schema, list):
        return f"a list of {'mappings' if isinstance(schema[0], dict) else 'texts'}"
    return "a number" if schema == NUMBER else "a text (in quotes if it looks like another type)"


def shape_problem(value: object, schema: object = SCHEMA, path: str = "") -> str | None:
    """'<key path>: <what is wrong>' for the first key of `value` that `schema` does not know
    or whose value is not of its type, or None. A null value is a key left out."""
    if value is None and path:
        return None
    where = path or "the file"
    if isinstance(schema, dict):
        if not isinstance(value, Mapping):
            return f"{where}: must be {_wanted(schema)}, not {_kind(value)}"
        known = [k for k in schema if k != ANY_KEY]
        for key, item in value.items():
            key_path = f"{path}.{key}" if path else str(key)
            if ANY_KEY in schema:
                if not isinstance(key, str):
                    return f"{key_path}: the key must be a text, not {_kind(key)}"
                sub = schema[ANY_KEY]
            elif key not in schema:
                close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
                hint = f"; did you mean `{close[0]}`?" if close else ""
                under = f"under {path}" if path else "at the top"
                return f"{key_path}: unknown key (the keys known {under}: {', '.join(known)}{hint})"
            else:
                sub = schema[key]
            problem = shape_problem(item, sub, key_path)
            if problem:
                return problem
        return None
    if isinstance(schema, list):
        if not isinstance(value, list):
            return f"{where}: must be {_wanted(schema)}, not {_kind(value)}"
        for position, item in enumerate(value):
            if item is None:
                return f"{where}[{position}]: is empty: must be {_wanted(schema[0])}"
            problem = shape_problem(item, schema[0], f"{where}[{position}]")
            if problem:
                return problem
        return None
    if schema == NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{where}: must be a number, not {_kind(value)}"
        return None
    if not isinstance(value, str):
        return f"{where}: must be {_wanted(schema)}, not {_kind(value)}"
    return None
