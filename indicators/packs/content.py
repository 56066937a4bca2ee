"""What a board pack says: built once per area from the published frames, then rendered.

The HTML (and the PDF made from it) and the spreadsheet are both drawn from the `Pack` built
here, so they carry the same words and numbers. Every number comes from the published
indicator table (already through disclosure control, all text with EES symbols); this module
never sees a suppressed count, and a symbol (`c`, `x`, `z`, `low`) is shown as that symbol.

Every statement a board reads (a comparison, ranking, trend, representation verdict or "who
we did not hear from") is a claim from `indicators.claims`, computed from the published
table and rendered by its one renderer (`claims.sentence` in running text, `claims.short` in
a table column named after the benchmark); the pack keeps the claims it makes (`Pack.claims`)
and publishes them beside it. Counts are labelled by the register's `numerator_unit` and
`denominator_unit` (children, families, answers), never by guesswork from the indicator.
Trends use the NHS Making Data Count XmR reading from `indicators.statistics` where there are
enough points, and otherwise the published Fingertips trend (`recent_trend`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from markupsafe import Markup

from indicators import claims as cl
from indicators import statistics as st
from indicators.disclosure import (
    LOW,
    LOW_RELIABILITY,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SUPPRESSED,
)
from indicators.packs import charts

LA_LEVEL = "Local authority"
NEIGHBOURHOOD_LEVEL = "Neighbourhood"
NATIONAL_LEVEL = "National"
HEADLINE_INDICATOR = "gld"
AMBITION = 75.0
"""The national ambition (Plan for Change, December 2024): 75% of children at GLD by 2028."""
SMALL_NUMBER = 50
"""Results from fewer children or respondents than this are listed as resting on small numbers."""
MAX_QUOTES = 3
"""Consented quotes shown beside each question, most recent first."""

SCHOOL_READINESS = "School readiness"
WHO_WE_HEARD = "Who we heard from"
DOMAIN_ORDER = (SCHOOL_READINESS, "Play and learning at home", "Health and development",
                "Access to services", "Family circumstances")
WHO_INDICATORS = ("voice_reach", "voice_reach_group", "cohort_eal_share",
                  "voice_channel_seldom_heard")
TREND_CHART_INDICATORS = frozenset({"voice_reach"})
"""Besides School readiness, single series drawn as a trend chart (the rest are tables only,
which keeps a neighbourhood pack short enough to render in under two seconds)."""
ITEM_BREAKDOWN = "Voice item"
ITEM_POSITIVE = "voice_item_positive"
ITEM_MEAN = "voice_item_mean"
LINKED_PREFIX = "Voice item: "
DOMAIN_BREAKDOWN = "Voice domain"
NEIGHBOURHOOD_BREAKDOWN = "Neighbourhood"
ALL = "All"
EAL_GROUP = "English as an additional language"
COHORT_SHARES = {EAL_GROUP: "cohort_eal_share"}
"""Seldom-heard groups whose share of respondents can be set beside a share of the cohort."""
CHANNEL_INDICATOR = "voice_channel_seldom_heard"
REACH_INDICATOR = "voice_reach"
GLANCE = (
    (SCHOOL_READINESS, "gld", ALL),
    (SCHOOL_READINESS, "average_elgs_expected", ALL),
    (SCHOOL_READINESS, "all_elgs_expected", ALL),
    ("", "voice_domain_positive", DOMAIN_BREAKDOWN),
    (WHO_WE_HEARD, REACH_INDICATOR, ALL),
)
"""The headline indicators on the page at a glance: (domain, indicator, breakdown). A
breakdown other than All gives one row per group (a voice domain's row sits in its domain)."""
UNIT_MEANINGS = {
    "children": "children in the reception cohort (one per child, from the EYFSP return)",
    "families": "families who answered the survey (one per response, from a parent or carer)",
    "answers": "answers to survey questions (a family answers several, so answers are not "
               "people and their intervals are too narrow to compare)",
    "score": "points on a scale, summed over the people counted (for an average)",
}
"""What each count unit (register numerator_unit / denominator_unit) means, for "how to read"."""

SYMBOL_KEY: tuple[tuple[str, str], ...] = (
    (SUPPRESSED, "Confidential: not shown, because it rests on a small number of children or "
                 "families, or could be used to work one out."),
    (NOT_AVAILABLE, "Not available: there is no figure (for example, no England figure for a "
                    "survey question)."),
    (NOT_APPLICABLE, "Not applicable: the measure does not apply (for example, the trend test "
                     "is only for percentages)."),
    (LOW, "Rounds to zero but is not zero."),
    (LOW_RELIABILITY, "Low reliability: a survey result from fewer than twice the minimum "
                      "number of respondents. Read it with care."),
)
SYMBOLS = frozenset(symbol for symbol, _ in SYMBOL_KEY)
_SYMBOL_WORDS = {SUPPRESSED: "not shown", NOT_AVAILABLE: "not available",
                 NOT_APPLICABLE: "not applicable", LOW: "rounds to zero",
                 LOW_RELIABILITY: "low reliability"}
_MISSING_WHY = {
    SUPPRESSED: "not shown (c), to protect the privacy of the few children or families behind "
                "it or a figure beside it",
    NOT_AVAILABLE: "not available (x)", NOT_APPLICABLE: "not applicable (z)"}
"""Why a figure is missing, said once (the symbol and its reason, never the symbol twice)."""
NUMERIC = ("value", "lower_ci_95", "upper_ci_95", "numerator", "denominator")
REQUIRED = ("indicator_id", "time_period", "geographic_level", "area_code", "area_name",
            "breakdown", "group", "numerator", "denominator", "value")
QUOTE_COLUMNS = ("quote", "item_id", "item", "domain", "neighbourhood_code",
                 "neighbourhood_name", "year", "time_period")
_POLARITY_WORDS = {st.HIGH_IS_GOOD: "Higher is better", st.LOW_IS_GOOD: "Lower is better",
                   st.BLUE_ORANGE_BLUE: "Neither higher nor lower is better in itself",
                   st.NOT_APPLICABLE: "Neither higher nor lower is better in itself"}
_TREND_WORDS = {
    SUPPRESSED: "not shown (c)",
    NOT_AVAILABLE: "not available (x)",
    NOT_APPLICABLE: "not tested (z)",
    st.COULD_NOT_BE_CALCULATED: "could not be calculated",
}


# --------------------------------------------------------------------------------------------
# Small words and numbers
# --------------------------------------------------------------------------------------------


def slugify(name: str) -> str:
    """Lower-case-hyphenated area name: 'Harrowdale (synthetic)' -> 'harrowdale-synthetic'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "area"


def period_label(time_period: str | int) -> str:
    """'202425' -> '2024/25' (EES six-digit academic years); anything else unchanged."""
    text = str(time_period)
    return f"{text[:4]}/{text[4:]}" if re.fullmatch(r"\d{6}", text) else text


def _lower_first(text: str) -> str:
    """'Sex' -> 'sex' but 'FSM eligibility' stays (acronyms keep their capitals)."""
    return text[:1].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


def _count(text: str) -> str:
    """A published count with thousands separators; symbols unchanged."""
    return f"{int(float(text)):,}" if re.fullmatch(r"\d+(\.0+)?", text) else text


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def unit_suffix(unit: str) -> str:
    """What follows a number of this unit in running text ('%' for '%', '% of answers'...,
    or nothing)."""
    return "%" if unit.strip().startswith("%") else ""


def _with_unit(text: str, unit: str) -> str:
    """'55.2' -> '55.2%'; a symbol stays bare."""
    return text + unit_suffix(unit) if text not in SYMBOLS else text


def _unit_label(unit: str) -> str:
    unit = unit.strip()
    return "%" if unit == "%" else unit


def _sheet_format(text: str, unit: str, count: bool = False) -> str:
    decimals = _decimals(text)
    base = "#,##0" if count else "0"
    number = base + ("." + "0" * decimals if decimals else "")
    return number + '"%"' if unit_suffix(unit) and not count else number


def _valid_polarity(polarity: str) -> str:
    return polarity if polarity in st.POLARITIES else st.NOT_APPLICABLE


def count_units(meta: Mapping[str, str]) -> tuple[str, str]:
    """What the indicator's numerator and denominator count (register numerator_unit and
    denominator_unit: children, families, answers or score).

    Raises ValueError when the register does not say: a pack never guesses a unit.
    """
    units = (str(meta.get("numerator_unit", "")).strip(),
             str(meta.get("denominator_unit", "")).strip())
    if not all(units):
        raise ValueError(f"the register gives no numerator_unit or denominator_unit for "
                         f"{meta.get('indicator_id', 'an indicator')}: every indicator "
                         "declares what it counts")
    return units


def count_heading(meta: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """The count column's heading and its spreadsheet headings, named by the units.

    'Children' (n of d) when both count children; 'Families / children' when a number of
    families is set against a number of children; for an average, what it is over.
    """
    numerator, denominator = count_units(meta)
    if meta.get("value_type") == "mean":
        return denominator.capitalize(), (denominator.capitalize(),)
    if numerator == denominator:
        return numerator.capitalize(), (f"{numerator.capitalize()}: counted",
                                        f"{denominator.capitalize()}: all")
    return (f"{numerator.capitalize()} / {denominator}",
            (f"{numerator.capitalize()}: counted", f"{denominator.capitalize()}: all"))


def trend_words(code: str) -> str:
    """The published `recent_trend` as plain words."""
    code = code.strip()
    return _TREND_WORDS.get(code, code or _TREND_WORDS[NOT_AVAILABLE])


def _join(words: Sequence[str]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# --------------------------------------------------------------------------------------------
# The model both renderers read
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    """Which run produced the pack, when it was published and the years it covers."""

    run_id: str
    published: dt.date
    first_period: str
    """Earliest academic year in the data, as published (e.g. '202122')."""
    last_period: str
    """Latest academic year in the data (e.g. '202425')."""
    la_word: str = "borough"
    """What residents call the authority in 'the borough average' (county, city...)."""

    @property
    def period(self) -> str:
        """'2021/22 to 2024/25'."""
        first, last = period_label(self.first_period), period_label(self.last_period)
        return first if first == last else f"{first} to {last}"

    @classmethod
    def for_values(cls, run_id: str, indicator_values: pd.DataFrame,
                   published: dt.date | None = None, la_word: str = "borough") -> RunInfo:
        """Run details with the data period read from the published table's time_period."""
        periods = sorted(indicator_values["time_period"].astype(str).unique())
        if not periods:
            raise ValueError("the indicator table is empty: there is nothing to publish")
        return cls(run_id=run_id, published=published or dt.date.today(),
                   first_period=periods[0], last_period=periods[-1], la_word=la_word)


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
    key: tuple[tuple[str, str], ...] = SYMBOL_KEY

    @property
    def about(self) -> list[tuple[str, str]]:
        return [("Area", self.area_name), ("Area code", self.area_code),
                ("Geographic level", self.level), ("Local authority", self.la_name),
                ("Published", f"{self.run.published.day} "
                              f"{self.run.published:%B %Y}"),
                ("Data period", self.run.period), ("Run id", self.run.run_id)]


class Build(charts.Ids):
    """One pack's build: unique element ids and the claims it makes."""

    def __init__(self, area_code: str) -> None:
        super().__init__(prefix="p")
        self.log = cl.ClaimLog(area_code)

    def claim(self, claim: cl.Claim) -> cl.Claim:
        return self.log.add(claim)


# --------------------------------------------------------------------------------------------
# The published frames, read once for every pack
# --------------------------------------------------------------------------------------------


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts (much quicker than DataFrame.to_dict on these mixed-type slices)."""
    columns = list(frame.columns)
    return [dict(zip(columns, row, strict=True)) for row in frame.to_numpy(dtype=object)]


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype("string").fillna("").astype(object)


class Publication:
    """The published frames, indexed once so each area's pack is quick to build.

    Raises ValueError when the table has no local authority row, more than one authority
    (packs assume one authority per publication), or an indicator without a register entry.
    """

    def __init__(self, indicator_values: pd.DataFrame, register: pd.DataFrame,
                 quotes: pd.DataFrame | None, run: RunInfo,
                 england: pd.DataFrame | None = None, items: pd.DataFrame | None = None
                 ) -> None:
        missing = [c for c in REQUIRED if c not in indicator_values.columns]
        if missing:
            raise ValueError(f"the indicator table lacks {', '.join(missing)}")
        self.run = run
        values = _text(indicator_values)
        for column in ("lower_ci_95", "upper_ci_95", "compared_with_la",
                       "compared_with_england", "recent_trend"):
            if column not in values:
                values[column] = NOT_AVAILABLE
        if "reliability" not in values:
            values["reliability"] = "normal"
        for column in NUMERIC:
            values[f"_{column}"] = pd.to_numeric(values[column], errors="coerce")
        values["_published_breakdown"] = values["breakdown"]
        values["_published_group"] = values["group"]
        national = values["geographic_level"] == NATIONAL_LEVEL
        self.values = values[~national].reset_index(drop=True)
        self.register = {row["indicator_id"]: row
                         for row in _text(register).to_dict("records")}
        self.order = {key: position for position, key in enumerate(self.register)}
        unknown = sorted(set(self.values["indicator_id"]) - set(self.register))
        if unknown:
            raise ValueError(f"indicators without a register entry: {', '.join(unknown)}")
        authorities = self.values.loc[self.values["geographic_level"] == LA_LEVEL,
                                      ["area_code", "area_name"]].drop_duplicates()
        if len(authorities) != 1:
            raise ValueError("board packs need exactly one local authority in the table, "
                             f"found {len(authorities)}")
        self.la_code, self.la_name = authorities.iloc[0]
        self.la_label = f"the {run.la_word} average"
        hoods = self.values.loc[self.values["geographic_level"] == NEIGHBOURHOOD_LEVEL,
                                ["area_code", "area_name"]].drop_duplicates("area_code")
        self.neighbourhoods = list(hoods.sort_values("area_code").itertuples(index=False,
                                                                             name=None))
        self.items = self._items(items, quotes)
        self.england = self._england(england, values[national])
        self.labels = {item_id: item["wording"] for item_id, item in self.items.items()
                       if item.get("wording")}
        england_columns = ["indicator_id", "time_period", "breakdown", "group", "value"]
        reference = pd.concat(
            [values.loc[national, england_columns],
             *([_text(england)[england_columns]] if england is not None and len(england)
               else [])], ignore_index=True)
        published_columns = [*REQUIRED, "lower_ci_95", "upper_ci_95", "compared_with_la",
                             "compared_with_england", "recent_trend", "reliability"]
        self.published = cl.Published(self.values[published_columns], register, reference)
        self.quotes = self._quotes(quotes)
        self._index_quotes()
        self._annotate()
        la = self.values[self.values["geographic_level"] == LA_LEVEL]
        self.la_values = dict(zip(
            zip(la["indicator_id"], la["time_period"], la["breakdown"], la["group"],
                strict=True), la["_value"], strict=True))
        self.la_all = {(i, p): v for (i, p, b, _), v in self.la_values.items() if b == ALL}
        self.by_area = {code: frame for code, frame in self.values.groupby("area_code",
                                                                         sort=False)}

    @staticmethod
    def _items(items: pd.DataFrame | None, quotes: pd.DataFrame | None
               ) -> dict[str, dict[str, str]]:
        """item_id -> wording, domain and order, from the item bank or else the quotes."""
        found: dict[str, dict[str, str]] = {}
        if items is not None and len(items):
            bank = _text(items)
            if "status" in bank:
                bank = bank.assign(_rank=(bank["status"] == "active").astype(int))
                bank = bank.sort_values("_rank", kind="stable")
            for row in bank.to_dict("records"):
                found[row["item_id"]] = {"wording": row.get("wording", ""),
                                         "domain": row.get("domain", ""),
                                         "scale": row.get("response_scale", "")}
        if quotes is not None and len(quotes) and {"item_id", "item"} <= set(quotes.columns):
            for row in _text(quotes).drop_duplicates("item_id").to_dict("records"):
                found.setdefault(row["item_id"], {"wording": row.get("item", ""),
                                                  "domain": row.get("domain", ""),
                                                  "scale": ""})
        for position, key in enumerate(found):
            found[key]["order"] = str(position)
        return found

    @staticmethod
    def _england(england: pd.DataFrame | None, national: pd.DataFrame
                 ) -> dict[tuple[str, str, str, str], float]:
        frames = [national[["indicator_id", "time_period", "breakdown", "group", "value"]]]
        if england is not None and len(england):
            frames.append(_text(england)[["indicator_id", "time_period", "breakdown", "group",
                                          "value"]])
        reference = pd.concat(frames, ignore_index=True)
        numbers = pd.to_numeric(reference["value"], errors="coerce")
        return dict(zip(zip(reference["indicator_id"], reference["time_period"],
                            reference["breakdown"], reference["group"], strict=True),
                        numbers, strict=True))

    @staticmethod
    def _quotes(quotes: pd.DataFrame | None) -> pd.DataFrame:
        if quotes is None or not len(quotes):
            return pd.DataFrame(columns=list(QUOTE_COLUMNS))
        frame = _text(quotes)
        for column in QUOTE_COLUMNS:
            if column not in frame:
                frame[column] = ""
        frame = frame[frame["quote"].str.strip() != ""]
        return frame.sort_values("time_period", ascending=False, kind="stable")

    def item_wording(self, item_id: str) -> str:
        item = self.items.get(item_id)
        return item["wording"] if item and item["wording"] else \
            item_id.replace("_", " ").capitalize()

    def _annotate(self) -> None:
        """Each row's domain (voice items by their own domain) and its row label."""
        keys = self.values[["indicator_id", "breakdown", "group"]].drop_duplicates()
        domains, labels, orders = [], [], []
        for indicator_id, breakdown, group in keys.itertuples(index=False, name=None):
            meta = self.register[indicator_id]
            item_id = (group if breakdown == ITEM_BREAKDOWN else
                       breakdown[len(LINKED_PREFIX):] if breakdown.startswith(LINKED_PREFIX)
                       else "")
            if indicator_id in WHO_INDICATORS:
                domain = WHO_WE_HEARD
            elif item_id and self.items.get(item_id, {}).get("domain"):
                domain = self.items[item_id]["domain"]
            elif breakdown == DOMAIN_BREAKDOWN:
                domain = group
            else:
                domain = meta.get("domain", "") or "Other"
            domains.append(domain)
            labels.append(self.item_wording(group) if breakdown == ITEM_BREAKDOWN else group)
            orders.append(int(self.items.get(group, {}).get("order", 0))
                          if breakdown == ITEM_BREAKDOWN else 0)
        keys = keys.assign(_domain=domains, _label=labels, _order=orders)
        self.values = self.values.merge(keys, on=["indicator_id", "breakdown", "group"],
                                        how="left", sort=False)

    def _index_quotes(self) -> None:
        """Quotes by (area, item), most recent first: the LA's are every neighbourhood's.

        The same words appear once in a cell (the most recent, with its source), even when
        families in several neighbourhoods or years wrote them.
        """
        self._quotes_by: dict[tuple[str, str], list[Quote]] = {}
        seen: set[tuple[str, str, str]] = set()
        for row in _records(self.quotes):
            when = row["year"] or period_label(row["time_period"])
            quote = Quote(text=row["quote"].strip(),
                          source=", ".join(p for p in (row["neighbourhood_name"], when) if p))
            for area in dict.fromkeys((row["neighbourhood_code"], self.la_code)):
                if (area, row["item_id"], quote.text) in seen:
                    continue
                seen.add((area, row["item_id"], quote.text))
                self._quotes_by.setdefault((area, row["item_id"]), []).append(quote)

    def quotes_for(self, area_code: str, item_id: str) -> tuple[Quote, ...]:
        """Up to MAX_QUOTES consented quotes about one item: the area's (all, for the LA)."""
        return tuple(self._quotes_by.get((area_code, item_id), ())[:MAX_QUOTES])

    def area_rows(self, area_code: str) -> pd.DataFrame:
        """The rows a pack shows: the area's own, and for the LA its neighbourhoods too."""
        own = self.by_area.get(area_code, self.values.iloc[0:0])
        if area_code != self.la_code:
            return own
        hoods = self.values[(self.values["geographic_level"] == NEIGHBOURHOOD_LEVEL)
                            & (self.values["breakdown"] == ALL)]
        hoods = hoods.assign(breakdown=NEIGHBOURHOOD_BREAKDOWN, group=hoods["area_name"],
                             _label=hoods["area_name"])
        return pd.concat([own, hoods], ignore_index=True)

    def borough_value(self, row: Mapping[str, str], area_code: str) -> float:
        """The borough figure a row is compared with (NaN for the borough itself)."""
        if area_code != self.la_code:
            return self.la_values.get((row["indicator_id"], row["time_period"],
                                       row["breakdown"], row["group"]), math.nan)
        if row["breakdown"] == ALL:
            return math.nan
        return self.la_all.get((row["indicator_id"], row["time_period"]), math.nan)

    def england_value(self, row: Mapping[str, str]) -> float:
        breakdown = ALL if row["breakdown"] == NEIGHBOURHOOD_BREAKDOWN else row["breakdown"]
        group = "All children" if breakdown == ALL else row["group"]
        return self.england.get((row["indicator_id"], row["time_period"], breakdown, group),
                                math.nan)


# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------


def _number(value: float) -> float | None:
    """A finite published number, or None (a symbol, or missing)."""
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _nan(value: float) -> float:
    """A finite published number, or NaN (what the charts take for 'not published')."""
    number = _number(value)
    return math.nan if number is None else number


def value_cell(row: Mapping, unit: str, reliability: bool = False) -> Cell:
    """The published value with its unit; `(u)` marks low reliability.

    With `reliability` the spreadsheet gets a second column holding `u` (or nothing).
    """
    text, number = row["value"], _number(row["_value"])
    low = row["reliability"] == "low"
    flag = (LOW_RELIABILITY if low else "",) if reliability else ()
    if number is None:
        return Cell(text=text, values=(text, *flag) if reliability else (), css="symbol num",
                    code=text)
    shown = _with_unit(text, unit) + (" (u)" if low else "")
    return Cell(text=shown, values=(number, *flag), formats=(_sheet_format(text, unit), ""),
                css="num low-reliability" if low else "num", code=LOW_RELIABILITY if low else "")


def interval_cell(row: Mapping, unit: str, bar: Markup | None = None) -> Cell:
    """'62.0% to 69.8%' (two numbers in the spreadsheet), with an optional interval bar."""
    lower, upper = row["lower_ci_95"], row["upper_ci_95"]
    low, high = _number(row["_lower_ci_95"]), _number(row["_upper_ci_95"])
    if low is None or high is None or _number(row["_value"]) is None:
        symbol = (row["value"] if row["value"] in SYMBOLS else lower if lower in SYMBOLS
                  else upper if upper in SYMBOLS else NOT_AVAILABLE)
        return Cell(text=symbol, values=(symbol, symbol), css="symbol num", code=symbol)
    return Cell(text=f"{_with_unit(lower, unit)} to {_with_unit(upper, unit)}",
                values=(low, high),
                formats=(_sheet_format(lower, unit), _sheet_format(upper, unit)), css="num",
                graphic=bar)


def _bar_bounds(records: Sequence[Mapping], unit: str,
                benchmarks: Iterable[float] = ()) -> tuple[float, float]:
    """0 to 100 for percentages, else a round range around every interval and benchmark."""
    if unit_suffix(unit):
        return 0.0, 100.0
    numbers = [n for r in records for n in (_nan(r["_lower_ci_95"]), _nan(r["_upper_ci_95"]),
                                            _nan(r["_value"])) if math.isfinite(n)]
    numbers += [n for n in benchmarks if math.isfinite(n)]
    low, high, _ = charts.nice_scale(min(numbers, default=math.nan),
                                     max(numbers, default=math.nan))
    return low, high


def _bar(record: Mapping, unit: str, bounds: tuple[float, float], label: str, *,
         borough: float = math.nan, england: float = math.nan,
         cohort: float = math.nan, cohort_label: str = "share of the cohort") -> Markup | None:
    value = _nan(record["_value"])
    if not math.isfinite(value):
        return None
    suffix = unit_suffix(unit)
    words = [f"{label}: {record['value']}{suffix}, 95% interval {record['lower_ci_95']}"
             f"{suffix} to {record['upper_ci_95']}{suffix}"]
    if math.isfinite(borough):
        words.append(f"borough average {borough:g}{suffix}")
    if math.isfinite(england):
        words.append(f"England {england:g}{suffix}")
    if math.isfinite(cohort):
        words.append(f"{cohort_label} {cohort:g}{suffix}")
    return charts.interval_bar(value=value, lower=_nan(record["_lower_ci_95"]),
                               upper=_nan(record["_upper_ci_95"]), bounds=bounds,
                               label="; ".join(words), borough=borough, england=england,
                               cohort=cohort)


def _bar_note(bounds: tuple[float, float], unit: str, borough: bool, england: bool,
              cohort: bool = False, la_word: str = "borough") -> str:
    suffix = unit_suffix(unit)
    marks = ["● the value"]
    if borough:
        marks.append(f"◆ the {la_word} average")
    if england:
        marks.append("□ England")
    if cohort:
        marks.append("▲ the share of children in the cohort")
    return (f"Bars show each 95% interval on a scale from {bounds[0]:g}{suffix} to "
            f"{bounds[1]:g}{suffix}: {', '.join(marks)}.")


def score_cell(row: Mapping | None) -> Cell:
    """An average score with its interval in one cell: '3.9 (3.6 to 4.1)'."""
    if row is None:
        return Cell(text=NOT_APPLICABLE, values=(NOT_APPLICABLE,) * 3, css="symbol",
                    code=NOT_APPLICABLE)
    value = _number(row["_value"])
    if value is None:
        return Cell(text=row["value"], values=(row["value"],) * 3, css="symbol",
                    code=row["value"])
    low, high = _number(row["_lower_ci_95"]), _number(row["_upper_ci_95"])
    text = row["value"] + (f" ({row['lower_ci_95']} to {row['upper_ci_95']})"
                           if low is not None and high is not None else "")
    if row["reliability"] == "low":
        text += " (u)"
    values = (value, low if low is not None else row["lower_ci_95"],
              high if high is not None else row["upper_ci_95"])
    formats = tuple(_sheet_format(t, "") for t in (row["value"], row["lower_ci_95"],
                                                    row["upper_ci_95"]))
    return Cell(text=text, values=values, formats=formats, css="num")


def _count_value(text: str, number: float) -> tuple[float | str, str]:
    value = _number(number)
    return (value, "#,##0") if value is not None else (text, "")


def count_cell(row: Mapping, meta: Mapping[str, str]) -> Cell:
    """The counts behind a value, named by the register's units: '157 of 234' when both
    count the same thing, '61 families, 495 children' when they differ, and for an average
    the number it is over."""
    numerator_unit, denominator_unit = count_units(meta)
    den, den_format = _count_value(row["denominator"], row["_denominator"])
    if meta.get("value_type") == "mean":
        return Cell(text=_count(row["denominator"]), values=(den,), formats=(den_format,),
                    css="num")
    num, num_format = _count_value(row["numerator"], row["_numerator"])
    text = (f"{_count(row['numerator'])} of {_count(row['denominator'])}"
            if numerator_unit == denominator_unit else
            f"{_count(row['numerator'])} {numerator_unit}, {_count(row['denominator'])} "
            f"{denominator_unit}")
    return Cell(text=text, values=(num, den), formats=(num_format, den_format), css="num")


def claim_cell(claim: cl.Claim) -> Cell:
    """A claim in a column named after its benchmark: 'similar', 'lower (worse)', 'c'.

    `code` is the published code the claim rests on (e.g. the published compared_with_la).
    """
    code = (claim.value("published") or claim.verdict or NOT_AVAILABLE
            if claim.kind == cl.COMPARISON else claim.verdict or NOT_AVAILABLE)
    css = "cmp cmp-" + re.sub(r"[^a-z]+", "-", code.lower()).strip("-")
    return Cell(text=cl.short(claim), css=css, code=code, claim=claim.claim_id)


def quotes_cell(quotes: Sequence[Quote]) -> Cell:
    text = "\n".join(f"“{q.text}” ({q.source})" for q in quotes)
    return Cell(text=text or "none", quotes=tuple(quotes), css="quotes")


# --------------------------------------------------------------------------------------------
# Blocks: one indicator (and breakdown) in one domain
# --------------------------------------------------------------------------------------------

_COMPARED = {st.BETTER, st.WORSE, st.SIMILAR, st.HIGHER, st.LOWER}


def _meta(pub: Publication, indicator_id: str) -> dict[str, str]:
    return pub.register[indicator_id]


def _row_heading(breakdown: str) -> str:
    return {ITEM_BREAKDOWN: "Question", DOMAIN_BREAKDOWN: "Domain",
            NEIGHBOURHOOD_BREAKDOWN: "Neighbourhood", ALL: "Area"}.get(
        breakdown, "Answer" if breakdown.startswith(LINKED_PREFIX) else breakdown)


def _block_heading(pub: Publication, meta: Mapping[str, str], breakdown: str,
                   area_name: str) -> str:
    title = meta.get("title") or meta["indicator_id"]
    if breakdown in (ALL, DOMAIN_BREAKDOWN):
        return title
    if breakdown == ITEM_BREAKDOWN:
        return f"{title}: question by question"
    if breakdown.startswith(LINKED_PREFIX):
        wording = pub.item_wording(breakdown[len(LINKED_PREFIX):])
        return f"{title}, by answer to “{wording}”"
    if breakdown == NEIGHBOURHOOD_BREAKDOWN:
        return f"{title}, by neighbourhood"
    if breakdown.lower() in title.lower():
        return title  # "... through each channel", not "..., by channel" as well
    return f"{title}, by {_lower_first(breakdown)}"


def _label(row: Mapping[str, str], area_name: str) -> str:
    return area_name if row["breakdown"] == ALL else row["_label"]


def _key(record: Mapping[str, str]) -> tuple[str, str, str, str, str]:
    """A pack row's published key (indicator, period, area, breakdown, group)."""
    return (record["indicator_id"], record["time_period"], record["area_code"],
            record["_published_breakdown"], record["_published_group"])


def _comparison(pub: Publication, record: Mapping[str, str], benchmark: str) -> cl.Claim:
    """A comparison claim (not yet logged: the caller logs it when the pack shows it)."""
    return cl.comparison(pub.published, *_key(record), benchmark, labels=pub.labels,
                         la_label=pub.la_label)


def _shown(claim: cl.Claim) -> bool:
    """Whether a comparison is worth a word: made, or a published comparison not made."""
    return claim.made or claim.value("published") in _COMPARED


def _trend(pub: Publication, record: Mapping[str, str]) -> cl.Claim:
    """A trend claim (not yet logged: the caller logs it when the pack shows it)."""
    return cl.trend(pub.published, *_key(record), labels=pub.labels)


def _xmr_reading(values: np.ndarray, polarity: str) -> str | None:
    """The Making Data Count XmR reading when there are enough points, all published."""
    if st.enough_points_for_spc(len(values)) and np.isfinite(values).all():
        return f"XmR: {st.xmr_reading(st.xmr(values), _valid_polarity(polarity))}"
    return None


def _latest_table(pub: Publication, build: Build, area_code: str, area_name: str,
                  meta: Mapping[str, str], breakdown: str, latest: pd.DataFrame, heading: str,
                  *, by_year: bool = False,
                  trends: Mapping[str, cl.Claim | str] | None = None,
                  scores: Mapping[str, Mapping] | None = None) -> tuple[Table, list]:
    """Value, interval, counts and comparisons: one row per group, or (`by_year`) per year.

    `trends` (group -> a trend claim, or an XmR reading) adds a Trend column (dropped when no
    trend applies); `scores` (group -> the question's
    average-score row) adds an Average score column. Every comparison cell shows a claim.
    """
    unit = meta.get("unit", "")
    proportion = meta.get("value_type", "proportion") != "mean"
    heading_count, sheet_count = count_heading(meta)
    records = _records(latest)
    la_claims = [_comparison(pub, r, cl.LA) for r in records]
    england_claims = [_comparison(pub, r, cl.ENGLAND) for r in records]
    show_la = any(_shown(c) for c in la_claims)
    show_england = any(_shown(c) for c in england_claims)
    voice = meta.get("source_type") in ("voice", "linked") or breakdown == DOMAIN_BREAKDOWN
    with_quotes = (breakdown == ITEM_BREAKDOWN and meta.get("value_type") != "mean"
                   and len(pub.quotes) > 0)
    unit_text = _unit_label(unit)
    if trends and all(isinstance(t, cl.Claim) and t.verdict == NOT_APPLICABLE
                      for t in trends.values()):
        trends = None
    trend_heading = ("Trend (XmR)" if trends and all(isinstance(t, str) for t in
                                                      trends.values())
                     else "Recent trend (Fingertips)")
    columns = [Column("Year" if by_year else _row_heading(breakdown),
                      width=12 if by_year else 28),
               Column(f"Value ({unit_text})",
                      (f"Value ({unit_text})", "Reliability") if voice else (), numeric=True,
                      width=12),
               Column("95% interval", (f"95% interval from ({unit_text})",
                                       f"95% interval to ({unit_text})"), numeric=True,
                      width=17 if by_year else 24),
               Column(heading_count, sheet_count, numeric=True,
                      width=13 if proportion else 11)]
    if show_la:
        columns.append(Column(f"Compared with {pub.la_label}", width=14))
    if show_england:
        columns.append(Column("Compared with England", width=14))
    if trends:
        columns.append(Column(trend_heading, width=15))
    if scores:
        columns.append(Column("Average score (95% interval)",
                              ("Average score", "Average score: 95% interval from",
                               "Average score: 95% interval to"), numeric=True, width=14))
    if with_quotes:
        columns.append(Column("What families said", width=36))
    rows = []
    boroughs = [pub.borough_value(r, area_code) for r in records]
    englands = [pub.england_value(r) for r in records]
    bounds = _bar_bounds(records, unit, [*boroughs, *englands])
    for record, borough, england, la_claim, england_claim in zip(
            records, boroughs, englands, la_claims, england_claims, strict=True):
        bar = None if by_year else _bar(record, unit, bounds, _label(record, area_name),
                                        borough=borough, england=england)
        cells = [value_cell(record, unit, reliability=voice),
                 interval_cell(record, unit, bar), count_cell(record, meta)]
        if show_la:
            cells.append(claim_cell(build.claim(la_claim)))
        if show_england:
            cells.append(claim_cell(build.claim(england_claim)))
        if trends:
            trend = trends.get(record["group"])
            cells.append(Cell(text=NOT_AVAILABLE, code=NOT_AVAILABLE) if trend is None else
                         Cell(text=trend, code="xmr") if isinstance(trend, str) else
                         claim_cell(build.claim(trend)))
        if scores:
            cells.append(score_cell(scores.get(record["group"])))
        if with_quotes:
            cells.append(quotes_cell(pub.quotes_for(area_code, record["group"])))
        attrs = {"indicator": record["indicator_id"],
                 "breakdown": record["_published_breakdown"],
                 "group": record["_published_group"], "period": record["time_period"],
                 "area": record["area_code"]}
        header = period_label(record["time_period"]) if by_year else _label(record, area_name)
        rows.append(Row(header=header, cells=cells, attrs=attrs))
    notes = []
    if not by_year and any(_number(r["_value"]) is not None for r in records):
        notes.append(_bar_note(bounds, unit, any(math.isfinite(b) for b in boroughs),
                               any(math.isfinite(e) for e in englands),
                               la_word=pub.run.la_word))
    if scores:
        notes.append("Average score: the mean answer on the question's own scale (1 to 5, or "
                     "0 to 10), for questions with a scale.")
    if any(r["reliability"] == "low" for r in records):
        notes.append(f"(u) low reliability: fewer than twice the minimum number of "
                     f"{count_units(meta)[1]}.")
    if count_units(meta)[1] not in cl.INDEPENDENT_UNITS:
        notes.append(f"These figures count {count_units(meta)[1]}, not people: a family "
                     "answers several questions, so the intervals are too narrow and the "
                     "figures are not compared.")
    if by_year:
        caption = f"{heading}: {_label(records[0], area_name)}, year by year"
    else:
        caption = f"{heading}, {period_label(records[0]['time_period']) if records else ''}"
    return Table(caption=caption, columns=columns, rows=rows, notes=notes), records


def _value_sentence(meta: Mapping[str, str], record: Mapping, area_name: str) -> str:
    """'In 2024/25, Northgate: 66.0%.' (the published value, with its unit)."""
    unit = meta.get("unit", "")
    period = period_label(record["time_period"])
    label = _label(record, area_name)
    if _number(record["_value"]) is None:
        why = _MISSING_WHY.get(record["value"], "not available")
        return f"In {period}, the figure for {label} is {why}."
    value = cl.with_unit(record["value"], unit)
    if record["reliability"] == "low":
        value += " (u: low reliability)"
    return f"In {period}, {label}: {value}."


def _summary_sentences(pub: Publication, claims: Sequence[cl.Claim], benchmark: str
                       ) -> list[str]:
    """How many rows are similar to, higher or lower than a benchmark: a count of claims."""
    if not any(claim.made for claim in claims):
        return []
    counts: dict[str, int] = {}
    for claim in claims:
        words = cl.short(claim) if claim.made else "not compared"
        counts[words] = counts.get(words, 0) + 1
    order = ("higher", "higher (better)", "higher (worse)", "similar", "lower",
             "lower (better)", "lower (worse)", "not compared")
    parts = [f"{n} {words}" for words, n in
             sorted(counts.items(), key=lambda kv: order.index(kv[0])
                    if kv[0] in order else len(order))]
    name = pub.la_label if benchmark == cl.LA else "England"
    return [f"Compared with {name}, of these {len(claims)}: {_join(parts)}."]


def build_block(pub: Publication, build: Build, area_code: str, area_name: str,
                indicator_id: str, breakdown: str, rows: pd.DataFrame,
                scores: pd.DataFrame | None = None) -> Block:
    """One indicator (and breakdown) in one domain: values, intervals, comparisons, trend.

    A single series (e.g. the area's GLD) is one year-by-year table with a trend chart that
    sets the area beside the borough and England; several groups (e.g. questions) get a
    latest-year table with an interval chart and a table of values over the years.
    """
    meta = _meta(pub, indicator_id)
    heading = _block_heading(pub, meta, breakdown, area_name)
    latest_period = rows["time_period"].max()
    latest = rows[rows["time_period"] == latest_period].sort_values("_order", kind="stable")
    groups = list(dict.fromkeys(rows.sort_values("_order", kind="stable")["group"]))
    groups = [*latest["group"], *(g for g in groups if g not in set(latest["group"]))]
    block = Block(id=build.next(slugify(f"{indicator_id}-{breakdown}")), heading=heading,
                  indicator_id=indicator_id)
    if meta.get("definition"):
        block.paragraphs.append(meta["definition"])
    polarity = meta.get("polarity", "")
    if len(groups) == 1:
        series = rows.sort_values("time_period")
        table, records = _latest_table(pub, build, area_code, area_name, meta, breakdown,
                                       series, heading, by_year=True)
        values = series["_value"].to_numpy(dtype=float)
        last = records[-1]
        compared = [claim for claim in (_comparison(pub, last, benchmark)
                                        for benchmark in (cl.LA, cl.ENGLAND)) if _shown(claim)]
        if not any(claim.made for claim in compared):
            block.paragraphs.append(_value_sentence(meta, last, area_name))
        block.paragraphs += [cl.sentence(build.claim(claim)) for claim in compared]
        if len(records) > 1:
            reading = _xmr_reading(values, polarity)
            if reading:
                block.paragraphs.append(f"Trend over {len(records)} years (Making Data Count "
                                        f"XmR reading): {reading}.")
            trend = _trend(pub, last)
            if trend.verdict != NOT_APPLICABLE or not reading:
                block.paragraphs.append(cl.sentence(build.claim(trend)))
        charted = (meta.get("domain") == SCHOOL_READINESS
                   or indicator_id in TREND_CHART_INDICATORS)
        if charted and len(records) > 1 and np.isfinite(values).any():
            block.charts.append(_trend_chart(pub, build, area_code, area_name, meta, records,
                                             heading))
        block.tables.append(table)
        return block
    trends: dict[str, cl.Claim | str] = {}
    periods = sorted(rows["time_period"].unique())
    by_group: dict[str, list[dict]] = {}
    for record in _records(rows.sort_values("time_period")):
        by_group.setdefault(record["group"], []).append(record)
    for group, part in by_group.items():
        values = np.array([_nan(r["_value"]) for r in part], dtype=float)
        reading = _xmr_reading(values, polarity)
        if part[-1]["time_period"] != latest_period:
            continue  # not in the latest year's table
        trends[group] = reading or _trend(pub, part[-1])
    if (meta.get("value_type") not in st.TREND_VALUE_TYPES
            or count_units(meta)[1] not in cl.INDEPENDENT_UNITS):
        trends = {}  # not tested: "how to read" says which figures have a trend
    latest_scores = None
    if scores is not None and len(scores):
        latest_scores = {r["group"]: r for r in
                         _records(scores[scores["time_period"] == latest_period])}
    table, records = _latest_table(pub, build, area_code, area_name, meta, breakdown, latest,
                                   heading, trends=trends if len(periods) > 1 and trends
                                   else None,
                                   scores=latest_scores)
    for benchmark in (cl.LA, cl.ENGLAND):
        block.paragraphs += _summary_sentences(
            pub, [_comparison(pub, r, benchmark) for r in records], benchmark)
    if breakdown == NEIGHBOURHOOD_BREAKDOWN:
        block.paragraphs.append(cl.sentence(build.claim(cl.ranking(
            pub.published, indicator_id, latest_period, area_code, cl.NEIGHBOURHOODS))))
    block.tables.append(table)
    return block


def _trend_chart(pub: Publication, ids: charts.Ids, area_code: str, area_name: str,
                 meta: Mapping[str, str], records: Sequence[Mapping], heading: str) -> Chart:
    """One area's values over the years with 95% intervals, beside the borough and England."""
    unit = meta.get("unit", "")
    suffix = unit_suffix(unit)
    labels = [period_label(r["time_period"]) for r in records]
    label = _label(records[-1], area_name)
    values = [_nan(r["_value"]) for r in records]
    drawn = [charts.Series(label=label, values=values,
                           lower=[_nan(r["_lower_ci_95"]) for r in records],
                           upper=[_nan(r["_upper_ci_95"]) for r in records],
                           symbols=[r["value"] for r in records])]
    described = [f"{label}: " + ", ".join(f"{year} {_with_unit(r['value'], unit)}"
                                          for year, r in zip(labels, records, strict=True))]
    for name, benchmark in ((pub.la_label[4:].capitalize(),
                             [pub.borough_value(r, area_code) for r in records]),
                            ("England", [pub.england_value(r) for r in records])):
        if any(math.isfinite(v) for v in benchmark):
            drawn.append(charts.Series(label=name, values=benchmark,
                                       role="england" if name == "England" else "borough"))
            described.append(f"{name}: " + ", ".join(
                f"{year} {v:g}{suffix}" if math.isfinite(v) else f"{year} x"
                for year, v in zip(labels, benchmark, strict=True)))
    limits = None
    finite = np.array(values, dtype=float)
    if st.enough_points_for_spc(len(finite)) and np.isfinite(finite).all():
        result = st.xmr(finite)
        limits = charts.ProcessLimits(mean=result.mean, lower=result.lower_process_limit,
                                      upper=result.upper_process_limit)
    title = f"{heading}: {labels[0]} to {labels[-1]}"
    desc = f"{title}. " + "; ".join(described) + "."
    if limits:
        desc += (f" XmR mean {limits.mean:.1f}, process limits {limits.lower:.1f} to "
                 f"{limits.upper:.1f}.")
    svg = charts.trend_chart(labels, drawn, ids=ids, title=title, desc=desc,
                             unit_suffix=suffix, limits=limits,
                             bounds=(0.0, 100.0) if suffix else None)
    caption = (f"{title}: {label} with 95% intervals"
               + (", XmR mean and process limits" if limits else "")
               + (" and its benchmarks" if len(drawn) > 1 else "") + ".")
    return Chart(svg=svg, caption=caption)


def _block_order(pub: Publication, indicator_id: str, breakdown: str) -> tuple:
    breakdown_rank = (0 if breakdown in (ALL, DOMAIN_BREAKDOWN) else
                      1 if breakdown == NEIGHBOURHOOD_BREAKDOWN else
                      2 if breakdown == ITEM_BREAKDOWN else 3)
    source = pub.register[indicator_id].get("source_type", "")
    source_rank = {"statutory": 1, "voice": 2, "linked": 3}.get(source, 4)
    if breakdown == DOMAIN_BREAKDOWN:
        source_rank = 0
    return (source_rank, indicator_id != HEADLINE_INDICATOR,
            pub.order.get(indicator_id, 0), breakdown_rank, breakdown)


def domain_blocks(pub: Publication, ids: Build, area_code: str, area_name: str,
                  rows: pd.DataFrame) -> list[Block]:
    """Blocks of one domain, summary first, statutory before voice before linked."""
    keys = sorted(set(zip(rows["indicator_id"], rows["breakdown"], strict=True)),
                  key=lambda key: _block_order(pub, *key))
    parts = dict(iter(rows.groupby(["indicator_id", "breakdown"], sort=False)))
    folded = (ITEM_POSITIVE, ITEM_BREAKDOWN) in parts and (ITEM_MEAN, ITEM_BREAKDOWN) in parts
    blocks = []
    for indicator_id, breakdown in keys:
        if folded and (indicator_id, breakdown) == (ITEM_MEAN, ITEM_BREAKDOWN):
            continue  # shown as a column of the questions' table
        part = parts[(indicator_id, breakdown)]
        scores = None
        if folded and (indicator_id, breakdown) == (ITEM_POSITIVE, ITEM_BREAKDOWN):
            scores = parts[(ITEM_MEAN, ITEM_BREAKDOWN)]
        blocks.append(build_block(pub, ids, area_code, area_name, indicator_id, breakdown,
                                  part, scores=scores))
    return blocks


# --------------------------------------------------------------------------------------------
# Headline, who we heard from, limits, definitions
# --------------------------------------------------------------------------------------------


def _headline(pub: Publication, ids: Build, area_code: str, area_name: str,
              rows: pd.DataFrame) -> Headline:
    gld = rows[(rows["indicator_id"] == HEADLINE_INDICATOR) & (rows["breakdown"] == ALL)]
    if gld.empty:
        return Headline(paragraphs=["No school readiness (good level of development) figures "
                                    f"are published for {area_name}."], chart=None,
                        table=None)
    meta = _meta(pub, HEADLINE_INDICATOR)
    record = gld.sort_values("time_period").iloc[-1].to_dict()
    period = period_label(record["time_period"])
    value = _number(record["_value"])
    is_la = area_code == pub.la_code
    borough = math.nan if is_la else pub.la_all.get((HEADLINE_INDICATOR,
                                                    record["time_period"]), math.nan)
    england = pub.england_value(record)
    paragraphs = []
    if value is None:
        why = _MISSING_WHY.get(record["value"], "not available")
        paragraphs.append(f"The {period} figure for {area_name} is {why}.")
    else:
        paragraphs.append(
            f"In {period}, {record['value']}% of children in {area_name} reached a good level "
            f"of development by the end of reception ({_count(record['numerator'])} of "
            f"{_count(record['denominator'])} children; 95% interval "
            f"{record['lower_ci_95']}% to {record['upper_ci_95']}%).")
    for benchmark in ((cl.ENGLAND, cl.AMBITION) if is_la else (cl.LA, cl.ENGLAND, cl.AMBITION)):
        claim = ids.claim(cl.comparison(pub.published, *_key(record), benchmark,
                                        labels=pub.labels, la_label=pub.la_label))
        paragraphs.append(cl.sentence(claim))
    if is_la:
        ranking = ids.claim(cl.ranking(pub.published, HEADLINE_INDICATOR,
                                       record["time_period"], area_code, cl.NEIGHBOURHOODS))
        paragraphs.append(cl.sentence(ranking))
    paragraphs.append("Good level of development is a narrow measure: read it beside what "
                      "families told us, later in this pack.")
    bars = [charts.Bar(label=area_name, value=value if value is not None else math.nan,
                       shown=_with_unit(record["value"], "%") if value is not None
                       else f"{record['value']} (not shown)", colour=charts.AREA,
                       lower=_nan(record["_lower_ci_95"]), upper=_nan(record["_upper_ci_95"]))]
    table_rows = [Row(header=area_name, attrs={"headline": "area"}, cells=[
        value_cell(record, "%"), interval_cell(record, "%"), count_cell(record, meta)])]
    if not is_la:
        la_row = rows.iloc[0:0]
        la_frame = pub.by_area.get(pub.la_code)
        if la_frame is not None:
            la_row = la_frame[(la_frame["indicator_id"] == HEADLINE_INDICATOR)
                              & (la_frame["breakdown"] == ALL)
                              & (la_frame["time_period"] == record["time_period"])]
        if len(la_row):
            la_record = la_row.iloc[0].to_dict()
            label = f"{pub.la_name}: {pub.run.la_word} average"
            bars.append(charts.Bar(label=f"{pub.run.la_word.capitalize()} average",
                                   value=borough,
                                   shown=_with_unit(la_record["value"], "%"),
                                   colour=charts.BOROUGH,
                                   lower=_nan(la_record["_lower_ci_95"]),
                                   upper=_nan(la_record["_upper_ci_95"])))
            table_rows.append(Row(header=label, attrs={"headline": "borough"}, cells=[
                value_cell(la_record, "%"), interval_cell(la_record, "%"),
                count_cell(la_record, meta)]))
    england_text = f"{england:.1f}" if math.isfinite(england) else NOT_AVAILABLE
    bars.append(charts.Bar(label="England", value=england,
                           shown=_with_unit(england_text, "%") if math.isfinite(england)
                           else "x (not available)", colour=charts.ENGLAND))
    england_cell = (Cell(text=f"{england_text}%", values=(england,), formats=('0.0"%"',),
                         css="num") if math.isfinite(england)
                    else Cell(text=NOT_AVAILABLE, css="symbol num", code=NOT_AVAILABLE))
    not_applicable = Cell(text=NOT_APPLICABLE, values=(NOT_APPLICABLE, NOT_APPLICABLE),
                          css="symbol num", code=NOT_APPLICABLE)
    table_rows.append(Row(header="England", attrs={"headline": "england"}, cells=[
        england_cell, Cell(text=NOT_AVAILABLE, values=(NOT_AVAILABLE, NOT_AVAILABLE),
                           css="symbol num", code=NOT_AVAILABLE),
        Cell(text=NOT_AVAILABLE, values=(NOT_AVAILABLE, NOT_AVAILABLE), css="symbol num",
             code=NOT_AVAILABLE)]))
    table_rows.append(Row(header="National ambition for 2028", attrs={"headline": "ambition"},
                          cells=[Cell(text="75.0%", values=(AMBITION,), formats=('0.0"%"',),
                                      css="num"), not_applicable, not_applicable]))
    columns = [Column("Area", width=34),
               Column("Good level of development (%)", numeric=True, width=16),
               Column("95% interval", ("95% interval from (%)", "95% interval to (%)"),
                      numeric=True),
               Column("Children", ("Children at a good level", "Children: all"),
                      numeric=True)]
    title = f"Children at a good level of development, {period}"
    desc = (f"{title}: " + "; ".join(f"{bar.label} {bar.shown}" for bar in bars)
            + ". The dashed line marks the national ambition of 75% by 2028.")
    chart = Chart(svg=charts.headline_chart(bars, ambition=AMBITION,
                                            ambition_label="75% ambition for 2028", ids=ids,
                                            title=title, desc=desc),
                  caption=f"{title}, with the national ambition of 75% by 2028. The black "
                          "whiskers show 95% intervals.")
    table = Table(caption=title, columns=columns, rows=table_rows, kind="headline",
                  notes=["England figures are published by the Department for Education; "
                         "they have no interval or counts here (x)."])
    return Headline(paragraphs=paragraphs, chart=chart, table=table)


def _latest(rows: pd.DataFrame, indicator_id: str, area_code: str | None = None
            ) -> pd.DataFrame:
    """An indicator's rows in its latest year (only `area_code`'s own rows, if given)."""
    part = rows[rows["indicator_id"] == indicator_id]
    if area_code is not None:
        part = part[part["area_code"] == area_code]
    if part.empty:
        return part
    return part[part["time_period"] == part["time_period"].max()]


def _groups_block(pub: Publication, build: Build, area_code: str, area_name: str,
                  rows: pd.DataFrame) -> tuple[Block | None, list[str]]:
    """Seldom-heard groups' share of respondents, beside their share of the cohort in the
    same area and year (a representation claim per group)."""
    groups = _latest(rows, cl.REACH_GROUP, area_code)
    groups = groups[groups["_published_breakdown"] == cl.SELDOM_HEARD_BREAKDOWN]
    if groups.empty:
        return None, []
    meta = _meta(pub, cl.REACH_GROUP)
    period = groups["time_period"].iloc[0]
    heading = meta.get("title") or "Seldom-heard groups among respondents"
    block = Block(id=build.next("seldom-heard"), heading=heading,
                  indicator_id=cl.REACH_GROUP)
    if meta.get("definition"):
        block.paragraphs.append(meta["definition"])
    denominator_unit = count_units(meta)[1]
    count_label, count_sheet = count_heading(meta)
    columns = [Column("Group", width=30),
               Column("Share of respondents (%)", ("Share of respondents (%)", "Reliability"),
                      numeric=True),
               Column("95% interval", ("95% interval from (%)", "95% interval to (%)"),
                      numeric=True, width=22),
               Column(count_label, count_sheet, numeric=True),
               Column("Share of children in the cohort (%)", numeric=True),
               Column("Compared with the cohort", width=20)]
    table_rows, sentences, any_cohort = [], [], False
    for record in _records(groups):
        cohort_indicator = COHORT_SHARES.get(record["group"])
        claim = build.claim(cl.representation(pub.published, period, area_code,
                                              record["group"], cohort_indicator))
        source = (pub.published.row(cohort_indicator, period, area_code, ALL, "All children")
                  if cohort_indicator else None)
        cohort_value = cl.finite(source["value"]) if source else math.nan
        any_cohort |= math.isfinite(cohort_value)
        cohort_cell = (Cell(text=_with_unit(source["value"], "%"),
                            values=(cohort_value,) if math.isfinite(cohort_value)
                            else (source["value"],),
                            formats=(_sheet_format(source["value"], "%"),), css="num")
                       if source else Cell(text=NOT_AVAILABLE, css="symbol",
                                           code=NOT_AVAILABLE))
        compared = Cell(text=cl.short(claim) if claim.made else
                        ("no cohort figure (x)" if source is None else "not compared"),
                        code=claim.verdict if claim.made else
                        (NOT_AVAILABLE if source is None else st.NOT_COMPARED),
                        css="cmp", claim=claim.claim_id)
        sentences.append(cl.sentence(claim))
        bar = _bar(record, "%", (0.0, 100.0), record["group"], cohort=cohort_value)
        table_rows.append(Row(header=record["group"], attrs={
            "indicator": cl.REACH_GROUP, "group": record["group"],
            "period": record["time_period"], "area": record["area_code"]}, cells=[
            value_cell(record, "%", reliability=True), interval_cell(record, "%", bar),
            count_cell(record, meta), cohort_cell, compared]))
    title = f"{heading}, {period_label(period)}"
    block.tables.append(Table(caption=title, columns=columns, rows=table_rows, notes=[
        _bar_note((0.0, 100.0), "%", False, False, cohort=any_cohort),
        "A group is under-represented when the whole 95% interval of its share of "
        "respondents, as printed, is below its share of children in the cohort (touching "
        "counts as similar).",
        f"(u) low reliability: fewer than twice the minimum number of {denominator_unit}."]))
    return block, sentences


def _who_section(pub: Publication, build: Build, area_code: str, area_name: str,
                 rows: pd.DataFrame) -> Section:
    section = Section(id="who-we-heard-from", heading="Who we heard from, and who we did not",
                      sheet=WHO_WE_HEARD)
    voice = rows[rows["indicator_id"].isin(WHO_INDICATORS)]
    surveyed = rows[rows["indicator_id"].map(
        lambda i: pub.register[i].get("source_type") == "voice")]
    if surveyed.empty:
        section.paragraphs.append(
            f"No survey results from families are published for {area_name} yet, so this "
            "pack cannot yet say whose voices are heard. Until they are, the figures above "
            "describe children through statutory returns only.")
    reach = _latest(rows, REACH_INDICATOR, area_code)
    reach = reach[reach["_published_breakdown"] == ALL]
    if not reach.empty:
        record = reach.iloc[0].to_dict()
        meta = _meta(pub, REACH_INDICATOR)
        numerator_unit, denominator_unit = count_units(meta)
        period = period_label(record["time_period"])
        if _number(record["_value"]) is None:
            section.paragraphs.append(
                f"In {period} too few {numerator_unit} answered in {area_name} for the "
                f"number to be shown ({record['value']}).")
        else:
            section.paragraphs.append(
                f"In {period} we heard from {_count(record['numerator'])} {numerator_unit} "
                f"in {area_name}: {cl.with_unit(record['value'], meta.get('unit', ''))} in "
                f"the cohort ({_count(record['denominator'])} {denominator_unit}).")
            section.paragraphs.append(
                "The survey results describe the families who answered, not every family: "
                "several parents or carers may answer for one child, and many children have "
                "no one in the survey.")
        if area_code == pub.la_code:
            section.paragraphs.append(cl.sentence(build.claim(cl.ranking(
                pub.published, REACH_INDICATOR, record["time_period"], area_code,
                cl.NEIGHBOURHOODS))))
    block, sentences = _groups_block(pub, build, area_code, area_name, rows)
    section.paragraphs += sentences
    if block is not None:
        period = next(iter(block.tables[0].rows)).attrs["period"] if block.tables[0].rows \
            else ""
        if period:
            section.paragraphs.append(cl.sentence(build.claim(cl.not_heard(
                pub.published, period, area_code, COHORT_SHARES))))
    channels = _latest(rows, CHANNEL_INDICATOR, area_code)
    channels = channels[channels["_published_breakdown"] != ALL]
    if not channels.empty:
        breakdown = channels["_published_breakdown"].iloc[0]
        section.paragraphs.append(cl.sentence(build.claim(cl.ranking(
            pub.published, CHANNEL_INDICATOR, channels["time_period"].iloc[0], area_code,
            breakdown, parts_noun="channels"))))
    order = {key: position for position, key in enumerate(WHO_INDICATORS)}
    for indicator_id in sorted(voice["indicator_id"].unique(), key=order.__getitem__):
        if indicator_id == cl.REACH_GROUP:
            if block:
                section.blocks.append(block)
            continue
        part = voice[voice["indicator_id"] == indicator_id]
        for breakdown in part["breakdown"].unique():
            if (block is not None and breakdown == ALL
                    and indicator_id in COHORT_SHARES.values()):
                continue  # its latest figure sits beside the group's share of respondents
            section.blocks.append(build_block(pub, build, area_code, area_name, indicator_id,
                                              breakdown, part[part["breakdown"] == breakdown]))
    return section


def _limits(pub: Publication, area_name: str, rows: pd.DataFrame, area_code: str) -> Section:
    section = Section(id="what-the-figures-cannot-tell-you",
                      heading="What the figures cannot tell you", sheet="Limits of the figures")
    section.paragraphs.append(
        "Read every figure in this pack with these limits in mind. They are listed here so "
        "that nothing is hidden.")
    labelled = rows.assign(_label=np.where(rows["breakdown"] == ALL, area_name, rows["_label"]))
    hidden = labelled[(labelled["value"] == SUPPRESSED) | (labelled["numerator"] == SUPPRESSED)]

    def listed(frame: pd.DataFrame, counts: bool) -> list[Item]:
        """One entry per figure and year, naming every group affected."""
        items = []
        keys = ["indicator_id", "breakdown", "time_period"]
        for (indicator_id, breakdown, period), part in frame.groupby(keys, sort=False):
            title = _block_heading(pub, pub.register[indicator_id], breakdown, area_name)
            unit = count_units(pub.register[indicator_id])[1]
            names = [f"{label} ({_count(d)} {unit})" if counts else label
                     for label, d in zip(part["_label"], part["denominator"], strict=True)]
            text = "; ".join(names)
            if counts and len(names) > 4:
                sizes = part["_denominator"]
                text = (f"{len(names)} results, each from {_count(str(int(sizes.min())))} "
                        f"to {_count(str(int(sizes.max())))} {unit}")
            items.append(Item(text=f"{title}, {period_label(period)}: {text}",
                              attrs={"indicator": indicator_id, "period": period}))
        return items

    block = Block(id="limits-suppressed", heading="Figures not shown (c)")
    block.items = listed(hidden, counts=False)
    block.paragraphs.append(
        "These figures are not shown (c) because they rest on a small number of children or "
        "families, or because they could be used to work out one that does."
        if block.items else "No figure for this area is hidden (c).")
    section.blocks.append(block)

    block = Block(id="limits-low-reliability", heading="Low reliability (u)")
    low = labelled[(labelled["reliability"] == "low") & labelled["_value"].notna()]
    block.items = listed(low, counts=True)
    block.paragraphs.append(
        "These survey results come from fewer than twice the minimum number of respondents "
        "(shown in brackets). They are shown, marked (u), but could easily change with a few "
        "more answers." if block.items else
        "No result in this pack is marked low reliability (u).")
    section.blocks.append(block)

    block = Block(id="limits-small-numbers", heading="Small numbers")
    small = labelled[(labelled["_denominator"] < SMALL_NUMBER) & labelled["_value"].notna()
                     & (labelled["reliability"] != "low")]
    block.items = listed(small, counts=True)
    block.paragraphs.append(
        f"Results from fewer than {SMALL_NUMBER} children, families or answers (the number is "
        "in brackets) have wide 95% intervals: a difference of a few moves them a lot."
        + ("" if block.items else " None of the results in this pack is that small."))
    section.blocks.append(block)

    block = Block(id="limits-caveats", heading="Caveats from the indicator register")
    present = sorted(rows["indicator_id"].unique(), key=lambda i: pub.order.get(i, 0))
    block.items = [Item(text=f"{pub.register[i].get('title') or i}: "
                             f"{pub.register[i]['caveats'].strip()}", attrs={"indicator": i})
                   for i in present if pub.register[i].get("caveats", "").strip()]
    if not block.items:
        block.paragraphs.append("The register lists no caveats for these figures.")
    section.blocks.append(block)
    section.bullets = [
        "The figures count children and families; they cannot say why a figure is what it "
        "is. Read them with the people who know the neighbourhood.",
        "“Similar” does not prove there is no difference: it means the difference could be "
        "chance, given how many children or families were counted.",
        "Survey results describe the families who answered, not every family: see “Who we "
        "heard from, and who we did not”.",
        "A change from one year to the next is often within normal variation. A recent trend "
        f"needs {st.TREND_POINTS} consecutive comparable years of figures (the Fingertips "
        "method: no year missing, and none before a series break such as a reformed framework "
        "or a reworded question), and a Making Data "
        f"Count reading {st.SPC_MIN_POINTS} points.",
    ]
    return section


_DEFINITION_FIELDS = (
    ("definition", "Definition"), ("numerator_definition", "Counted"),
    ("denominator_definition", "Out of"), ("sources", "Sources"),
    ("co_designed", "Co-designed by"),
)
DEFINITION_LABELS = tuple(label for _, label in _DEFINITION_FIELDS)


def _definitions(pub: Publication, indicator_ids: Iterable[str]) -> list[Definition]:
    out = []
    for indicator_id in indicator_ids:
        meta = pub.register[indicator_id]
        fields = []
        derived = {
            "polarity": _POLARITY_WORDS.get(meta.get("polarity", ""), meta.get("polarity", "")),
            "sources": _join(list(dict.fromkeys(
                v.strip() for v in (meta.get("numerator_source", ""),
                                    meta.get("denominator_source", "")) if v.strip()))),
            "co_designed": ", ".join(v.strip() for v in (meta.get("co_designed_by", ""),
                                                        meta.get("co_designed_on", ""))
                                     if v.strip()),
        }
        for key, label in _DEFINITION_FIELDS:
            value = derived.get(key, meta.get(key, "")).strip()
            fields.append((label, value or "not recorded"))
        out.append(Definition(indicator_id=indicator_id,
                              title=meta.get("title") or indicator_id, fields=fields))
    return out


def _how_to_read(pub: Publication, units: Iterable[str] = ()) -> list[str]:
    present = [unit for unit in UNIT_MEANINGS if unit in set(units)]
    return [
        "Each figure comes with a 95% interval: the range the true value for the area is "
        "very likely to lie in. The fewer counted, the wider it is. Charts and bars draw it. "
        "“44 of 58” means 44 counted out of the 58 in the group.",
        "What is counted: " + "; ".join(f"{unit} are {UNIT_MEANINGS[unit]}"
                                        for unit in present) + ".",
        f"“Similar to {pub.la_label}” means the interval, as printed, includes or touches the "
        f"{pub.run.la_word} figure, so the difference could be chance. “Higher” or “lower” "
        "means the whole printed interval is above or below it; “better” or “worse” says "
        "whether that direction is good for children. ▲ higher, ▼ lower, ● similar and "
        "○ not compared say the same in symbols. Survey questions have no England figure.",
        f"{st.TREND_METHOD} With at least {st.SPC_MIN_POINTS} points we also read a Making "
        "Data Count XmR chart, which separates everyday ups and downs from change worth "
        "asking about.",
        "Every comparison, ranking and trend in this pack is checked against the published "
        "figures (claims.csv beside the pack lists each, with the numbers it rests on). A "
        "statement that would need a hidden figure (c) is not made, and the pack says why.",
        "Quotes are from families who agreed to be quoted, with personal details removed: up "
        f"to {MAX_QUOTES} per question, most recent first. Symbols (c, x, z, low, u) are "
        "explained in the key at the end.",
    ]


def _glance(pub: Publication, build: Build, area_code: str, area_name: str,
            rows: pd.DataFrame) -> Glance:
    """Every domain's headline indicators on one page, Fingertips spine-chart style."""
    is_la = area_code == pub.la_code
    own = rows[rows["area_code"] == area_code]
    entries: list[tuple[str, dict]] = []
    for domain, indicator_id, breakdown in GLANCE:
        part = own[(own["indicator_id"] == indicator_id)
                   & (own["_published_breakdown"] == breakdown)]
        if part.empty or indicator_id not in pub.register:
            continue
        latest = part[part["time_period"] == part["time_period"].max()]
        for record in _records(latest.sort_values("_order", kind="stable")):
            entries.append((domain or record["_published_group"], record))
    if not entries:
        return Glance(paragraphs=[f"No headline figures are published for {area_name}."],
                      table=None)
    order = {domain: rank for rank, domain in enumerate(DOMAIN_ORDER + (WHO_WE_HEARD,))}
    entries.sort(key=lambda entry: order.get(entry[0], len(order)))
    columns = [Column("Domain and measure", width=30), Column("Year", width=9),
               Column("Value", numeric=True, width=11),
               Column("95% interval", ("95% interval from", "95% interval to"), numeric=True,
                      width=15)]
    if not is_la:
        columns.append(Column(f"Compared with {pub.la_label}", width=14))
    columns += [Column("Compared with England", width=14), Column("Spine chart", width=18)]
    table_rows = []
    for domain, record in entries:
        meta = _meta(pub, record["indicator_id"])
        unit = meta.get("unit", "")
        title = meta.get("title") or record["indicator_id"]
        measure = (f"{domain}: {title}" if record["_published_breakdown"] == ALL
                   else f"{domain}: {_lower_first(title)}")
        claims_shown = [] if is_la else [build.claim(_comparison(pub, record, cl.LA))]
        claims_shown.append(build.claim(_comparison(pub, record, cl.ENGLAND)))
        borough = pub.borough_value(record, area_code)
        england = pub.england_value(record)
        bounds = _bar_bounds([record], unit, [borough, england])
        bar = _bar(record, unit, bounds, measure, borough=borough, england=england)
        value = value_cell(record, unit)
        value = Cell(text=(cl.with_unit(record["value"], unit)
                           + (" (u)" if record["reliability"] == "low" else "")
                           if _number(record["_value"]) is not None else value.text),
                     values=value.values, formats=value.formats, css=value.css,
                     code=value.code)
        cells = [Cell(text=period_label(record["time_period"])), value,
                 interval_cell(record, unit)]
        for claim in claims_shown:
            cell = claim_cell(claim)
            cells.append(Cell(text=f"{cl.mark(claim)} {cell.text}", css=cell.css,
                              code=cell.code, claim=cell.claim))
        cells.append(Cell(text=f"{bounds[0]:g} to {bounds[1]:g}{unit_suffix(unit)} scale",
                          css="spine", graphic=bar))
        table_rows.append(Row(header=measure, cells=cells, attrs={
            "indicator": record["indicator_id"], "breakdown": record["_published_breakdown"],
            "group": record["_published_group"], "period": record["time_period"],
            "area": record["area_code"], "glance": "yes"}))
    note = ("Each bar is a spine: ● the value with its 95% interval"
            + ("" if is_la else f", ◆ {pub.la_label}") + ", □ England, each on the scale "
            "given in the cell. Comparisons use the interval as printed: ▲ higher, ▼ lower, "
            "● similar, ○ not compared; “better” or “worse” where one direction is good for "
            "children. Colour only repeats what the words and symbols say.")
    paragraphs = [
        f"The headline figure of every domain for {area_name}, each in its latest year, with "
        "its 95% interval and how it compares. The sections that follow give the detail."]
    return Glance(paragraphs=paragraphs, table=Table(
        caption=f"{area_name} at a glance", columns=columns, rows=table_rows, notes=[note],
        kind="glance"))


def build_pack(pub: Publication, area_code: str) -> Pack:
    """The whole pack for one area (a neighbourhood, or the LA when `area_code` is the LA's)."""
    rows = pub.area_rows(area_code)
    if rows.empty:
        raise ValueError(f"no published rows for area {area_code}")
    is_la = area_code == pub.la_code
    area_name = pub.la_name if is_la else rows["area_name"].iloc[0]
    level = LA_LEVEL if is_la else NEIGHBOURHOOD_LEVEL
    build = Build(area_code)
    glance = _glance(pub, build, area_code, area_name, rows)
    headline = _headline(pub, build, area_code, area_name, rows)
    domains = list(dict.fromkeys(rows["_domain"]))
    ordered = [d for d in DOMAIN_ORDER if d in domains]
    ordered += sorted(d for d in domains if d not in DOMAIN_ORDER and d != WHO_WE_HEARD)
    sections = []
    for domain in ordered:
        part = rows[rows["_domain"] == domain]
        section = Section(id=slugify(domain), heading=domain, sheet=domain[:31])
        section.blocks = domain_blocks(pub, build, area_code, area_name, part)
        sections.append(section)
    sections.append(_who_section(pub, build, area_code, area_name, rows))
    limits = _limits(pub, area_name, rows, area_code)
    present = sorted(rows["indicator_id"].unique(),
                     key=lambda i: (_block_order(pub, i, ALL)[0:3]))
    units = {unit for i in present for unit in count_units(pub.register[i])}
    title = (f"{area_name}: {pub.run.la_word}-wide board pack" if is_la
             else f"{area_name}: neighbourhood board pack")
    return Pack(slug=slugify(area_name), title=title, area_name=area_name,
                area_code=area_code, level=level, la_name=pub.la_name, run=pub.run,
                headline=headline, how_to_read=_how_to_read(pub, units), sections=sections,
                limits=limits, definitions=_definitions(pub, present), glance=glance,
                claims=list(build.log))
