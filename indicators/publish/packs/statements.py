"""People's statements beside the rows they explain (a framework's `statements:`): a cell
with a control that reveals them (on hover and on keyboard focus in the HTML), their text in
the spreadsheet, and the same statements printed after the table (the PDF).
"""

from __future__ import annotations

from collections.abc import Sequence

from indicators.publish.packs.frames import Publication
from indicators.publish.packs.layout import MAX_QUOTES
from indicators.publish.packs.model import Build, Cell, Column, Quote, Table


def statements_cell(
    build: Build, quotes: Sequence[Quote], heading: str, total: int | None = None
) -> Cell:
    """A cell revealing the statements that explain its row: a focusable control described
    by them (HTML: shown on hover and on keyboard focus), their text in the spreadsheet.
    `total`: how many explain the row when only some are shown ("3 of 5")."""
    if not quotes:
        return Cell(text="none", css="statements-none")
    count = f"{len(quotes)} of {total}" if total and total > len(quotes) else f"{len(quotes)}"
    text = "\n".join(f"“{q.text}” ({q.source})" for q in quotes)
    if count != f"{len(quotes)}":
        text += f"\n({count} shown)"
    return Cell(
        text=text,
        quotes=tuple(quotes),
        css="statements",
        ref=build.next("statements"),
        label=f"{heading} ({count})",
    )


def with_statements(pub: Publication, build: Build, table: Table, area_code: str) -> Table:
    """`table` with a statements column when the framework attaches statements to its rows'
    breakdown (statements.breakdowns) or indicators (statements.explains), and the statements
    printed after it for the PDF."""
    declared = pub.framework.statements
    rows = [row for row in table.rows if pub.has_statements(row.attrs)]
    if not rows:
        return table
    table.columns.append(Column(declared.heading, width=24))
    shown: set[str] = set()
    for row in table.rows:
        breakdown = row.attrs.get("breakdown", "")
        found = pub.row_statements(area_code, row.attrs)
        if declared.explains:
            # every statement of the row's area and period (up to MAX_QUOTES, the label
            # says of how many); printed once in the pack: the same words of the same
            # area and period beside another table are pointed to, not printed again
            quotes = tuple(found[:MAX_QUOTES])
            row.cells.append(statements_cell(build, quotes, declared.heading, len(found)))
            if not quotes:
                continue
            place = (row.attrs.get("area") or area_code, row.attrs.get("period", ""))
            first = build.statements_printed.setdefault(
                (*place, *(q.text for q in quotes)), table.caption
            )
            if first == table.caption:
                table.printed.append((row.header, quotes))
            else:
                table.printed.append((f"{row.header}: as printed after “{first}”", ()))
            continue
        # the most specific first (a statement explaining the fewest of the breakdown's
        # groups: "Your home" before "Your family" beside Accommodation), most recent first
        # among equals; a statement whose topic informs several rows is given once, where it
        # comes first; a row whose every statement is given above repeats its first
        found = sorted(found, key=lambda q: pub.statement_reach(area_code, breakdown, q.text))
        fresh = [quote for quote in found if quote.text not in shown]
        quotes = tuple((fresh or found)[:MAX_QUOTES])
        shown.update(quote.text for quote in quotes)
        row.cells.append(statements_cell(build, quotes, declared.heading))
        if quotes:
            table.printed.append((row.header, quotes))
    table.printed_heading = declared.heading
    if declared.note:
        table.notes.append(declared.note)
    return table
