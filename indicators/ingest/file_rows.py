"""A landed file as rows of text: CSV bytes decoded (strict UTF-8, then Windows-1252) and
split into rows, a workbook's cells as a person sees them. A file that cannot be read is
rejected (`file_rejected`) with one defect saying what to do.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

from indicators.ingest.defects import Defect, FileRejected

CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
"""The ASCII control characters no text file holds many of (tab and line breaks apart)."""


NUL = b"\x00"
SAVE_AS_CSV = "save it from Excel as 'CSV UTF-8 (Comma delimited)' or as .xlsx and land it again"


def file_rejected(
    display: str, rule: str, message: str, column: str | None = None, value: str = ""
) -> FileRejected:
    return FileRejected(Defect(display, None, column, value, rule, message))


# ---------------------------------------------------------------------------------------- CSV


def decode_text(data: bytes, display: str) -> tuple[str, str]:
    """The text of a CSV and the encoding it was read with: UTF-8 first, then Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8"
        except UnicodeDecodeError as error:
            raise file_rejected(
                display,
                "unreadable_file",
                f"the file starts with a UTF-8 mark but is not UTF-8 text (byte "
                f"{error.start + 3}): {SAVE_AS_CSV}",
            ) from None
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise file_rejected(
            display,
            "unreadable_file",
            f"the file is UTF-16 ('Unicode text'), which Chorus does not read: {SAVE_AS_CSV}",
        )
    if data.startswith(b"PK\x03\x04"):
        raise file_rejected(
            display,
            "unreadable_file",
            "the file is an Excel workbook with a .csv name: rename it to .xlsx, "
            "or save it as CSV, and land it again",
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_rejected(
            display,
            "unreadable_file",
            "the file is an old-style (.xls) or password-protected Excel workbook "
            f"with a .csv name: {SAVE_AS_CSV}",
        )
    # A text file may hold a stray control character or NUL byte in a cell (the row is then
    # quarantined, named by row and column); a file full of them is not text at all. The
    # control characters are ASCII, so they are counted as bytes (faster): in UTF-8 and in
    # Windows-1252 each is one byte, and no byte of any other character is one of them.
    controls = len(data) - len(data.translate(None, CONTROL_BYTES))
    if controls > max(2, len(data) // 100):
        where = f" from byte {data.index(NUL)}" if NUL in data else ""
        raise file_rejected(
            display,
            "unreadable_file",
            f"the file is not text ({controls} control characters{where}): check it "
            f"is the right file, then {SAVE_AS_CSV}",
        )
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Windows-1252 leaves five bytes undefined: each reads as the control character of
        # the same number, so its row is quarantined rather than the file rejected.
        codecs.register_error(_C1_ERRORS, _undefined_as_control)
        text, encoding = data.decode("cp1252", errors=_C1_ERRORS), "windows-1252"
    return text.rstrip("\x1a"), encoding


def _undefined_as_control(error: UnicodeDecodeError) -> tuple[str, int]:
    """A byte Windows-1252 does not define, read as the C1 control character it numbers."""
    undefined = error.object[error.start : error.end]
    return "".join(chr(byte) for byte in undefined), error.end


_C1_ERRORS = "chorus-windows-1252-undefined"


def _unclosed_quote_row(text: str) -> int | None:
    """The row whose quote is never closed (it would swallow the rest of the file), if any."""
    return strict_rows(text)[1]


def strict_rows(text: str) -> tuple[list[tuple[int, list[str]]] | None, int | None]:
    """The records as a strict csv reader reads them (None if it stops at an error), and the
    row whose quote is never closed, if that is the error.

    Strictness only adds errors: a text the strict reader reads whole is read the same way
    by the lenient reader that `csv_rows` uses, so one strict pass does for both.
    """
    rows: list[tuple[int, list[str]]] = []
    try:
        with _no_field_limit(text):
            for number, cells in enumerate(
                csv.reader(io.StringIO(text, newline=""), strict=True), start=1
            ):
                rows.append((number, cells))
    except csv.Error as error:
        return None, (len(rows) + 1 if "unexpected end of data" in str(error) else None)
    return rows, None


@contextlib.contextmanager
def _no_field_limit(text: str) -> Iterator[None]:
    """Python's csv module refuses a value longer than 131,072 characters ("field larger than
    field limit"), which would reject the whole file: the limit is lifted to the file's
    length while it is read, and a value too long for its column quarantines its row
    (`indicators.ingest.defects.length_rule`)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def csv_rows(text: str, display: str) -> list[tuple[int, list[str]]]:
    """(spreadsheet row, cells) for every record; a quoted value may span lines."""
    strict, unclosed = strict_rows(text) if '"' in text else (None, None)
    if unclosed is not None:
        raise file_rejected(
            display,
            "unclosed_quote",
            f'a value on row {unclosed} opens a quote (") that is never closed, so '
            "everything after it would be read as one value: remove the stray quote "
            "or close it, and land the file again",
        )
    if strict is not None:
        return strict
    try:
        with _no_field_limit(text):
            return [
                (number, cells)
                for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
            ]
    except csv.Error as error:
        raise file_rejected(
            display,
            "unreadable_file",
            f"the file could not be read as CSV ({error}): {SAVE_AS_CSV}",
        ) from None


# -------------------------------------------------------------------------------------- Excel


def cell_text(value: object, number_format: str | None = None) -> str:
    """A cell value as a person sees it in Excel: 354 not 354.0, dates as 2019-03-14."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return format(value, ".15g")
        text = str(int(value))
        # A number formatted "0000" shows its leading zeros (establishment 0123).
        if number_format and re.fullmatch(r"0+", number_format) and value >= 0:
            text = text.zfill(len(number_format))
        return text
    return str(value)


def _pick_sheet(workbook, sheet: str | None, display: str):  # noqa: ANN001 - openpyxl types
    if not workbook.worksheets:
        raise file_rejected(
            display, "empty_file", "the workbook has no worksheets: nothing to read"
        )
    if sheet is None or not sheet.strip():
        return workbook.worksheets[0]
    wanted = sheet.strip().casefold()
    for worksheet in workbook.worksheets:
        if worksheet.title.strip().casefold() == wanted:
            return worksheet
    names = ", ".join(f"'{worksheet.title}'" for worksheet in workbook.worksheets)
    raise file_rejected(
        display,
        "sheet_missing",
        f"the workbook has no sheet named '{sheet}' (it has {names}): rename the "
        "sheet, or change CHORUS_XLSX_SHEET, and land it again",
        value=sheet,
    )


def xlsx_rows(path: Path, display: str, sheet: str | None = None) -> list[tuple[int, list[str]]]:
    """(spreadsheet row, cells as text) for every row of the chosen sheet."""
    import openpyxl  # only when a workbook is landed

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - a corrupt workbook fails in many ways
        raise file_rejected(
            display,
            "unreadable_file",
            f"the file could not be opened as an Excel workbook ({_reason(error)}): "
            "open it in Excel, save it again as .xlsx (or CSV) and land it again",
        ) from None
    try:
        worksheet = _pick_sheet(workbook, sheet, display)
        worksheet.reset_dimensions()  # some writers record the wrong size
        rows = []
        for number, cells in enumerate(worksheet.iter_rows(min_row=1, min_col=1), start=1):
            rows.append(
                (
                    number,
                    [cell_text(cell.value, getattr(cell, "number_format", None)) for cell in cells],
                )
            )
        return rows
    except FileRejected:
        raise
    except Exception as error:  # noqa: BLE001 - damaged sheet XML fails in many ways
        raise file_rejected(
            display,
            "unreadable_file",
            f"the workbook could not be read ({_reason(error)}): open it in Excel, "
            "save it again as .xlsx (or CSV) and land it again",
        ) from None
    finally:
        workbook.close()


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[-1]}" if text else type(error).__name__
