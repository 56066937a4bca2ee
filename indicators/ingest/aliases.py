"""The LA's header aliases (seeds/column_aliases.csv, or the landing area's own): which
header a return may use for each column Chorus reads (`Gender` for `sex`), per source.

A row with a problem is reported on its own (`read_aliases`); a run or `chorus validate`
with any problem in the seed stops with every one of them (`AliasesInvalid`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from indicators.ingest.defects import Defect, FileRejected
from indicators.ingest.file_rows import file_rejected
from indicators.ingest.headers import canonical_header, kind_columns
from indicators.ingest.readers import read_table
from indicators.sources.load import load_sources


def alias_sources() -> tuple[str, ...]:
    """The sources an alias may name: every kind with a spec, or `*` for any."""
    return (*load_sources(), "*")


ALIASES_REQUIRED = ("source", "alias", "canonical")
ALIASES_FILE = "column_aliases"


# ------------------------------------------------------------------------------------ Aliases


class AliasesInvalid(ValueError):
    """seeds/column_aliases.csv has problems: `defects` says which rows and why."""

    def __init__(self, defects: Sequence[Defect]):
        super().__init__("; ".join(str(defect) for defect in defects))
        self.defects = list(defects)


def read_aliases(
    path: Path, display: str | None = None
) -> tuple[dict[str, dict[str, str]], list[Defect]]:
    """The alias seed as {source: {canonical alias: canonical}}, and every problem in it.

    Rows with problems are left out; an alias given two different columns for one source is
    a problem on each of its rows.
    """
    display = display or f"seeds/{path.name}"
    frame = read_table(path, display)
    missing = [column for column in ALIASES_REQUIRED if column not in frame.columns]
    if missing:
        raise file_rejected(
            display,
            "required_columns",
            f"required column(s) missing: {', '.join(missing)}: the alias seed needs "
            "source, alias, canonical",
            column=", ".join(missing),
        )
    defects: list[Defect] = []
    entries: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
    columns_of = kind_columns()
    known = {column for columns in columns_of.values() for column in columns}
    for source, alias, canonical, row in zip(
        frame["source"], frame["alias"], frame["canonical"], frame["_source_row"], strict=True
    ):
        source_key, alias_key = source.strip().lower(), canonical_header(alias)
        target = canonical_header(canonical)
        problem = _alias_problem(source_key, alias_key, target, known, columns_of)
        if problem:
            column, message = problem
            value = {"source": source, "alias": alias, "canonical": canonical}[column].strip()
            defects.append(
                Defect(
                    display,
                    int(row),
                    column,
                    value,
                    f"alias_{column}",
                    f"{column} is '{value}': {message}",
                )
            )
            continue
        entries.setdefault((source_key, alias_key), []).append((int(row), alias.strip(), target))
    table: dict[str, dict[str, str]] = {}
    for (source_key, alias_key), found in entries.items():
        targets = sorted({target for _, _, target in found})
        if len(targets) > 1:
            listed = "; ".join(f"row {row} -> {target}" for row, _, target in found)
            defects.extend(
                Defect(
                    display,
                    row,
                    "alias",
                    alias,
                    "alias_conflict",
                    f"alias '{alias}' for {source_key} gives more than one column "
                    f"({listed}): keep one",
                )
                for row, alias, _ in found
            )
            continue
        table.setdefault(source_key, {})[alias_key] = targets[0]
    return table, defects


def _alias_problem(
    source: str,
    alias: str,
    canonical: str,
    known: set[str],
    columns_of: dict[str, tuple[str, ...]],
) -> tuple[str, str] | None:
    sources = alias_sources()
    if source not in sources:
        return "source", f"the source must be one of {', '.join(sources)}"
    if not alias:
        return "alias", "the alias is blank: give the header as the return writes it"
    if not canonical:
        return "canonical", "the canonical column is blank: give the Chorus column it stands for"
    if source in columns_of and canonical not in columns_of[source]:
        return "canonical", (
            f"it is not a column of the {source} return (columns: {', '.join(columns_of[source])})"
        )
    if source == "*" and canonical not in known:
        return "canonical", (
            "it is not a column of any return Chorus reads: use source voice for a voice column"
        )
    return None


def load_aliases(path: Path | None) -> dict[str, dict[str, str]]:
    """The alias seed, or no aliases when there is no file; any problem raises AliasesInvalid."""
    if path is None or not path.is_file():
        return {}
    try:
        table, defects = read_aliases(path)
    except FileRejected as rejected:
        raise AliasesInvalid([rejected.defect]) from None
    if defects:
        raise AliasesInvalid(defects)
    return table


def aliases_file(seeds: Path, landing: Path | None = None) -> Path:
    """column_aliases.csv from the landing area's seeds/ if it brings one, else `seeds`."""
    if landing is not None and (landing / "seeds" / f"{ALIASES_FILE}.csv").is_file():
        return landing / "seeds" / f"{ALIASES_FILE}.csv"
    return seeds / f"{ALIASES_FILE}.csv"
