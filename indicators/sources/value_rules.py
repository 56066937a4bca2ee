"""The value rules a source spec's column declares (`format:`, `window:` with its offsets,
`range:`), checked and built (used by `indicators.sources.check`); each problem is one line
naming the column and key."""

from __future__ import annotations

import re
from typing import Any

from indicators.sources.spec import NAMED_FORMATS, Format, Offset, Range, Window

LONGEST_OFFSET_YEARS = 100
"""A window's offset beyond this is refused (a date 9000 years on cannot be computed)."""


def text(value: Any) -> str:
    """A YAML value as one line of text ("" for none)."""
    return " ".join(str(value).split()) if value is not None else ""


def parse_format(entry: Any, where: str, problems: list[str]) -> Format | None:
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
        message=text(entry.get("message")),
        named=named,
        pattern=None if pattern is None else str(pattern),
    )


def parse_offset(entry: Any, where: str, problems: list[str]) -> Offset:
    if not isinstance(entry, dict) or set(entry) - {"years", "months", "days"}:
        problems.append(f"{where}: an offset from the period's start: years:, months:, days:")
        return Offset()
    try:
        offset = Offset(**{key: int(value) for key, value in entry.items()})
    except (TypeError, ValueError):
        problems.append(f"{where}: years, months and days must be whole numbers")
        return Offset()
    days = offset.years * 366 + offset.months * 31 + offset.days
    if abs(days) > LONGEST_OFFSET_YEARS * 366:
        problems.append(
            f"{where}: more than {LONGEST_OFFSET_YEARS} years from the period's start: a "
            "window is within a child's or a service's lifetime"
        )
        return Offset()
    return offset


def parse_window(entry: Any, where: str, problems: list[str]) -> Window | None:
    if entry is None:
        return None
    if not isinstance(entry, dict) or not {"from", "to", "rule", "message"} <= set(entry):
        problems.append(f"{where}: window: needs from:, to:, rule: and message:")
        return None
    message = text(entry["message"])
    try:
        message.format(period="", first="", last="")
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        problems.append(f"{where}: window.message: may use only {{period}}, {{first}}, {{last}}")
    return Window(
        parse_offset(entry["from"], f"{where}: window.from", problems),
        parse_offset(entry["to"], f"{where}: window.to", problems),
        str(entry["rule"]),
        message,
    )


def parse_range(entry: Any, where: str, problems: list[str]) -> Range | None:
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
    return Range(least, most, str(entry["rule"]), text(entry["message"]))
