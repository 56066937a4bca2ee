"""The statutory returns' rules beyond a column's own (those come from the source specs:
indicators/ingest/spec_rules.py): the same key twice in a year's files of one kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.ingest.defects import Defect
from indicators.sources.spec import SourceSpec


@dataclass(frozen=True)
class Stack:
    """A year's files of one kind one after another, as plain lists: for each row its file
    (as displayed), its spreadsheet row, and its values of some columns."""

    files: list[str]
    rows: list[int]
    values: dict[str, list[object]]

    def text(self, column: str) -> bool:
        """Every value of the column is text (so sets and dicts treat them as pandas does)."""
        try:
            "".join(self.values[column])
        except TypeError:
            return False
        return True

    def where(self, flags: Sequence[bool]) -> Iterable[tuple[str, int, list[object]]]:
        """(file, row, [values]) of the flagged rows, in order."""
        columns = list(self.values.values())
        for position in np.flatnonzero(np.asarray(flags, dtype=bool)).tolist():
            yield (
                self.files[position],
                self.rows[position],
                [values[position] for values in columns],
            )


def stacked(
    frames: Sequence[tuple[str, pd.DataFrame]],
    columns: Sequence[str],
    without: Mapping[str, set[int | None]] | None = None,
) -> Stack:
    """A year's files of one kind as a `Stack`, in file order, leaving out the rows `without`
    names for each file."""
    files: list[str] = []
    rows: list[int] = []
    values: dict[str, list[object]] = {column: [] for column in columns}
    for file, frame in frames:
        numbers = frame["_source_row"].to_numpy().tolist()
        keep = None
        if without and without.get(file):
            left_out = without[file]
            keep = [number not in left_out for number in numbers]
            numbers = [number for number, kept in zip(numbers, keep, strict=True) if kept]
        files.extend([file] * len(numbers))
        rows.extend(numbers)
        for column in columns:
            column_values = frame[column].to_numpy(dtype=object).tolist()
            if keep is not None:
                column_values = [
                    value for value, kept in zip(column_values, keep, strict=True) if kept
                ]
            values[column].extend(column_values)
    return Stack(files, rows, values)


def duplicates_in(stack: Stack, spec: SourceSpec) -> list[Defect]:
    """The same key (the spec's `key:`) more than once in a year's files of one kind, in
    the files `stacked` gives: every occurrence is a defect (`key.rule`, `key.message`)."""
    key = spec.key[0]
    values = stack.values[key]
    if stack.text(key) and len(set(values)) == len(values):
        return []  # no key twice (the usual case, and quick to see)
    frame = pd.DataFrame(
        {key: pd.Series(values, dtype=object), "_file": stack.files, "_source_row": stack.rows}
    )
    repeated = frame[frame[key].duplicated(keep=False) & (frame[key] != "")]
    members = [
        (value, list(zip(group["_file"], group["_source_row"], strict=True)))
        for value, group in repeated.groupby(key, sort=False)
    ]
    defects = []
    for value, group in members:
        places = [f"{file} row {row}" for file, row in group]
        for file, row in group:
            others = [place for place in places if place != f"{file} row {row}"]
            defects.append(
                Defect(
                    file=file,
                    row=int(row),
                    column=key,
                    value=str(value),
                    rule=spec.key_rule,
                    message=spec.key_message.replace("{places}", "; ".join(others)).replace(
                        "{value}", str(value)
                    ),
                )
            )
    return defects
