"""Read landed returns (CSV or Excel) into text tables with canonical column names.

- `.csv` in UTF-8 (a byte-order mark is fine) or Windows-1252: strict UTF-8 is tried first,
  then Windows-1252. Binary files, UTF-16 text and workbooks saved with a .csv name are
  rejected with a message saying what to do.
- `.xlsx`: the first sheet, or the sheet named by `sheet` (CHORUS_XLSX_SHEET). Every cell
  becomes text as a person sees it: whole numbers without ".0", dates as YYYY-MM-DD, empty
  cells as "".
- Headers are matched case-insensitively, with spaces and punctuation read as underscores,
  and then through the LA's aliases (seeds/column_aliases.csv): `Gender` reads as `sex`
  (indicators/ingest/headers.py).
- Row numbers are spreadsheet rows: the header is row 1, so the first child is row 2. Blank
  rows are skipped but still counted, so row numbers match what the user sees.

Every problem with a file as a whole raises `FileRejected` with one `Defect` naming the file
and saying what to do; nothing here raises anything else on odd input.
"""

from __future__ import annotations

import codecs
import io
import itertools
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.ingest.cells import POSTCODE_PATTERN
from indicators.ingest.file_rows import (
    CONTROL_BYTES,
    cell_text,
    csv_rows,
    decode_text,
    file_rejected,
    strict_rows,
    xlsx_rows,
)
from indicators.ingest.headers import (
    Aliases,
    column_letter,
    map_headers,
    names_none,
    names_required,
)
from indicators.ingest.upn import UPN_PATTERN

EXCEL_SUFFIXES = (".xlsx",)


# Row 1 holding a child's record rather than names: a UPN, a postcode or a date.
DATA_LIKE = re.compile(
    rf"(?:{UPN_PATTERN}|{POSTCODE_PATTERN}|\d{{4}}-\d{{2}}-\d{{2}}|"
    r"\d{1,2}/\d{1,2}/\d{4})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Overflow:
    """Values to the right of the last named column: the row does not fit the header."""

    row: int
    column: str
    """Spreadsheet letter of the first such value."""
    values: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A file as read: text columns with canonical names, plus what the reader noticed."""

    frame: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)
    """canonical column -> the header as written in the file: every named column, those left
    out of `frame` (not `wanted`) too."""
    overflow: tuple[Overflow, ...] = ()
    short_rows: frozenset[int] = frozenset()
    """CSV rows with fewer values than the header: their values may sit in the wrong columns."""
    encoding: str = ""
    """'utf-8', 'windows-1252' or 'xlsx'."""
    last_column: str = ""
    """The last named column, as written, with its letter: "elg17 (X)"."""


# -------------------------------------------------------------------------------------- Table


def _blank(cells: Sequence[str]) -> bool:
    if cells and cells[0].strip():  # the usual case, decided at once
        return False
    return all(not cell.strip() for cell in cells)


def _not_a_header(row: Sequence[str], kind: str | None, aliases: Aliases | None) -> str | None:
    """Why row 1 is not a header, or None: it holds a child's details (a UPN, a postcode, a
    date) unless it names every column the kind requires (headers.names_required), or it
    names none of the kind's columns (headers.names_none). Its cells are never repeated.
    A header in another separator (one cell holding `;` or tabs) is one (_check_header)."""
    cells = [cell for cell in row if cell.strip()]
    if len(cells) == 1 and (";" in cells[0] or "\t" in cells[0]):
        return None
    if any(DATA_LIKE.fullmatch(cell.strip()) for cell in row) and not names_required(
        row, kind, aliases
    ):
        return (
            "row 1 holds a child's details rather than column names: add a header "
            "row (see docs/inputs.md) and land the file again"
        )
    if names_none(row, kind, aliases):
        return (
            "row 1 names none of this return's columns (docs/inputs.md lists them): if "
            "the file has no header row, add one; if its columns are named otherwise, map "
            "them in seeds/column_aliases.csv; then land the file again"
        )
    return None


def _check_header(
    header: list[str], display: str, kind: str | None = None, aliases: Aliases | None = None
) -> list[str]:
    while header and not header[-1].strip():
        header = header[:-1]
    if not header:
        raise file_rejected(
            display,
            "header_blank",
            "row 1 is blank, but it must hold the column names: delete any blank "
            "rows above the header and land the file again",
        )
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        separator = "semicolons" if ";" in header[0] else "tabs"
        raise file_rejected(
            display,
            "not_comma_separated",
            f"the columns are separated by {separator}, not commas: save the file "
            "as comma-separated CSV and land it again",
        )
    why = _not_a_header(header, kind, aliases)
    if why is not None:
        raise file_rejected(display, "header_missing", why)
    return header


PLAIN_CHUNK = 100_000
"""Rows the plain reader splits at a time: a chunk's every value is held at once."""


def _kept(names: Sequence[str | None], wanted: Collection[str] | None) -> list[int]:
    """The positions of the named columns a table is built from: those `wanted`, if given."""
    return [
        position
        for position, name in enumerate(names)
        if name is not None and (wanted is None or name in wanted)
    ]


def table_from_rows(
    rows: Sequence[tuple[int, list[str]]],
    display: str,
    kind: str | None = None,
    aliases: Aliases | None = None,
    encoding: str = "",
    wanted: Collection[str] | None = None,
) -> Table:
    """A `Table` from (spreadsheet row, cells) pairs; row 1 is the header."""
    if not rows or all(_blank(cells) for _, cells in rows):
        raise file_rejected(
            display, "empty_file", "the file is empty: no header and no rows; land the full return"
        )
    first_number, first_cells = rows[0]
    header = _check_header(first_cells if first_number == 1 else [], display, kind, aliases)
    names = map_headers(header, kind, aliases, display)
    data = [(number, cells) for number, cells in rows[1:] if not _blank(cells)]
    if not data:
        raise file_rejected(
            display,
            "header_only",
            "the file has a header but no rows: land the return with its children",
        )
    width = len(header)
    keep = _kept(names, wanted)
    matrix: list[list[str]] = []
    overflow = []
    short = set()
    for number, cells in data:
        if len(cells) < width:
            if encoding != "xlsx":  # a workbook leaves trailing empty cells out
                short.add(number)
            cells = cells + [""] * (width - len(cells))
        elif len(cells) > width:
            extra = [(p, cell) for p, cell in enumerate(cells[width:], start=width) if cell.strip()]
            if extra:
                overflow.append(
                    Overflow(number, column_letter(extra[0][0]), tuple(cell for _, cell in extra))
                )
            cells = cells[:width]
        matrix.append(cells)
    frame = pd.DataFrame(  # built column by column, the kept columns only
        {str(names[p]): np.array([cells[p] for cells in matrix], dtype=object) for p in keep},
        index=pd.RangeIndex(len(matrix)),
        dtype=str,
    )
    frame["_source_row"] = [number for number, _ in data]
    last = width - 1
    return Table(
        frame=frame,
        headers={str(n): header[p].strip() for p, n in enumerate(names) if n is not None},
        overflow=tuple(overflow),
        short_rows=frozenset(short),
        encoding=encoding,
        last_column=f"'{header[last].strip()}' ({column_letter(last)})",
    )


LINE_BREAK = re.compile(r"\r\n|\r|\n")
"""Where Python's csv reader ends a record outside quotes (it reads with newline="")."""


def plain_csv_table(
    text: str,
    display: str,
    kind: str | None = None,
    aliases: Aliases | None = None,
    encoding: str = "",
    wanted: Collection[str] | None = None,
) -> Table | None:
    """The `Table` of a plain CSV, read column by column; None when it is not plain.

    Plain: no quote character anywhere (so a record is a line and a value is what lies
    between commas), a header with no blank cells at its end, at least one row, and every
    row not blank with exactly as many values as the header. That is nearly every return,
    and for it this gives exactly the `Table` that `table_from_rows(csv_rows(text))` gives,
    file defects included, many times faster. Anything else (quotes, ragged rows, a blank
    or missing header, no rows, a value longer than the csv module allows) returns None, and
    the careful reader reads the file. The rows are split PLAIN_CHUNK at a time, so a wide
    file's unwanted columns are never held whole (read_return's `wanted`).
    """
    if '"' in text:
        return None
    lines = LINE_BREAK.split(text) if "\r" in text else text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the break ending the last record
    if len(lines) < 2:
        return None
    header = lines[0].split(",")
    if not header[-1].strip():
        return None  # a blank header, or blank cells at its end: the careful reader decides
    header = _check_header(header, display, kind, aliases)
    names = map_headers(header, kind, aliases, display)
    width = len(header)
    rows = lines[1:]
    numbers = np.arange(2, len(lines) + 1)
    # A blank row (every value blank) is skipped but counted. A row with as many values as
    # the header is blank only if its first value is; any other row must be blank.
    commas = np.fromiter(
        map(str.count, rows, itertools.repeat(",")), dtype=np.int64, count=len(rows)
    )
    ragged = np.flatnonzero(commas != width - 1).tolist()
    if any(rows[position].replace(",", "").strip() for position in ragged):
        return None  # a row that does not fit the header
    if ragged:
        fits = commas == width - 1
        rows, numbers = [row for row, ok in zip(rows, fits, strict=True) if ok], numbers[fits]
    keep = _kept(names, wanted)
    parts: dict[int, list[np.ndarray]] = {p: [] for p in keep}
    kept_numbers = []
    for start in range(0, len(rows), PLAIN_CHUNK):
        chunk, chunk_numbers = (
            rows[start : start + PLAIN_CHUNK],
            numbers[start : start + PLAIN_CHUNK],
        )
        values = ",".join(chunk).split(",")
        blank_first = {value for value in set(values[0::width]) if not value.strip()}
        if blank_first:
            blank = np.array(
                [
                    not row.replace(",", "").strip() if value in blank_first else False
                    for row, value in zip(chunk, values[0::width], strict=True)
                ]
            )
            if blank.all():
                continue
            if blank.any():
                chunk = [row for row, no in zip(chunk, blank, strict=True) if not no]
                chunk_numbers = chunk_numbers[~blank]
                values = ",".join(chunk).split(",")
        for p in keep:
            parts[p].append(np.array(values[p::width], dtype=object))
        kept_numbers.append(chunk_numbers)
    if not kept_numbers:
        return None  # no rows, or every row blank
    frame = pd.DataFrame(
        {str(names[p]): np.concatenate(parts[p]) for p in keep},
        index=pd.RangeIndex(sum(map(len, kept_numbers))),
        dtype=str,
    )
    frame["_source_row"] = np.concatenate(kept_numbers).tolist()
    return Table(
        frame=frame,
        headers={str(n): header[p].strip() for p, n in enumerate(names) if n is not None},
        encoding=encoding,
        last_column=f"'{header[-1].strip()}' ({column_letter(width - 1)})",
    )


def read_return(
    path: Path,
    display: str,
    kind: str | None = None,
    aliases: Aliases | None = None,
    sheet: str | None = None,
    wanted: Collection[str] | None = None,
) -> Table:
    """Read a landed CSV or Excel file; file-level problems raise `FileRejected`. With
    `wanted` (a source's columns), only those of the file's columns are built: the others'
    headers are read, checked and named in `Table.headers`, their values never kept (a
    postcode lookup of forty columns, of which a source reads two)."""
    try:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            rows = xlsx_rows(path, display, sheet)
            return table_from_rows(rows, display, kind, aliases, "xlsx", wanted)
        data = path.read_bytes()
    except OSError as error:
        raise file_rejected(
            display,
            "unreadable_file",
            f"the file could not be opened ({error.strerror or error}): check it "
            "is there and readable, and land it again",
        ) from None
    text, encoding = decode_text(data, display)
    del data  # the text holds it now: a large file is not held twice while it is split
    plain = plain_csv_table(text, display, kind, aliases, encoding, wanted)
    if plain is not None:
        return plain
    return table_from_rows(csv_rows(text, display), display, kind, aliases, encoding, wanted)


def rows_landed(
    path: Path, sheet: str | None = None, kind: str | None = None, aliases: Aliases | None = None
) -> int:
    """How many rows a landed file holds below its header, counted as well as a file that
    could not be read allows: for the accounting of a rejected file, whose rows are all
    quarantined under its file defect.

    A workbook (whatever its name): the non-blank rows of the sheet (the named one if it has
    it, else the first) below the first non-blank row. Text (UTF-8, UTF-16, Windows-1252):
    the non-blank records below the first non-blank one as a CSV reader reads them, or, if
    it cannot (a quote never closed), the non-blank physical lines. A header that holds a
    child's details (no header at all) counts as a row. Anything else (binary, an old .xls,
    a file that cannot be opened) counts 0: it holds no rows anyone could find. `kind` and
    `aliases`: a header naming every column the kind requires is a header (as the readers
    decide it).
    """
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    if path.suffix.lower() in EXCEL_SUFFIXES or data.startswith(b"PK\x03\x04"):
        return _workbook_rows(data, sheet, kind, aliases)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return 0
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")  # every byte a character: the lines are the same
    controls = sum(text.count(chr(byte)) for byte in CONTROL_BYTES)
    if controls > max(2, len(text) // 100):
        return 0  # not text
    records = [cells for _, cells in strict_rows(text)[0] or []]
    if not records:
        records = [line.split(",") for line in LINE_BREAK.split(text)]
    return _rows_below_header(records, kind, aliases)


def _workbook_rows(
    data: bytes, sheet: str | None, kind: str | None, aliases: Aliases | None
) -> int:
    import openpyxl

    try:  # from the bytes: openpyxl refuses a path whose name does not end .xlsx
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a workbook that cannot be opened holds no rows to count
        return 0
    try:
        wanted = (sheet or "").strip().casefold()
        sheets = [
            worksheet
            for worksheet in workbook.worksheets
            if wanted and worksheet.title.strip().casefold() == wanted
        ]
        worksheet = (sheets or workbook.worksheets or [None])[0]
        if worksheet is None:
            return 0
        worksheet.reset_dimensions()
        return _rows_below_header(
            [[cell_text(value) for value in row] for row in worksheet.iter_rows(values_only=True)],
            kind,
            aliases,
        )
    except Exception:  # noqa: BLE001 - damaged sheet XML: nothing countable
        return 0
    finally:
        workbook.close()


def _rows_below_header(
    records: Sequence[Sequence[str]], kind: str | None = None, aliases: Aliases | None = None
) -> int:
    """Non-blank records after the first non-blank one (the header), which counts too when
    it is not a header (as the readers decide it: `_not_a_header`)."""
    filled = [cells for cells in records if not _blank(list(cells))]
    if not filled:
        return 0
    return len(filled) - (0 if _not_a_header(filled[0], kind, aliases) else 1)


def read_table(
    path: Path,
    display: str,
    kind: str | None = None,
    aliases: Aliases | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """A CSV or Excel file as text columns with canonical headers and `_source_row`.

    `_source_row` is the spreadsheet row (header = row 1). File-level problems (unreadable,
    empty, header only, blank header, two columns giving one name) raise `FileRejected`.
    """
    return read_return(path, display, kind, aliases, sheet).frame
