"""The statutory returns' rules beyond a column's own (those come from the source specs:
indicators/ingest/spec_rules.py): the same key twice in a year's files of one kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.ingest.defects import Defect


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
    columns: Sequence[str] = ("upn",),
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


def duplicate_upns(frames: Sequence[tuple[str, pd.DataFrame]]) -> list[Defect]:
    """The same UPN more than once in a year's files of one kind: every occurrence is a defect."""
    return duplicates_in(stacked(frames))


def duplicates_in(stack: Stack) -> list[Defect]:
    """`duplicate_upns` of the files `stacked` gives."""
    upns = stack.values["upn"]
    if stack.text("upn") and len(set(upns)) == len(upns):
        return []  # no UPN twice (the usual case, and quick to see)
    frame = pd.DataFrame(
        {"upn": pd.Series(upns, dtype=object), "_file": stack.files, "_source_row": stack.rows}
    )
    repeated = frame[frame["upn"].duplicated(keep=False) & (frame["upn"] != "")]
    members = [
        (upn, list(zip(group["_file"], group["_source_row"], strict=True)))
        for upn, group in repeated.groupby("upn", sort=False)
    ]
    defects = []
    for upn, group in members:
        places = [f"{file} row {row}" for file, row in group]
        for file, row in group:
            others = [place for place in places if place != f"{file} row {row}"]
            defects.append(
                Defect(
                    file=file,
                    row=int(row),
                    column="upn",
                    value=str(upn),
                    rule="duplicate_upn",
                    message=f"the same child (UPN '{upn}') also appears at {'; '.join(others)}: "
                    "keep one record and land the file again",
                )
            )
    return defects
