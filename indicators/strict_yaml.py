"""YAML as people write Chorus's declarations, read without YAML 1.1's surprises.

`load(text_or_path, shown)` reads one document with PyYAML's safe loader (libyaml's where
PyYAML has it) and:

- refuses a key given twice in one mapping (PyYAML keeps the last one silently), naming the
  key and its line;
- reads `yes`, `no`, `on`, `off` (any case) as the text written, not as true or false (only
  `true` and `false` are booleans: a code `NO` or a synonym key `YES` stays text), and `010`
  as the text `010`, not the octal number 8 (nor `1:30` as the number 90);
- gives every problem as ONE line naming the file, line and column (a tab, a syntax error,
  a byte that is not UTF-8).

Problems raise `StrictYAMLError` (a ValueError) whose text is that one line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
INT = re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$")
FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?"
    r"|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_REPLACED = {"tag:yaml.org,2002:bool": BOOL, "tag:yaml.org,2002:int": INT}


class StrictYAMLError(ValueError):
    """A declaration that cannot be read: the message is one line naming file and line."""


def _resolvers() -> dict:
    """The safe loader's implicit resolvers with YAML 1.1's yes/no/on/off booleans, octal
    and base-60 numbers taken out (they read as the text written)."""
    table: dict = {}
    for first, entries in _BASE.yaml_implicit_resolvers.items():
        kept = []
        for tag, pattern in entries:
            if tag == "tag:yaml.org,2002:float":
                pattern = FLOAT
            kept.append((tag, _REPLACED.get(tag, pattern)))
        table[first] = kept
    return table


class StrictLoader(_BASE):  # type: ignore[misc, valid-type]
    """A safe loader that refuses duplicate keys and reads YAML 1.1's surprises as text."""

    yaml_implicit_resolvers = _resolvers()

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                line = seen.get(key)
            except TypeError:
                continue  # an unhashable key: the constructor says so below
            if line is not None:
                raise StrictYAMLError(
                    f"line {key_node.start_mark.line + 1}: key '{key}' is given twice in one "
                    f"mapping (first on line {line}): keep one"
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


StrictLoader.add_constructor("tag:yaml.org,2002:map", StrictLoader.construct_yaml_map)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def load(source: str | Path, shown: str) -> Any:
    """The document in `source` (a Path is read as UTF-8; a str is the YAML itself).
    `shown` names it in messages (sources/voice/base.yml)."""
    if isinstance(source, Path):
        raw = source.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise StrictYAMLError(
                f"{shown}: line {line}: byte 0x{raw[error.start]:02x} is not UTF-8: save the "
                "file as UTF-8"
            ) from None
    else:
        text = source
    try:
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a safe loader
    except StrictYAMLError as error:
        raise StrictYAMLError(f"{shown}: {error}") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = _one_line(error.problem or error.context or "not readable")
        lines = text.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line]:
            what += " (the line has a tab: indent with spaces)"
        raise StrictYAMLError(f"{shown}: {where}not readable YAML: {what}") from None
    except yaml.YAMLError as error:
        raise StrictYAMLError(f"{shown}: not readable YAML: {_one_line(error)}") from None
