"""Render a `Pack` three ways: self-contained HTML, a PDF of that same HTML, and a spreadsheet.

One Jinja environment and one WeasyPrint font configuration serve every pack in a process.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from indicators.publish.packs.model import Pack, Section, Table
from indicators.publish.packs.notes import DEFINITION_LABELS

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

TEMPLATES = Path(__file__).resolve().parent / "templates"
PACK_TEMPLATE = "pack.html.j2"


def css_string(text: str) -> Markup:
    """Text for inside a double-quoted CSS string in a <style> element.

    Everything but letters, digits and spaces becomes a CSS escape, so no value can close the
    string or the style element.
    """
    return Markup(
        "".join(
            ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):x} "
            for ch in str(text)
        )
    )


def attribute_text(text: str) -> Markup:
    """Text for a double-quoted attribute: &, <, > and " escaped, an apostrophe kept."""
    return Markup(
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
    )


def typographic(text: str) -> str:
    """Running text with its apostrophes set as ’ (escaped by the template as usual)."""
    return str(text).replace("'", "\u2019")


@cache
def environment() -> Environment:
    """The one Jinja environment for packs (templates are parsed and cached once)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        auto_reload=False,
    )
    env.filters["css_string"] = css_string
    env.filters["attribute"] = attribute_text
    env.filters["typographic"] = typographic
    return env


def render_html(pack: Pack) -> str:
    """The pack as one self-contained HTML document."""
    return environment().get_template(PACK_TEMPLATE).render(pack=pack)


@cache
def _font_config() -> FontConfiguration:
    """One font configuration for every PDF (fontconfig lookups are the slow part)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf(html: str, target: Path) -> Path:
    """Render the HTML with WeasyPrint (A4, print CSS) to a tagged PDF at `target`."""
    from weasyprint import HTML

    HTML(string=html, base_url=str(TEMPLATES)).write_pdf(
        target, font_config=_font_config(), pdf_tags=True, custom_metadata=False
    )
    return target


# --------------------------------------------------------------------------------------------
# Spreadsheet
# --------------------------------------------------------------------------------------------

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


class _Sheets:
    """xlsxwriter formats made once per workbook, and unique sheet and table names."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        self._formats: dict[tuple, Format] = {}
        self._tables = 0
        self._names: set[str] = set()
        self.widths: dict[str, dict[int, int]] = {}
        self.title = self.format(bold=True, font_size=16)
        self.heading = self.format(bold=True, font_size=13)
        self.subheading = self.format(bold=True, font_size=11)
        self.caption = self.format(bold=True, italic=True)
        self.wrap = self.format(text_wrap=True, valign="top")
        self.note = self.format(italic=True, font_color="#505a5f", text_wrap=True, valign="top")
        self.bold = self.format(bold=True, valign="top")

    def format(self, **properties: object) -> Format:
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = self.workbook.add_format(
                {"font_name": "Arial", "font_size": 11, **properties}
            )
        return self._formats[key]

    def number(self, number_format: str) -> Format:
        return self.format(num_format=number_format, valign="top")

    def sheet(self, name: str) -> Worksheet:
        base = _SHEET_BAD.sub(" ", name).strip()[:31] or "Sheet"
        candidate, n = base, 2
        while candidate.lower() in self._names:
            suffix = f" ({n})"
            candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
        self._names.add(candidate.lower())
        sheet = self.workbook.add_worksheet(candidate)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        self.widths[candidate] = {}
        return sheet

    def widen(self, sheet: Worksheet, column: int, width: int) -> None:
        """Remember the widest use of a column; `finish` applies it."""
        widths = self.widths[sheet.name]
        widths[column] = max(widths.get(column, 12), width)

    def finish(self) -> None:
        for sheet in self.workbook.worksheets():
            for column, width in self.widths.get(sheet.name, {}).items():
                sheet.set_column(column, column, width)

    def table_name(self) -> str:
        self._tables += 1
        return f"Table{self._tables}"


def _paragraph(
    sheet: Worksheet,
    sheets: _Sheets,
    row: int,
    text: str,
    fmt: Format | None = None,
    width: int = 6,
) -> int:
    sheet.merge_range(row, 0, row, width, text, fmt or sheets.wrap)
    lines = max(1, len(text) // 110 + 1)
    sheet.set_row(row, 15 * lines)
    return row + 1


def _table(sheet: Worksheet, sheets: _Sheets, row: int, table: Table) -> int:
    """Write a table (caption, headings, rows) as an Excel table; return the next free row."""
    sheet.write_string(row, 0, table.caption, sheets.caption)
    row += 1
    headings: list[str] = [table.columns[0].label]
    sheets.widen(sheet, 0, table.columns[0].width)
    for column in table.columns[1:]:
        for heading in column.sheet_headings():
            sheets.widen(sheet, len(headings), column.width)
            headings.append(heading)
    seen: dict[str, int] = {}
    unique = []
    for heading in headings:
        seen[heading] = seen.get(heading, 0) + 1
        unique.append(heading if seen[heading] == 1 else f"{heading} ({seen[heading]})")
    first = row
    last_row = row + max(len(table.rows), 1)
    sheet.add_table(
        first,
        0,
        last_row,
        len(unique) - 1,
        {
            "name": sheets.table_name(),
            "autofilter": False,
            "style": "Table Style Light 1",
            "columns": [
                {
                    "header": h,
                    "header_format": sheets.format(bold=True, text_wrap=True, valign="bottom"),
                }
                for h in unique
            ],
        },
    )
    row += 1
    for data_row in table.rows:
        col = 0
        sheet.write_string(row, col, data_row.header, sheets.wrap)
        col += 1
        for cell in data_row.cells:
            formats = cell.formats
            for index, value in enumerate(cell.sheet_values()):
                if isinstance(value, float):
                    fmt = formats[index] if index < len(formats) and formats[index] else "0.0"
                    sheet.write_number(row, col, value, sheets.number(fmt))
                else:
                    sheet.write_string(row, col, value, sheets.wrap)
                col += 1
        row += 1
    if not table.rows:
        row += 1
    for note in table.notes:
        row = _paragraph(sheet, sheets, row, note, sheets.note)
    return row + 1


def _section_sheet(sheets: _Sheets, section: Section) -> None:
    sheet = sheets.sheet(section.sheet)
    sheet.write_string(0, 0, section.heading, sheets.title)
    row = 2
    for paragraph in section.paragraphs:
        row = _paragraph(sheet, sheets, row, paragraph)
    for bullet in section.bullets:
        row = _paragraph(sheet, sheets, row, f"• {bullet}")
    for block in section.blocks:
        row += 1
        sheet.write_string(row, 0, block.heading, sheets.heading)
        row += 1
        for paragraph in block.paragraphs:
            row = _paragraph(sheet, sheets, row, paragraph)
        for item in block.items:
            row = _paragraph(sheet, sheets, row, f"• {item.text}")
        for chart in block.charts:
            row = _paragraph(
                sheet,
                sheets,
                row,
                f"Chart in the HTML and PDF pack: {chart.caption} The numbers are below.",
                sheets.note,
            )
        for table in block.tables:
            row = _table(sheet, sheets, row, table)


def write_xlsx(pack: Pack, target: Path) -> Path:
    """The pack as a workbook: front sheet, one sheet per domain, limits, notes."""
    workbook = xlsxwriter.Workbook(
        str(target),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    workbook.set_properties(
        {
            "title": pack.title,
            "author": pack.la_name,
            "company": pack.la_name,
            "comments": f"Run {pack.run.run_id}",
            "keywords": "Chorus, board pack",
        }
    )
    sheets = _Sheets(workbook)
    front = sheets.sheet("About this pack")
    front.write_string(0, 0, pack.title, sheets.title)
    sheets.widen(front, 1, 40)
    row = 2
    for label, value in pack.about:
        front.write_string(row, 0, label, sheets.bold)
        front.write_string(row, 1, value)
        row += 1
    row += 1
    front.write_string(row, 0, "At a glance", sheets.heading)
    row += 1
    for paragraph in pack.glance.paragraphs:
        row = _paragraph(front, sheets, row, paragraph)
    if pack.glance.table:
        row = _table(front, sheets, row + 1, pack.glance.table)
    front.write_string(row, 0, pack.headline.heading, sheets.heading)
    row += 1
    for paragraph in pack.headline.paragraphs:
        row = _paragraph(front, sheets, row, paragraph)
    if pack.headline.chart:
        row = _paragraph(
            front,
            sheets,
            row,
            f"Chart in the HTML and PDF pack: {pack.headline.chart.caption}",
            sheets.note,
        )
    if pack.headline.table:
        row = _table(front, sheets, row + 1, pack.headline.table)
    front.write_string(row, 0, "How to read this pack", sheets.heading)
    row += 1
    for paragraph in pack.how_to_read:
        row = _paragraph(front, sheets, row, f"• {paragraph}")
    row += 1
    row = _key(front, sheets, row, pack)
    for section in [*pack.sections, pack.limits, *([pack.information] if pack.information else [])]:
        _section_sheet(sheets, section)
    notes = sheets.sheet("Notes and definitions")
    notes.write_string(0, 0, "Definitions and sources", sheets.title)
    notes.write_string(
        1,
        0,
        "From the Chorus indicator register: what each figure counts, "
        "where it comes from and how it is protected.",
    )
    headings = ["Indicator", *DEFINITION_LABELS]
    first, last = 3, 3 + max(len(pack.definitions), 1)
    notes.add_table(
        first,
        0,
        last,
        len(headings) - 1,
        {
            "name": sheets.table_name(),
            "autofilter": False,
            "style": "Table Style Light 1",
            "columns": [{"header": h} for h in headings],
        },
    )
    sheets.widen(notes, 0, 50)
    for col in range(1, len(headings)):
        sheets.widen(notes, col, 40)
    for offset, definition in enumerate(pack.definitions, start=1):
        notes.write_string(first + offset, 0, definition.title, sheets.wrap)
        for col, (_, value) in enumerate(definition.fields, start=1):
            notes.write_string(first + offset, col, value, sheets.wrap)
    _key(notes, sheets, last + 3, pack)
    sheets.finish()
    workbook.close()
    return target


def _key(sheet: Worksheet, sheets: _Sheets, row: int, pack: Pack) -> int:
    sheet.write_string(row, 0, "Key to symbols", sheets.heading)
    sheets.widen(sheet, 0, 50)
    sheets.widen(sheet, 1, 60)
    row += 1
    sheet.add_table(
        row,
        0,
        row + len(pack.key),
        1,
        {
            "name": sheets.table_name(),
            "autofilter": False,
            "style": "Table Style Light 1",
            "columns": [{"header": "Symbol"}, {"header": "Meaning"}],
        },
    )
    for offset, (symbol, meaning) in enumerate(pack.key, start=1):
        sheet.write_string(row + offset, 0, symbol, sheets.bold)
        sheet.write_string(row + offset, 1, meaning, sheets.wrap)
    return row + len(pack.key) + 2
