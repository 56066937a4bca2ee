"""A spec's `free_text:` checked: the voice survey's comments (`columns: "{item}_comment"`,
one per item, read by its engine) or, on a source loaded by the standalone engine, one
declared column of free text, or a list of them (indicators/ingest/standalone_text.py),
with the same keys:

    free_text:
      columns: note            # a column of the spec: type text, identifier keep (or a
                               # list: [home_statement, family_statement], one consent)
      consent: consent_quote   # a column of the spec: the text is kept only where it is Y
      scrub: true              # always (false is refused)
      longest: 2000            # characters a value may hold (default 2000)
      doc: ...

Each problem is one line naming the file, the key path and what is wrong."""

from __future__ import annotations

from collections.abc import Sequence

from indicators.sources.spec import Column

ENGINES = ("voice", "standalone")
"""The engines that scrub free text and gate it by consent."""


def free_text_problems(data: dict, shown: str, columns: Sequence[Column]) -> list[str]:
    """What is wrong with `data`'s `free_text:` (nothing when it has none)."""
    free = data.get("free_text")
    if free is None:
        return []
    stream = data.get("stream")
    if stream not in ENGINES:
        return [
            f"{shown}: free_text: only the voice and standalone engines scrub free text and "
            "gate it by consent: leave free_text: out (and keep free-text columns out of "
            "columns:, or drop them: identifier: drop)"
        ]
    if stream == "voice" or data.get("items"):
        return []  # the survey's comments, one per item: its engine's own checks
    by_name = {column.name: column for column in columns}
    names = {
        str(entry.get("name")) for entry in data.get("columns") or [] if isinstance(entry, dict)
    }
    problems = []
    declared = free.get("columns")
    if declared is None or declared == []:
        problems.append(f"{shown}: free_text.columns: missing: name the column of free text")
    listed = declared if isinstance(declared, list) else [] if declared is None else [declared]
    for name in listed:
        if not isinstance(name, str):
            problems.append(f"{shown}: free_text.columns: each entry must be a column's name")
        elif name not in names:
            problems.append(
                f"{shown}: free_text.columns: '{name}' is not a column: declare it under "
                "columns: (type: text, identifier: keep)"
            )
        elif name in by_name:
            problems.extend(_text_column_problems(shown, by_name[name]))
    consent = free.get("consent")
    if consent is None:
        problems.append(
            f"{shown}: free_text.consent: missing: name the column whose Y allows the text "
            "to be kept (blank or anything else: not kept)"
        )
    elif consent not in names:
        problems.append(f"{shown}: free_text.consent: '{consent}' is not a column")
    elif consent in listed:
        problems.append(f"{shown}: free_text.consent: must be another column than the text")
    if free.get("scrub") is False:
        problems.append(
            f"{shown}: free_text.scrub: free text is always scrubbed: set scrub: true or "
            "leave it out"
        )
    if free.get("longest") is not None and int(free["longest"]) < 1:
        problems.append(f"{shown}: free_text.longest: must be 1 or more characters")
    return problems


def _text_column_problems(shown: str, column: Column) -> list[str]:
    problems = []
    name = column.name
    if column.type != "text" or column.identifier.handling != "keep":
        problems.append(
            f"{shown}: free_text.columns: '{name}' must be type: text and identifier: keep "
            f"(not {column.type}, {column.identifier.handling}): its text is scrubbed, "
            "then kept"
        )
    if column.show_rejected:
        problems.append(
            f"{shown}: free_text.columns: '{name}' has show_rejected: true: free text is "
            "never shown in the rejected-rows report"
        )
    return problems
