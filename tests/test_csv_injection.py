"""Published CSVs never hold a text cell that a spreadsheet would run as a formula (OWASP CSV
injection): a cell starting with =, +, -, @, a tab or a carriage return is published with a
leading single quote; plain numbers are left alone."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

RISKY = [
    "=1+1 we read every night",
    "+44 is not a phone we use",
    "-the bus is late",
    "@hub staff are lovely",
    '=HYPERLINK("http://x","click")',
    "\tindented",
]


@pytest.mark.parametrize("writer", ["publication", "open_data"])
def test_formula_like_text_is_published_with_a_leading_quote(tmp_path, writer):
    from indicators.publish import open_data, publication

    frame = pd.DataFrame(
        {
            "quote": RISKY + ["We read every night"],
            "value": ["-1.5", "2", "+3", "-0.25", "1e3", "", "7"],
            "count": [1, -2, 3, 4, 5, 6, 7],
        }
    )
    path = tmp_path / "out.csv"
    if writer == "publication":
        publication.write_csv(frame, path)
    else:
        open_data._write_csv(frame, path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    quotes = [row["quote"] for row in rows]
    assert quotes[:-1] == ["'" + text for text in RISKY]
    assert quotes[-1] == "We read every night"
    for row in rows:
        assert row["quote"][:1] not in ("=", "+", "-", "@", "\t", "\r")
    # numbers stay numbers
    assert [row["value"] for row in rows] == ["-1.5", "2", "+3", "-0.25", "1e3", "", "7"]
    assert [row["count"] for row in rows] == ["1", "-2", "3", "4", "5", "6", "7"]


def test_a_safe_cell_is_quoted_only_when_a_spreadsheet_would_run_it():
    from indicators.publish.publication import safe_cell

    assert safe_cell("=SUM(A1:A9)") == "'=SUM(A1:A9)"
    assert safe_cell("-12.5") == "-12.5"
    assert safe_cell("- not shown") == "'- not shown"
    assert safe_cell(3) == 3
