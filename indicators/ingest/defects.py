"""One rule, one message, one affected column: a `Defect` and the `RowRule`s that find them.

Every defect names the file, the row as the user sees it in a spreadsheet (the header is
row 1), the column, the value and the rule. Row defects send that row to quarantine; file
defects (unreadable, empty, a required column missing) reject the whole file (`FileRejected`).
Values of identifier columns are withheld from anything that leaves the raw zone, and every
value is shown with its control characters and line breaks as escapes (`printable`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from indicators.ingest.cells import containing

IDENTIFIER_COLUMNS = frozenset({"upn", "surname", "forename", "dob", "postcode"})
WITHHELD = "(withheld: identifier)"


# A value this short is not withheld wherever it appears in a message, only where quoted.
SHORTEST_WITHHELD = 4


@dataclass(frozen=True)
class Defect:
    file: str
    row: int | None
    """Spreadsheet row: the header is row 1, so the first child is row 2. None for file defects."""
    column: str | None
    value: str
    rule: str
    message: str
    sensitive: bool = False
    """The value may identify a child even though the column is not an identifier column."""

    @property
    def level(self) -> str:
        return "file" if self.row is None else "row"

    def public(self) -> Defect:
        """The defect as it may leave the raw zone: identifier values withheld."""
        if not self.value or not (self.sensitive or self.column in IDENTIFIER_COLUMNS):
            return self
        message = self.message.replace(f"'{self.value}'", WITHHELD)
        if len(self.value.strip()) >= SHORTEST_WITHHELD:
            message = message.replace(self.value, WITHHELD)
        return replace(self, value=WITHHELD, message=message)

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message} [{self.rule}]"


class FileRejected(Exception):
    """A file-level defect: nothing is loaded from the file."""

    def __init__(self, defect: Defect):
        super().__init__(str(defect))
        self.defect = defect


@dataclass(frozen=True)
class RowRule:
    """One check on one column: `failing` marks the values that break it."""

    rule: str
    column: str
    explain: str
    failing: Callable[[pd.Series], pd.Series]
    on_written: bool = False
    """Test the value as written in the file (before codes are trimmed and upper-cased)."""


# Cells ------------------------------------------------------------------------------------

CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""A character no value should hold: NUL and the other C0 controls but tab and line breaks,
DEL, and the C1 controls (also what a byte Windows-1252 leaves undefined reads as)."""
LINE_BREAK = re.compile("[\r\n]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(value: object) -> str:
    """A value as it can be shown in a message, a CSV or the warehouse: control characters
    and line breaks as escapes (NUL as \\x00, a line break as \\n), everything else as is."""
    text = str(value)
    if CONTROL_CHARACTER.search(text) is None and LINE_BREAK.search(text) is None:
        return text
    return re.sub("[\x00-\x1f\x7f-\x9f]",
                  lambda found: _ESCAPES.get(found.group(), f"\\x{ord(found.group()):02x}"),
                  text)


def cell_rules(columns: Iterable[str], *, line_breaks: bool = True) -> list[RowRule]:
    """Rules every cell Chorus reads must meet, for each of `columns`: no control character
    (a NUL byte, say), and, unless `line_breaks` is False (free text), no line break. They
    come before a column's own rules, so such a value is reported once, for this."""
    rules = []
    for column in columns:
        rules.append(RowRule(
            "control_character", column, "the value holds a control character (shown as \\x "
            "and its code), which no value should: it is invisible in Excel and usually comes "
            "from a damaged export or a copy and paste; retype the value and land the file "
            "again", containing(CONTROL_CHARACTER), on_written=True))
        if line_breaks:
            rules.append(RowRule(
                "value_spans_lines", column, "the value runs over several lines (shown as "
                "\\n), which no value in this column can: usually a quote (\") that is not "
                "closed where it should be, which joins the rows after it into this value; "
                "remove the stray quote or the line break, and land the file again",
                containing(LINE_BREAK), on_written=True))
    return rules


def check_required_columns(frame: pd.DataFrame, required: Sequence[str], file: str) -> None:
    missing = [column for column in required if column not in frame.columns]
    if missing:
        found = ", ".join(str(c) for c in frame.columns if not str(c).startswith("_")) or "none"
        raise FileRejected(Defect(
            file=file, row=None, column=", ".join(missing), value="", rule="required_columns",
            message=f"required column(s) missing: {', '.join(missing)} (found: {found}); "
                    "nothing was loaded from this file",
        ))


def apply_rules(frame: pd.DataFrame, rules: Sequence[RowRule], file: str,
                as_written: pd.DataFrame | None = None, *,
                row_files: Sequence[str] | None = None) -> list[Defect]:
    """Every row defect in the frame. `frame` has a `_source_row` column (spreadsheet rows).

    Rules test `frame` (codes trimmed and upper-cased); messages quote the value as written
    in `as_written` when given. A value already reported under one rule (a malformed UPN,
    say) is not reported again under a later rule for the same column. `row_files`, when
    given, names each row's file (for a frame of many files' rows) in place of `file`.
    """
    written = frame if as_written is None else as_written
    if row_files is not None:
        row_files = np.asarray(row_files, dtype=object)
    if not (written.index.equals(frame.index) and frame.index.is_unique):
        return _apply_rules_aligned(frame, rules, file, written, row_files)
    defects: list[Defect] = []
    reported: dict[str, np.ndarray] = {}
    source_rows = frame["_source_row"].to_numpy()
    for rule in rules:
        failing = rule.failing((written if rule.on_written else frame)[rule.column])
        if not failing.index.equals(frame.index):
            return _apply_rules_aligned(frame, rules, file, written, row_files)
        mask = (failing.to_numpy() if failing.dtype == bool
                else failing.astype(bool).to_numpy())
        if rule.column in reported:
            mask = mask & ~reported[rule.column]
            reported[rule.column] |= mask
        else:
            reported[rule.column] = mask.copy()
        if not mask.any():
            continue
        defects.extend(_rule_defects(
            rule, file if row_files is None else row_files[mask], source_rows[mask],
            written[rule.column].to_numpy()[mask]))
    return defects


def _rule_defects(rule: RowRule, file: str | Iterable[str], rows: Iterable[int],
                  values: Iterable[str]) -> list[Defect]:
    files = itertools.repeat(file) if isinstance(file, str) else file
    defects = []
    for row_file, row, written in zip(files, rows, values, strict=False):  # one file repeats
        value = printable(written)
        shown = value if value.strip() != "" else "(blank)"
        defects.append(Defect(
            file=row_file, row=int(row), column=rule.column, value=value, rule=rule.rule,
            message=f"{rule.column} is '{shown}': {rule.explain}",
        ))
    return defects


def _apply_rules_aligned(frame: pd.DataFrame, rules: Sequence[RowRule], file: str,
                         written: pd.DataFrame, row_files: np.ndarray | None = None
                         ) -> list[Defect]:
    """`apply_rules` matching rows by index label, for frames whose indexes differ."""
    defects: list[Defect] = []
    reported: dict[str, pd.Series] = {}
    files = None if row_files is None else pd.Series(row_files, index=frame.index)
    for rule in rules:
        tested = written[rule.column].reindex(frame.index) if rule.on_written else \
            frame[rule.column]
        mask = rule.failing(tested).astype(bool)
        if rule.column in reported:
            mask &= ~reported[rule.column]
            reported[rule.column] |= mask
        else:
            reported[rule.column] = mask
        defects.extend(_rule_defects(rule, file if files is None else files.loc[mask],
                                     frame.loc[mask, "_source_row"],
                                     written.loc[mask, rule.column]))
    return defects
