"""A standalone source's `row_rules:` applied to a file's rows (indicators/sources/row_rules.py
reads them from the spec): each row whose check is false is a defect naming the file, the
row, the rule's columns and the rule, and goes to quarantine like any other.

The columns are typed as the spec declares them (numbers, dates as `chorus validate` reads
them: 2024-11-05 or 05/11/2024, codes as their code list reads them); a blank, or a value
that already broke its column's own rule on that row, is NULL, so a rule whose columns are
not all there does not apply (the column's own defect says what is wrong); and a row on
which one of the rule's columns broke its own rule is not reported by the rule, even when
its check is false with that value NULL: a check that asks for a blank (`review_date IS NOT
NULL OR ...`) cannot tell a blank from a value already rejected, and would say a date is
missing beside the defect that says it is malformed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from indicators.config import ChorusSettings
from indicators.ingest.cells import parse_dates
from indicators.ingest.defects import Defect, printable
from indicators.sources.row_rules import RowCheck, connect, failing_query
from indicators.sources.spec import SourceSpec


def typed(values: pd.Series, kind: str) -> pd.Series:
    """A column's text as its check reads it: blank is NULL."""
    text = values.fillna("").astype(str).str.strip()
    if kind == "number":
        return pd.to_numeric(text.where(text != ""), errors="coerce")
    if kind == "date":
        return parse_dates(text)
    return text.where(text != "")


def row_rule_defects(
    spec: SourceSpec,
    frame: pd.DataFrame,
    file: str,
    defects: Sequence[Defect] = (),
    as_written: pd.DataFrame | None = None,
    seeds: Path | None = None,
    *,
    row_files: Sequence[str] | None = None,
) -> list[Defect]:
    """The defects of the spec's row rules in one file's `frame` (with `_source_row`, code
    columns as their lists read them); `defects` already found on it set their cells to
    NULL; `as_written` gives the values messages quote; `seeds` the seeds folder (default
    CHORUS_SEEDS). `row_files`, when given, names each row's file (a frame of many files'
    rows, checked at once) in place of `file`: each file's defects, taken in the order
    found, are then those checking it alone gives."""
    if not spec.row_rules or frame.empty:
        return []
    folder = seeds or ChorusSettings.from_env().seeds
    files = (
        np.full(len(frame), file, dtype=object)
        if row_files is None
        else np.asarray(row_files, dtype=object)
    )
    broken = {(d.file, d.row, d.column) for d in defects if d.row is not None}
    rows = frame["_source_row"].to_numpy()
    written = frame if as_written is None else as_written
    found: list[Defect] = []
    for check in spec.row_rules:
        try:
            found.extend(_failing(check, spec, frame, rows, files, broken, written, folder))
        except duckdb.Error as error:
            if len(set(files)) > 1:  # a value one file holds may be what the check cannot take
                found.extend(
                    _file_by_file(check, spec, frame, rows, files, broken, written, folder)
                )
                continue
            found.append(_not_checked(check, files[0], folder, error))
    return found


def _not_checked(check: RowCheck, file: str, folder: Path, error: duckdb.Error) -> Defect:
    """An LA's seed edited out of shape (CHORUS_SEEDS), or a check that cannot read a value."""
    reason = " ".join(str(error).split())[:300]
    return Defect(
        file,
        None,
        None,
        check.rule,
        "row_rule_not_checked",
        f"the row rule {check.rule} could not be checked with the seeds in "
        f"{folder} ({reason}): the file's rows were not checked by it; put the "
        "seed right and load the file again",
    )


def _file_by_file(
    check: RowCheck,
    spec: SourceSpec,
    frame: pd.DataFrame,
    rows: np.ndarray,
    files: np.ndarray,
    broken: set[tuple[str, int | None, str | None]],
    written: pd.DataFrame,
    folder: Path,
) -> list[Defect]:
    """One check over many files' rows, a file at a time (the check failed on them all)."""
    found: list[Defect] = []
    for name in dict.fromkeys(files):
        own = files == name
        try:
            found.extend(
                _failing(
                    check,
                    spec,
                    frame[own],
                    rows[own],
                    files[own],
                    broken,
                    written[own],
                    folder,
                )
            )
        except duckdb.Error as error:
            found.append(_not_checked(check, name, folder, error))
    return found


def _failing(
    check: RowCheck,
    spec: SourceSpec,
    frame: pd.DataFrame,
    rows: np.ndarray,
    files: np.ndarray,
    broken: set[tuple[str, int | None, str | None]],
    written: pd.DataFrame,
    folder: Path,
) -> list[Defect]:
    columns = [spec.column(name) for name in check.columns]
    table = pd.DataFrame({"_i": range(len(frame))})
    places = pd.MultiIndex.from_arrays([files, rows]) if broken else None
    already = np.zeros(len(frame), dtype=bool)  # a row one of the rule's cells broke
    for column in columns:
        values = typed(frame[column.name].reset_index(drop=True), column.type)
        cells = [(f, row) for f, row, name in broken if name == column.name]
        if places is None or not cells:
            table[column.name] = values
            continue
        hit = places.isin(cells)
        already |= hit
        table[column.name] = values.where(~hit)
    connection = connect(columns, check.seeds, folder)
    try:
        connection.register("landed_frame", table)
        connection.execute("INSERT INTO landed_row BY NAME SELECT * FROM landed_frame")
        failing = [
            index
            for (index,) in connection.execute(failing_query(check)).fetchall()
            if not already[index]  # its cell's own defect says what is wrong: not repeated
        ]
    finally:
        connection.close()
    first, others = check.columns[0], ", ".join(check.columns[1:])
    values = written[first].reset_index(drop=True)
    defects = []
    for index in failing:
        value = printable("" if pd.isna(values.iloc[index]) else values.iloc[index])
        shown = value if value.strip() else "(blank)"
        said = f" (with {others})" if others else ""
        defects.append(
            Defect(
                file=files[index],
                row=int(rows[index]),
                column=first,
                value=value,
                rule=check.rule,
                message=f"{first} is '{shown}'{said}: {check.message}",
            )
        )
    return defects
