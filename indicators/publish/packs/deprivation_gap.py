"""The slope index of inequality in a pack: the published indicators/inequality.csv
(indicators/publish/inequality.py) set out beside the figure it is computed from.

Data flows one way: the rows are read as published (their SII, limits, end values and
sentence, text as written), never recomputed. A block goes in the section of the indicator's
register domain, right after the indicator's own block, for every indicator of the pack's
framework that has rows for the pack's area. Nothing here names an indicator.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from indicators.publish import period_keys as pk
from indicators.publish.packs.model import Block, Cell, Column, Row, Section, Table
from indicators.publish.packs.wording import period_label

INEQUALITY_FILE = "inequality.csv"
NOT_CALCULATED = "x"


def read_inequality(indicators_folder: Path) -> pd.DataFrame | None:
    """The published inequality.csv of a publication's indicators/ folder (text columns);
    None when it is absent."""
    path = indicators_folder / INEQUALITY_FILE
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _number(text: str, suffix: str = "") -> Cell:
    if text == NOT_CALCULATED or not text:
        return Cell(NOT_CALCULATED, css="num")
    return Cell(f"{text}{suffix}", values=(float(text),), formats=("0.0",), css="num")


def _limits(lower: str, upper: str) -> Cell:
    if NOT_CALCULATED in (lower, upper) or not lower or not upper:
        return Cell(NOT_CALCULATED, values=(NOT_CALCULATED, NOT_CALCULATED), css="num")
    return Cell(
        f"{lower} to {upper}",
        values=(float(lower), float(upper)),
        formats=("0.0", "0.0"),
        css="num",
    )


def inequality_block(rows: pd.DataFrame, indicator_id: str, title: str) -> Block:
    """One indicator's slope index of inequality for one area, a row per published period
    (oldest first), in the published words."""
    rows = rows.set_index("time_period").loc[pk.ordered(rows["time_period"].unique())]
    breakdown = str(rows["breakdown"].iloc[0])
    block = Block(
        id=f"inequality-{indicator_id}".replace("_", "-"),
        heading="The gap between the most and least deprived areas",
        indicator_id=indicator_id,
    )
    block.paragraphs.append(
        f"How wide is the gap in “{title}” between children in the most and the least "
        "deprived areas? The slope index of inequality estimates it across all five fifths "
        "of areas, from the most deprived fifth to the least deprived, not from the two "
        "ends alone. It is in percentage points: a positive gap means the figure is higher "
        "in less deprived areas. The 95% confidence limits give the range the gap is likely "
        "to lie in; when they include zero there is no clear gap."
    )
    table_rows = []
    for period, record in rows.iterrows():
        table_rows.append(
            Row(
                header=period_label(str(period)),
                cells=[
                    _number(record["sii"]),
                    _limits(record["sii_lower_95"], record["sii_upper_95"]),
                    _number(record["most_deprived_value"], "%"),
                    _number(record["least_deprived_value"], "%"),
                    Cell(record["statement"]),
                ],
                attrs={
                    "indicator": indicator_id,
                    "period": str(period),
                    "area": str(record["area_code"]),
                    "inequality": "sii",
                },
            )
        )
    methods = sorted(set(rows["method"]) - {""})
    notes = [f"Method: {method}." for method in methods]
    notes.append(
        f"The fifths are the {breakdown} breakdown of this pack's figures, as published, "
        "after small numbers are hidden: a year with a hidden or empty fifth has no gap (x). "
        f"The deprivation index{' (IDACI)' if 'IDACI' in breakdown else ''} ranks areas, "
        "not families: not every child in a "
        "deprived area is in a low-income family, and many low-income families live in "
        "less deprived areas."
    )
    block.tables.append(
        Table(
            caption=f"Slope index of inequality: {title}",
            columns=[
                Column("Year", width=9),
                Column("Gap, percentage points", numeric=True, width=11),
                Column(
                    "95% confidence limits",
                    ("95% limit from", "95% limit to"),
                    numeric=True,
                    width=13,
                ),
                Column("Most deprived fifth", numeric=True, width=10),
                Column("Least deprived fifth", numeric=True, width=10),
                Column("What it says", width=40),
            ],
            rows=table_rows,
            notes=notes,
            kind="inequality",
        )
    )
    return block


def add_inequality_blocks(
    sections: list[Section],
    inequality: pd.DataFrame | None,
    area_code: str,
    framework_indicators: tuple[str, ...],
    register: dict[str, dict],
) -> None:
    """Each framework indicator's SII block for `area_code`, right after the indicator's own
    block in the section of its domain (appended when the section has no such block; left
    out when the pack has no section of the domain)."""
    if inequality is None or inequality.empty:
        return
    mine = inequality[
        (inequality["area_code"] == area_code)
        & inequality["indicator_id"].isin(framework_indicators)
    ]
    by_heading = {section.heading: section for section in sections}
    for indicator_id, rows in mine.groupby("indicator_id", sort=True):
        meta = register.get(str(indicator_id), {})
        section = by_heading.get(str(meta.get("domain", "")))
        if section is None:
            continue
        block = inequality_block(rows, str(indicator_id), meta.get("title") or str(indicator_id))
        own = [i for i, b in enumerate(section.blocks) if b.indicator_id == indicator_id]
        section.blocks.insert(own[-1] + 1 if own else len(section.blocks), block)
