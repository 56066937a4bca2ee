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

from indicators.ingest.cells import containing, distinct_text, failing_where
from indicators.sources.load import load_sources
from indicators.voice.names import name_list

WITHHELD = "(withheld: identifier)"


def safe_columns() -> frozenset[str]:
    """The columns whose rejected values may be shown outside the raw zone (in
    rejections.csv, the quality report, the console), and then only when the value looks
    like what the column holds (`shows_safely`): those a source spec declares
    `show_rejected: true` (codes, numbers, a survey's area; never a reduced column; an
    item's answers are declared in seeds/voice_items.csv: indicators/ingest/survey_values.py
    marks them). Every other column (UPN, names, date of birth, postcode, response id,
    child_upn, free text, anything not declared) has its values withheld."""
    # Shown only where both the year's rules (inside `rules_of_year`) and every year's allow.
    year, every = load_sources(), load_sources(every_year=True)
    shown = frozenset().union(*(spec.shown_columns for spec in year.values()))
    return shown & frozenset().union(*(spec.shown_columns for spec in every.values()))


def identifier_columns() -> frozenset[str]:
    """Columns a spec pseudonymises, reduces or drops at the door and never shows."""
    specs = (*load_sources().values(), *load_sources(every_year=True).values())
    return frozenset().union(*(spec.identifier_columns for spec in specs))


def __getattr__(name: str) -> frozenset[str]:
    """SAFE_COLUMNS and IDENTIFIER_COLUMNS, read from the specs when first asked for."""
    if name == "SAFE_COLUMNS":
        return safe_columns()
    if name == "IDENTIFIER_COLUMNS":
        return identifier_columns()
    raise AttributeError(name)


_CODE_SHAPE = re.compile(r"[A-Za-z0-9 ._/+()\\-]{0,16}")
"""A code, a number or a short word as a value of a code column may be mistyped (the
backslash for an escaped control character, \\x00)."""
_DATE_SHAPE = re.compile(
    r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
    r"|[A-Za-z]{3,9}\.? [0-9]{1,2},? [0-9]{4}|[0-9]{1,2} [A-Za-z]{3,9},? [0-9]{4}"
)
_SECTOR_SHAPE = re.compile(r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9]")
_SHAPES: dict[tuple[str, ...], dict[str, re.Pattern]] = {}


def _shapes() -> dict[str, re.Pattern]:
    """Shown columns whose values have a shape of their own, from the specs: a date (type
    date, format date or datetime), a postcode sector (format postcode_sector: a full
    postcode typed there is withheld)."""
    specs = load_sources()
    version = tuple(spec.digest for spec in specs.values())
    if version not in _SHAPES:
        shapes = {}
        for spec in specs.values():
            for column in spec.columns:
                named = column.format.named if column.format else None
                if not column.show_rejected:
                    continue
                if column.type == "date" or named in ("date", "datetime"):
                    shapes[column.name] = _DATE_SHAPE
                elif named == "postcode_sector":
                    shapes[column.name] = _SECTOR_SHAPE
        _SHAPES[version] = shapes
    return _SHAPES[version]


MOST_DIGITS_SHOWN = 8
"""More digits than this in a code column's value looks like a phone number or a UPN."""


def shows_safely(column: str | None, value: str, declared_safe: bool = False) -> bool:
    """True when a rejected value may be shown: its column is declared safe (or the caller
    declares it so: a voice item's answers) and the value looks like what such a column
    holds, with no personal name in it (indicators/voice/wordlists/names.txt)."""
    if not (declared_safe or column in safe_columns()):
        return False
    text = value.strip()
    shapes = _shapes()
    if not shapes.get(column or "", _CODE_SHAPE).fullmatch(text):
        return False
    if column not in shapes and sum(character.isdigit() for character in text) > MOST_DIGITS_SHOWN:
        return False
    names = name_list()
    return not any(word.lower() in names for word in re.findall(r"[A-Za-z]+", text))


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
    shown: bool = False
    """The value was judged safe to show where the defect was found (a voice item's answer,
    see indicators/ingest/survey_values.py): `public` keeps it."""

    @property
    def level(self) -> str:
        return "file" if self.row is None else "row"

    def public(self) -> Defect:
        """The defect as it may leave the raw zone: a value is shown only when its column
        is declared safe and it looks like what the column holds (`shows_safely`), or
        when it is about a file rather than a person (a header, a sheet name, a reference
        file's row); every other value is withheld."""
        if (
            not self.value
            or self.shown
            and not self.sensitive
            or self.value.startswith("(withheld")
        ):
            return self  # nothing to withhold, judged safe, or withheld already
        about_a_file = self.row is None or self.file.startswith("seeds/")
        if not self.sensitive and (about_a_file or shows_safely(self.column, self.value)):
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
    describe: Callable[[str], str] | None = None
    """What a message says of the value in place of quoting it (a value too long to quote)."""


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
    return re.sub(
        "[\x00-\x1f\x7f-\x9f]",
        lambda found: _ESCAPES.get(found.group(), f"\\x{ord(found.group()):02x}"),
        text,
    )


LONGEST_VALUE = 100
"""The most characters a value Chorus reads may hold (a name, a code, a date, an id)."""


def _length(value: object) -> str:
    return f"holds {len(str(value)):,} characters"


def length_rule(column: str, longest: int = LONGEST_VALUE) -> RowRule:
    """A value longer than `longest` characters quarantines its row (named by row and column,
    the value described, never quoted): usually a damaged export or text pasted into the
    wrong cell."""

    def failing(values: pd.Series) -> pd.Series:
        text = distinct_text(values)
        if text is None:
            return values.astype(str).str.len() > longest
        items, distinct = text
        if max(map(len, distinct), default=0) <= longest:
            return failing_where(values, items, set())
        return failing_where(values, items, {value for value in distinct if len(value) > longest})

    return RowRule(
        "value_too_long",
        column,
        f"a value in this column holds at most "
        f"{longest:,} characters: usually a damaged export, or text pasted into the "
        "wrong cell; correct the value and land the file again",
        failing,
        on_written=True,
        describe=_length,
    )


def cell_rules(
    columns: Iterable[str], *, line_breaks: bool = True, longest: int = LONGEST_VALUE
) -> list[RowRule]:
    """Rules every cell Chorus reads must meet, for each of `columns`: at most `longest`
    characters, no control character (a NUL byte, say), and, unless `line_breaks` is False
    (free text), no line break. They come before a column's own rules, so such a value is
    reported once, for this."""
    rules = []
    for column in columns:
        rules.append(length_rule(column, longest))
        rules.append(
            RowRule(
                "control_character",
                column,
                "the value holds a control character (shown as \\x "
                "and its code), which no value should: it is invisible in Excel and usually comes "
                "from a damaged export or a copy and paste; retype the value and land the file "
                "again",
                containing(CONTROL_CHARACTER),
                on_written=True,
            )
        )
        if line_breaks:
            rules.append(
                RowRule(
                    "value_spans_lines",
                    column,
                    "the value runs over several lines (shown as "
                    '\\n), which no value in this column can: usually a quote (") that is not '
                    "closed where it should be, which joins the rows after it into this value; "
                    "remove the stray quote or the line break, and land the file again",
                    containing(LINE_BREAK),
                    on_written=True,
                )
            )
    return rules


def check_required_columns(
    frame: pd.DataFrame, required: Sequence[str], file: str, in_file: Sequence[str] | None = None
) -> None:
    """`in_file`: the file's columns, when `frame` holds only those a source reads."""
    missing = [column for column in required if column not in frame.columns]
    if missing:
        named = frame.columns if in_file is None else in_file
        found = ", ".join(str(c) for c in named if not str(c).startswith("_")) or "none"
        raise FileRejected(
            Defect(
                file=file,
                row=None,
                column=", ".join(missing),
                value="",
                rule="required_columns",
                message=f"required column(s) missing: {', '.join(missing)} (found: {found}); "
                "nothing was loaded from this file",
            )
        )


def apply_rules(
    frame: pd.DataFrame,
    rules: Sequence[RowRule],
    file: str,
    as_written: pd.DataFrame | None = None,
    *,
    row_files: Sequence[str] | None = None,
) -> list[Defect]:
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
        mask = failing.to_numpy() if failing.dtype == bool else failing.astype(bool).to_numpy()
        if rule.column in reported:
            mask = mask & ~reported[rule.column]
            reported[rule.column] |= mask
        else:
            reported[rule.column] = mask.copy()
        if not mask.any():
            continue
        defects.extend(
            _rule_defects(
                rule,
                file if row_files is None else row_files[mask],
                source_rows[mask],
                written[rule.column].to_numpy()[mask],
            )
        )
    return defects


def _rule_defects(
    rule: RowRule, file: str | Iterable[str], rows: Iterable[int], values: Iterable[str]
) -> list[Defect]:
    files = itertools.repeat(file) if isinstance(file, str) else file
    defects = []
    for row_file, row, written in zip(files, rows, values, strict=False):  # one file repeats
        if rule.describe is not None:
            said = rule.describe(written)
            defects.append(
                Defect(
                    row_file,
                    int(row),
                    rule.column,
                    f"({said})",
                    rule.rule,
                    f"{rule.column} {said}: {rule.explain}",
                )
            )
            continue
        value = printable(written)
        shown = value if value.strip() != "" else "(blank)"
        defects.append(
            Defect(
                file=row_file,
                row=int(row),
                column=rule.column,
                value=value,
                rule=rule.rule,
                message=f"{rule.column} is '{shown}': {rule.explain}",
            )
        )
    return defects


def _apply_rules_aligned(
    frame: pd.DataFrame,
    rules: Sequence[RowRule],
    file: str,
    written: pd.DataFrame,
    row_files: np.ndarray | None = None,
) -> list[Defect]:
    """`apply_rules` matching rows by index label, for frames whose indexes differ."""
    defects: list[Defect] = []
    reported: dict[str, pd.Series] = {}
    files = None if row_files is None else pd.Series(row_files, index=frame.index)
    for rule in rules:
        tested = (
            written[rule.column].reindex(frame.index) if rule.on_written else frame[rule.column]
        )
        mask = rule.failing(tested).astype(bool)
        if rule.column in reported:
            mask &= ~reported[rule.column]
            reported[rule.column] |= mask
        else:
            reported[rule.column] = mask
        defects.extend(
            _rule_defects(
                rule,
                file if files is None else files.loc[mask],
                frame.loc[mask, "_source_row"],
                written.loc[mask, rule.column],
            )
        )
    return defects
