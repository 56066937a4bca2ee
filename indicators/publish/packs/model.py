"""The content of a pack: a `Pack` of sections, blocks, tables, cells, charts and
definitions, built once (indicators/publish/packs/content.py) and drawn by every renderer
(indicators/publish/packs/render.py), so the HTML, the PDF and the spreadsheet say the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from markupsafe import Markup

from indicators.publish import claims as cl
from indicators.publish import period_keys as pk
from indicators.publish.packs import charts
from indicators.publish.packs.wording import SYMBOL_KEY, period_label

# --------------------------------------------------------------------------------------------
# The model both renderers read
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    """Which run produced the pack, when it was published and the years it covers."""

    run_id: str
    published: dt.date
    first_period: str
    """Earliest period in the data, keyed as packs key it (e.g. '202122', '2024-M04')."""
    last_period: str
    """Latest period in the data (e.g. '202425', '2024-M05')."""
    la_word: str = "borough"
    """What residents call the authority in 'the borough average' (county, city...)."""
    spans: tuple[tuple[str, str], ...] = ()
    """(first, last) key of each period type, when the data has more than one (a pack of
    academic years and financial years): each type's periods are named on their own."""

    @property
    def period(self) -> str:
        """'2021/22 to 2024/25', 'April 2024 to May 2024'; with several period types each its
        own span, academic years named as such: '2022/23 to 2024/25 (academic years);
        Financial year Q1 2023/24 to Financial year Q3 2024/25'."""
        if len(self.spans) > 1:
            return "; ".join(_span_text(first, last, typed=True) for first, last in self.spans)
        return _span_text(self.first_period, self.last_period)

    @classmethod
    def for_values(
        cls,
        run_id: str,
        indicator_values: pd.DataFrame,
        published: dt.date | None = None,
        la_word: str = "borough",
    ) -> RunInfo:
        """Run details with the data period read from the published table's time_period."""
        periods = pk.ordered(indicator_values["time_period"].astype(str).unique())
        if not periods:
            raise ValueError("the indicator table is empty: there is nothing to publish")
        by_type: dict[str, list[str]] = {}
        for key in periods:
            by_type.setdefault(pk.period_word(key), []).append(key)
        spans = tuple((keys[0], keys[-1]) for keys in by_type.values())
        return cls(
            run_id=run_id,
            published=published or dt.date.today(),
            first_period=periods[0],
            last_period=periods[-1],
            la_word=la_word,
            spans=spans if len(spans) > 1 else (),
        )


def _span_text(first: str, last: str, typed: bool = False) -> str:
    """'2021/22 to 2024/25'; `typed`: an academic year's span (named by its year alone)
    followed by its type's name in the plural, '(academic years)'."""
    words = period_label(first)
    if first != last:
        words += f" to {period_label(last)}"
    if typed and pk.split_key(first)[1] is None:
        kind = pk.bare_year_type()
        if kind is not None:
            words += f" ({kind.label}{'' if first == last else 's'})"
    return words


@dataclass(frozen=True)
class Quote:
    text: str
    source: str
    """Where and when: 'Northgate, 2024/25'."""


@dataclass(frozen=True)
class Cell:
    """One table cell: its words, and what the spreadsheet stores (numbers as numbers)."""

    text: str
    values: tuple[float | str, ...] = ()
    """Spreadsheet values, one per spreadsheet column of this column (default: the text)."""
    formats: tuple[str, ...] = ()
    """Excel number formats for numeric values, in step with `values`."""
    css: str = ""
    code: str = ""
    """Machine-readable code behind the words (e.g. the published comparison)."""
    quotes: tuple[Quote, ...] = ()
    graphic: Markup | None = None
    """A small inline SVG drawn under the text (HTML and PDF only; its numbers are the text)."""
    claim: str = ""
    """The id of the claim whose words this cell shows (claims.csv), if any."""
    ref: str = ""
    """An element id for what the cell reveals (statements: aria-describedby)."""
    label: str = ""
    """The words of the control that reveals the cell's statements."""

    def sheet_values(self) -> tuple[float | str, ...]:
        return self.values or (self.text,)


@dataclass(frozen=True)
class Column:
    label: str
    sheet_labels: tuple[str, ...] = ()
    """Spreadsheet headings when one column holds several numbers (e.g. an interval)."""
    numeric: bool = False
    width: int = 16

    def sheet_headings(self) -> tuple[str, ...]:
        return self.sheet_labels or (self.label,)


@dataclass
class Row:
    header: str
    cells: list[Cell]
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Table:
    caption: str
    columns: list[Column]
    """The first column heads the row headers."""
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    kind: str = "latest"
    printed: list[tuple[str, tuple[Quote, ...]]] = field(default_factory=list)
    """Statements printed after the table (the PDF), by the row they explain."""
    printed_heading: str = ""

    @property
    def widths(self) -> list[float]:
        """Each column's share of the table width, in per cent (fixed table layout)."""
        weights = [c.width for c in self.columns]
        total = sum(weights)
        return [round(100 * w / total, 2) for w in weights]


@dataclass
class Chart:
    svg: Markup
    caption: str


@dataclass
class Item:
    """One entry of a bulleted list (with data-* attributes for the HTML)."""

    text: str
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Block:
    id: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    indicator_id: str = ""
    items: list[Item] = field(default_factory=list)


@dataclass
class Section:
    id: str
    heading: str
    sheet: str
    """Spreadsheet sheet name (31 characters at most)."""
    paragraphs: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)


@dataclass
class Definition:
    indicator_id: str
    title: str
    fields: list[tuple[str, str]]


@dataclass
class Headline:
    paragraphs: list[str]
    chart: Chart | None
    table: Table | None
    heading: str = ""
    """The headline's heading (its framework's `headline.heading`)."""


@dataclass
class Glance:
    """The page at a glance: every domain's headline indicators with value, interval and
    comparisons in words and symbols, and a spine-chart bar per row."""

    paragraphs: list[str]
    table: Table | None


@dataclass
class Pack:
    slug: str
    title: str
    area_name: str
    area_code: str
    level: str
    la_name: str
    run: RunInfo
    headline: Headline
    how_to_read: list[str]
    sections: list[Section]
    limits: Section
    definitions: list[Definition]
    glance: Glance = field(default_factory=lambda: Glance(paragraphs=[], table=None))
    claims: list[cl.Claim] = field(default_factory=list)
    """Every claim the pack makes (or declines to make), each once, as published."""
    subject: str = ""
    """What the pack is about (its framework's `subject`), after the authority's name."""
    key: tuple[tuple[str, str], ...] = SYMBOL_KEY
    information: Section | None = None
    """The authority pack's chapter on where its information comes from (packs/information.py)."""
    authority_level: str = "Local authority"
    """The level of the pack's authority (its framework's audience: a combined authority's
    is English devolved area), naming `la_name` in "About this pack"."""

    @property
    def has_statements(self) -> bool:
        """Whether any table reveals statements (the page then carries their styles)."""
        tables = [t for s in self.sections for b in s.blocks for t in b.tables]
        return any(t.printed for t in tables)

    @property
    def about(self) -> list[tuple[str, str]]:
        return [
            ("Area", self.area_name),
            ("Area code", self.area_code),
            ("Geographic level", self.level),
            (self.authority_level, self.la_name),
            ("Published", f"{self.run.published.day} {self.run.published:%B %Y}"),
            ("Data period", self.run.period),
            ("Run id", self.run.run_id),
        ]


class Build(charts.Ids):
    """One pack's build: unique element ids and the claims it makes."""

    def __init__(self, area_code: str) -> None:
        super().__init__(prefix="p")
        self.log = cl.ClaimLog(area_code)
        self.statements_printed: dict[tuple[str, ...], str] = {}
        """(area, period, the words) -> the caption of the table they were printed after."""

    def claim(self, claim: cl.Claim) -> cl.Claim:
        return self.log.add(claim)
