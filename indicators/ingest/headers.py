"""Column headers as a return writes them -> the canonical columns Chorus reads.

Headers are matched case-insensitively, with spaces and punctuation read as underscores,
then through the LA's aliases (seeds/column_aliases.csv: `Gender` reads as `sex`), the
kind's numbered headers (`ELG 9` reads as elg09) and its spec's own `aliases:`. Two headers
giving one of a kind's columns reject the file (indicators/ingest/readers.py reads it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from indicators.ingest.defects import FileRejected
from indicators.ingest.file_rows import file_rejected
from indicators.sources.load import load_sources

Aliases = Mapping[str, Mapping[str, str]]
"""source ('eyfsp', 'census', 'voice' or '*') -> {canonical alias: canonical column}."""


def kind_columns() -> dict[str, tuple[str, ...]]:
    """The columns Chorus uses from each kind of return whose columns are all in its spec
    (a survey's items come from its item bank): two source columns giving one of these is
    a defect; other repeated columns are kept apart (`notes`, `notes_2`) and ignored."""
    return {kind: spec.names for kind, spec in load_sources().items() if not spec.items}


def _numbered(kind: str | None) -> tuple[re.Pattern, str, int, int] | None:
    """A kind's numbered headers (`headers.numbered` in its spec): `ELG 9` reads as elg09."""
    spec = load_sources().get(kind or "")
    if spec is None or spec.numbered_headers is None:
        return None
    prefix, first, last = spec.numbered_headers
    pattern = re.compile(rf"{re.escape(prefix)}_?0*(\d{{1,2}})(?:_(.+))?")
    return pattern, prefix, first, last


def canonical_header(name: str) -> str:
    """'Date of Birth ' -> 'date_of_birth'; headers are matched case-insensitively."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def column_letter(position: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA': the column as a spreadsheet labels it."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _alias_table(kind: str | None, aliases: Aliases | None) -> dict[str, str]:
    """The aliases that apply to one kind of return: its own over those for any ('*')."""
    if not aliases:
        return {}
    table = dict(aliases.get("*", {}))
    if kind:
        table.update(aliases.get(kind, {}))
    return table


def resolve_header(header: str, kind: str | None, table: Mapping[str, str], display: str) -> str:
    """The canonical column a header gives: through the aliases, then numbered headers
    (`ELG 9`, as the kind's spec declares them)."""
    name = canonical_header(header)
    if name in table:
        return table[name]
    numbering = _numbered(kind)
    if numbering is None:
        return name
    pattern, prefix, first, last = numbering
    numbered = pattern.fullmatch(name)
    if numbered and first <= int(numbered.group(1)) <= last:
        column = f"{prefix}{int(numbered.group(1)):02d}"
        named = table.get(numbered.group(2) or "", column)
        if named != column and named.startswith(prefix):
            raise file_rejected(
                display,
                "column_ambiguous",
                f"the header '{header}' gives {prefix.upper()} number {int(numbered.group(1))} "
                f"({column}) but names another goal ({named}): correct the header "
                "and land the file again",
                column=column,
                value=header,
            )
        return column
    return name


def _spec_aliases(kind: str | None, resolved: Sequence[str]) -> dict[str, str]:
    """The `aliases:` a kind's spec gives its columns (`CHILD` reads as child_id), for a
    header that is not a column of the spec itself, when the column is not in the file under
    its own name; the LA's seeds/column_aliases.csv is applied first. The voice survey reads
    its own (survey_columns.apply_aliases)."""
    spec = load_sources().get(kind or "")
    if spec is None or spec.items:
        return {}
    present = set(resolved)
    return {
        alias: column
        for alias, column in spec.header_aliases.items()
        if alias not in spec.names and column not in present
    }


def map_headers(
    headers: Sequence[str], kind: str | None, aliases: Aliases | None, display: str
) -> list[str | None]:
    """Canonical names for the header cells (None for blank ones); conflicts reject the file."""
    table = _alias_table(kind, aliases)
    protected = set(kind_columns().get(kind or "", ()))
    resolved = [
        resolve_header(header, kind, table, display) if header.strip() else "" for header in headers
    ]
    own = _spec_aliases(kind, resolved)
    names: list[str | None] = []
    seen: dict[str, int] = {}
    for position, header in enumerate(headers):
        name = own.get(resolved[position], resolved[position])
        if not name:
            names.append(None)
            continue
        if name in seen:
            first = seen[name]
            if not protected or name in protected:
                raise file_rejected(
                    display,
                    "duplicate_column",
                    f"columns '{headers[first].strip()}' ({column_letter(first)}) and "
                    f"'{header.strip()}' ({column_letter(position)}) both give {name}: keep one "
                    "of them (headers are matched through seeds/column_aliases.csv) and land "
                    "the file again",
                    column=name,
                    value=f"{headers[first].strip()}, {header.strip()}",
                )
            suffix = 2
            while f"{name}_{suffix}" in seen:
                suffix += 1
            name = f"{name}_{suffix}"
        seen[name] = position
        names.append(name)
    return names


def _named(cells: Sequence[str], kind: str | None, aliases: Aliases | None) -> set[str]:
    """The columns a row names, read as map_headers reads a header (a conflict is for
    map_headers to report)."""
    table = _alias_table(kind, aliases)
    resolved = []
    for cell in cells:
        try:
            resolved.append(resolve_header(cell, kind, table, "") if cell.strip() else "")
        except FileRejected:
            resolved.append(canonical_header(cell))
    spec = load_sources().get(kind or "")
    if spec is not None and spec.items:  # the voice survey's own (survey_columns.apply_aliases)
        own = {
            alias: column
            for alias, column in spec.header_aliases.items()
            if alias not in spec.names
        }
    else:
        own = _spec_aliases(kind, resolved)
    return {own.get(name, name) for name in resolved}


def names_required(cells: Sequence[str], kind: str | None, aliases: Aliases | None) -> bool:
    """Whether a row names every column the kind requires (as its spec's and the LA's aliases
    read): such a row is the header whatever else it holds (ONS's postcode lookups have a
    column `oa21cd`, which reads as the postcode OA2 1CD). A row of a child's details never
    names them all, though a value may be one of them (`concern`, a code, is also an alias
    of parent_concern). False for a kind that requires no column."""
    spec = load_sources().get(kind or "")
    if spec is None or not spec.required:
        return False
    return set(spec.required) <= _named(cells, kind, aliases)


def names_none(cells: Sequence[str], kind: str | None, aliases: Aliases | None) -> bool:
    """Whether a row names none of the columns the kind's spec declares: then it is no
    header, and its cells (a child's details, a family's words) are never repeated in a
    message. False for a kind without a spec, or whose columns are an item bank's."""
    spec = load_sources().get(kind or "")
    if spec is None or spec.items or not spec.names:
        return False
    return not set(spec.names) & _named(cells, kind, aliases)
