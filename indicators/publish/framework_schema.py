"""The keys a framework file (dbt_project/frameworks/*.yml) may have, and of what type, and
reading one: UTF-8 YAML whose mappings give each key once.

`read_framework_file` reads a file with `indicators/strict_yaml.py`, as the source specs
are read (one line naming the file and the line when it cannot: not UTF-8, not YAML, a
key given twice); `shape_problem` names the first key of a
document that is not a known one (with the keys known there and a "did you mean") or whose
value is not of its type. frameworks.py reads and checks every framework with them before
it uses any value, so no key is silently ignored and no value of the wrong type gets to a pack.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path

from indicators.strict_yaml import load

TEXT = "text"
NUMBER = "a number"
YES_NO = "true or false"
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
        "area_packs": YES_NO,
        "authority_word": TEXT,
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
    "words": {
        "how_to_read": [TEXT],
        "glance_none": TEXT,
        "glance_note": TEXT,
        "limits": [TEXT],
        "limits_hidden": TEXT,
        "limits_low": TEXT,
        "limits_small": TEXT,
        "limits_part_periods": TEXT,
        "why_hidden": TEXT,
        "quotes_column": TEXT,
        "dependent_counts": TEXT,
        "key": {ANY_KEY: TEXT},
    },
    "beside": [
        {
            "section": TEXT,
            "heading": TEXT,
            "first": {"indicator": TEXT, "breakdown": TEXT, "group": TEXT, "label": TEXT},
            "second": {"indicator": TEXT, "breakdown": TEXT, "group": TEXT, "label": TEXT},
            "words": {"made": TEXT, "not_made": TEXT},
        }
    ],
    "side_by_side": [
        {
            "section": TEXT,
            "heading": TEXT,
            "breakdown": TEXT,
            "intro": TEXT,
            "columns": [{"indicator": TEXT, "label": TEXT}],
        }
    ],
    "group_charts": [
        {
            "section": TEXT,
            "heading": TEXT,
            "indicator": TEXT,
            "breakdown": TEXT,
            "alt": TEXT,
            "intro": TEXT,
        }
    ],
    "statements": {
        "frame": TEXT,
        "heading": TEXT,
        "breakdowns": {ANY_KEY: TEXT},
        "source": [TEXT],
        "only": {ANY_KEY: TEXT},
        "note": TEXT,
        "explains": [{"indicators": [TEXT], "only": {ANY_KEY: TEXT}, "hidden_with": [TEXT]}],
    },
    "markers": [{"from": TEXT, "date": TEXT, "label": TEXT, "areas": TEXT}],
    "funnels": [{"section": TEXT, "heading": TEXT, "indicator": TEXT, "intro": TEXT, "alt": TEXT}],
}
"""Every key a framework may have. A key left out, or given with no value (null), takes its
default; `id`, `title`, `audience`, `indicators` and `headline` are required (frameworks.py)."""


def read_framework_file(path: Path, shown: str) -> object:
    """The YAML document in `path`, read as every declaration is (`strict_yaml.load`: a key
    given twice, a byte that is not UTF-8, a syntax error or a tab refused in one line naming
    `shown` and the line; `yes`/`no` and `010` read as the text written); ValueError with
    one line naming `shown` when the file cannot be opened either."""
    try:
        return load(path, shown)
    except OSError as error:
        raise ValueError(f"{shown}: cannot be read ({error.strerror or error})") from None


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
    if schema == YES_NO:
        return "true or false"
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
    if schema == YES_NO:
        if not isinstance(value, bool):
            return f"{where}: must be true or false, not {_kind(value)}"
        return None
    if schema == NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{where}: must be a number, not {_kind(value)}"
        return None
    if not isinstance(value, str):
        return f"{where}: must be {_wanted(schema)}, not {_kind(value)}"
    return None
