"""A source spec as Python reads it: what a kind of landed file holds and how Chorus treats
each of its columns (docs/architecture.md, "Source specs").

The YAML is read and checked by `indicators.sources.load`; these classes only hold what it
says, with the few derived views the readers, rules and generators need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

COLUMN_TYPES = ("code", "text", "date", "number")
HANDLINGS = ("keep", "pseudonymise", "reduce", "drop")
"""What happens to a column's values at the door: kept as they are, replaced by a keyed
pseudonym, reduced (a date to year and month, a postcode to its sector), or dropped."""
REDUCTIONS = ("year_month", "postcode_sector")
NAMED_FORMATS = (
    "upn",
    "nhs_number",
    "date",
    "datetime",
    "uk_postcode",
    "postcode_sector",
    "not_blank",
)
"""Procedural formats, each implemented once (indicators/ingest/spec_rules.py)."""
PLACEMENTS = ("postcode_sector", "team", "district", "la_wide")
"""How a source's rows are placed: in a neighbourhood by postcode sector, in a team or a
district the LA lists (seeds/teams.csv, seeds/districts.csv), or in the LA as a whole."""
INVALID = ("quarantine", "drop")
"""What an invalid value does: quarantine its row (a defect), or drop the value and count it
(a voice respondent's UPN given without a valid format loses only the link)."""


@dataclass(frozen=True)
class CodeList:
    name: str
    codes: dict[str, str]
    """code -> meaning, in the order the spec gives them."""
    rule: str
    message: str
    blank: str | None = None
    """A blank value reads as this code (None: a blank is not a code)."""
    synonyms: dict[str, str] = field(default_factory=dict)
    """Other spellings (upper case) read as a code: YES -> Y."""
    normalise: str | None = None
    """'snake_case': `Outreach visit` reads as outreach_visit. Else codes are upper-cased."""
    doc: str = ""

    def described(self) -> str:
        """M (male), F (female)."""
        return ", ".join(f"{code} ({meaning})" for code, meaning in self.codes.items())

    def text(self) -> str:
        """The rule's message with the codes filled in."""
        return self.message.format(codes=self.described(), code_list=", ".join(self.codes))


@dataclass(frozen=True)
class Identifier:
    handling: str
    as_name: str | None = None
    """The raw table's column for a pseudonymised or reduced value."""
    to: str | None = None
    """A reduction: year_month or postcode_sector."""
    consent: str | None = None
    """A column whose Y allows the value to be used (else it is dropped and counted)."""
    linked_as: str | None = None
    """A postcode reduced to its sector may also be kept as a keyed pseudonym of the whole
    postcode (written without spaces), in this raw column: two sources declaring it join on
    the postcode (a child's home and the postcode-to-LSOA lookup) without either keeping it."""


@dataclass(frozen=True)
class Format:
    rule: str
    message: str
    named: str | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class Offset:
    years: int = 0
    months: int = 0
    days: int = 0

    def from_date(self, start: dt.date) -> dt.date:
        month = start.month - 1 + self.months
        year = start.year + self.years + month // 12
        shifted = start.replace(year=year, month=month % 12 + 1)
        return shifted + dt.timedelta(days=self.days)


@dataclass(frozen=True)
class Window:
    """Dates between the period's start moved by `first` and by `last` (inclusive)."""

    first: Offset
    last: Offset
    rule: str
    message: str

    def bounds(self, period_start: dt.date) -> tuple[dt.date, dt.date]:
        return self.first.from_date(period_start), self.last.from_date(period_start)

    def text(self, period_label: str, period_start: dt.date) -> str:
        first, last = self.bounds(period_start)
        return self.message.format(
            period=period_label, first=f"{first:%d %B %Y}", last=f"{last:%d %B %Y}"
        )


@dataclass(frozen=True)
class Range:
    least: float | None
    most: float | None
    rule: str
    message: str


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    identifier: Identifier
    title: str = ""
    required: bool = True
    show_rejected: bool = False
    """A rejected value may be shown outside the raw zone (when it looks like a code)."""
    aliases: tuple[str, ...] = ()
    """Headers (as canonical names) read as this column when it is absent."""
    codes: CodeList | None = None
    format: Format | None = None
    window: Window | None = None
    range: Range | None = None
    invalid: str = "quarantine"
    doc: str = ""

    @property
    def blank_passes(self) -> bool:
        """A blank passes the code list: the column is optional and its list gives a blank
        no code of its own (`blank:`)."""
        return self.codes is not None and not self.required and self.codes.blank is None

    @property
    def raw_name(self) -> str | None:
        """Its column in the raw table (None: dropped at the door)."""
        if self.identifier.handling == "drop":
            return None
        return self.identifier.as_name or self.name

    @property
    def raw_names(self) -> tuple[str, ...]:
        """Every raw table column it makes: its own and, when declared, the linked pseudonym."""
        if self.raw_name is None:
            return ()
        linked = self.identifier.linked_as
        return (self.raw_name, linked) if linked else (self.raw_name,)


@dataclass(frozen=True)
class Match:
    """Every row must match a row of `source` on `column` (the same year); a row quarantined
    in either is held back from both (`when_quarantined: both`). The messages take {value},
    {period}, {folder}, {files} (the other kind's rejected files) and {rows} (its rows)."""

    source: str
    column: str
    when_quarantined: str
    doc: str = ""
    missing: str = ""
    rejected: str = ""
    not_landed: str = ""
    held_back: str = ""


@dataclass(frozen=True)
class Key:
    """Columns whose values appear once a period across the period's files (`also_keys:`,
    beside the spec's `key:`): a linkage file's second direction, say."""

    columns: tuple[str, ...]
    rule: str
    message: str = ""
    """{value}, {places} (the other rows)."""
    doc: str = ""


@dataclass(frozen=True)
class SourceSpec:
    source: str
    title: str
    description: str
    period: str
    stream: str
    raw_table: str
    raw_description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    key_rule: str = ""
    key_message: str = ""
    """The duplicate key's message: {value}, {places} (the other rows)."""
    key_doc: str = ""
    also_keys: tuple[Key, ...] = ()
    """Further keys, each unique on its own (a standalone source's `also_keys:`)."""
    key_across_periods: Key | None = None
    """`key: across_periods: {rule, message}`: the key is also once across every period
    loaded (a referral id in two months' files): indicators/ingest/across_periods.py."""
    label: str = ""
    """How messages name the source (EYFSP, census)."""
    also_tables: tuple[tuple[str, str], ...] = ()
    matching: tuple[Match, ...] = ()
    placement: dict[str, Any] = field(default_factory=dict)
    consent: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)
    free_text: dict[str, Any] = field(default_factory=dict)
    numbered_headers: tuple[str, int, int] | None = None
    """(prefix, first, last): `ELG 9` and `elg_9` read as elg09."""
    row_rules: tuple[Any, ...] = ()
    """Rules across a row's columns (`row_rules:`, indicators/sources/row_rules.RowCheck)."""
    landing_order: int = 100
    """Kinds are found in the landing area, and named in messages, in this order."""
    counted_when: str = "landed"
    """'next_period_landed': a period's figures count once the next period is landed with
    rows too (a referral's Voice Notes and hub meeting arrive in next month's files); read
    by indicators/publish/period_coverage.py, as the Early Help journeys count a month."""
    starts_late: bool = False
    declared_start: tuple[str, str] = ()
    """(seed, column) whose earliest month (YYYY-MM) is when a `starts_late` source began,
    whatever landed (`declared_start: {seed: early_help_trials, column: starts}`): a period
    from then on with none of its rows landed is a gap, even before its first file."""
    declared_start_per: tuple[str, str] = ()
    """(per, due_with): the seed's `per` column (a team, also a column of this source) gives
    each its own start; from it, a period whose files hold no row of that team while the
    `due_with` source (its referrals) has rows of it is not counted: a file with only some
    teams' rows must not read as their families unheard (indicators/publish/unit_gaps.py)."""
    """The source may begin part-way (a practice that starts after the others, as the Voice
    Note did): a period before its first landed with rows has none of its rows and is
    counted; a period after it with none landed is not counted (a file not landed, not a
    period without any). Read by period_coverage, as the journeys count a month."""
    files: tuple[str, ...] = ()
    """The spec files merged, as displayed (base first)."""
    digest: str = ""
    """sha256 of the merged spec's files: the rules version in a load's fingerprint."""

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.source} has no column {name}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    @property
    def read_columns(self) -> tuple[str, ...]:
        """Columns whose values are kept in some form (checked as codes or identifiers)."""
        return tuple(c.name for c in self.columns if c.identifier.handling != "drop")

    @property
    def free_text_columns(self) -> tuple[str, ...]:
        """The declared columns of free text (`free_text: {columns: note, ...}`, or a list of
        columns, `columns: [home_statement, family_statement]`, on a source without items),
        each scrubbed and gated by the one consent column by the standalone engine; () for
        the voice survey, whose comments are one per item (`{item}_comment`), or without."""
        declared = self.free_text.get("columns")
        names = declared if isinstance(declared, list) else [declared]
        return tuple(str(name) for name in names if name in self.names)

    @property
    def longest_free_text(self) -> int:
        """Characters a free-text value may hold (`free_text.longest`, default 2000)."""
        return int(self.free_text.get("longest", 2000))

    @property
    def dropped(self) -> tuple[str, ...]:
        """Columns read but dropped at the door (still checked for control characters)."""
        return tuple(c.name for c in self.columns if c.identifier.handling == "drop")

    @property
    def shown_columns(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns if c.show_rejected)

    @property
    def identifier_columns(self) -> frozenset[str]:
        """Columns whose values never leave the raw zone as they are."""
        return frozenset(
            c.name
            for c in self.columns
            if c.identifier.handling in ("pseudonymise", "reduce", "drop") and not c.show_rejected
        )

    @property
    def raw_columns(self) -> tuple[str, ...]:
        """The raw table's columns, in order: the period (with its EES time_identifier for a
        source not counted in academic years), each kept column, provenance."""
        names = [name for c in self.columns for name in c.raw_names]
        period = ("time_identifier",) if self.period != "academic_year" else ()
        return ("academic_year", "time_period", *period, *names, "_source_file", "_source_row")

    @property
    def header_aliases(self) -> dict[str, str]:
        """Form-tool headers read as a column when it is absent: alias -> column."""
        return {alias: c.name for c in self.columns for alias in c.aliases}

    def with_handling(self, handling: str) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.identifier.handling == handling)
