"""What a framework sets side by side (dbt_project/frameworks/*.yml): a statutory figure
beside what people say (`beside:`), several indicators as columns over one breakdown's groups
(`side_by_side:`) and the statements shown beside the rows they explain (`statements:`),
read from a framework document already checked for its keys' types (framework_schema.py).
framework_checks.py checks what they name against the register.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figure:
    """One published figure a `beside` entry sets out: an indicator's row (breakdown, group)."""

    indicator: str
    breakdown: str = "All"
    group: str = ""
    """The group's name (default: the total row of the breakdown, whatever it is called)."""
    label: str = ""
    """The figure's row header in the pack's table (default: the indicator's title)."""


@dataclass(frozen=True)
class Beside:
    """A statutory figure set beside what people say (`beside:`), in one section."""

    section: str
    heading: str
    first: Figure
    second: Figure
    words: Mapping[str, str]
    """`made` and `not_made`: the claim's sentence (framework_checks.PLACEHOLDERS)."""


@dataclass(frozen=True)
class SideBySide:
    """Several indicators as columns over one breakdown's groups (`side_by_side:`)."""

    section: str
    heading: str
    breakdown: str
    columns: tuple[tuple[str, str], ...]
    """(indicator, column label), in order."""
    intro: str = ""


@dataclass(frozen=True)
class GroupChart:
    """One indicator's values across one breakdown's groups, as bars with their 95%
    intervals (`group_charts:`; the journey chart: GLD by two-year communication result)."""

    section: str
    heading: str
    indicator: str
    breakdown: str
    alt: str
    """The chart's text alternative, as declared (its published values follow it)."""
    intro: str = ""


@dataclass(frozen=True)
class Explains:
    """Which indicators' rows a kind of statement explains (`statements.explains`): the
    statements matching `only` sit beside those indicators' total rows of the same area and
    period (the figures about the same people), and beside no other row."""

    indicators: tuple[str, ...]
    only: Mapping[str, str] = field(default_factory=dict)
    """column -> the value a statement must have to explain these rows (kind: ...)."""
    hidden_with: tuple[str, ...] = ()
    """Indicators whose total row's count (numerator or denominator) these statements bound
    from below: where one is suppressed (c) or not published for the area and period, none
    of them is published (statement_rules.withheld)."""


@dataclass(frozen=True)
class Statements:
    """People's statements beside the rows they explain (`statements:`): a published frame
    (quotes/<frame>.csv) with `quote`, `area_code`, `time_period` and the columns that
    `breakdowns` matches to a row's group."""

    frame: str = ""
    heading: str = "Statements"
    breakdowns: Mapping[str, str] = field(default_factory=dict)
    """breakdown -> the frame's column holding its group (Outcome domain: domain)."""
    source: tuple[str, ...] = ()
    """Columns naming where a statement comes from, joined by commas after it."""
    only: Mapping[str, str] = field(default_factory=dict)
    """column -> the value a statement must have to be shown (perspective: young_person)."""
    note: str = ""
    explains: tuple[Explains, ...] = ()
    """When declared, statements sit only beside the rows of the indicators they explain
    (and `breakdowns` is not used)."""


def parse_group_charts(document: Mapping) -> tuple[GroupChart, ...]:
    """`group_charts` of a framework document; KeyError with the key and what it lacks."""
    found = []
    for n, entry in enumerate(document.get("group_charts") or ()):
        for key in ("section", "heading", "indicator", "breakdown", "alt"):
            if not entry.get(key):
                raise KeyError(
                    f"group_charts[{n}].{key} is missing (each chart needs section, heading, "
                    "indicator, breakdown and alt)"
                )
        found.append(
            GroupChart(
                **{k: str(entry[k]) for k in ("section", "heading", "indicator", "breakdown")},
                alt=str(entry["alt"]),
                intro=str(entry.get("intro") or ""),
            )
        )
    return tuple(found)


def parse_layout(
    document: Mapping,
) -> tuple[tuple[Beside, ...], tuple[SideBySide, ...], Statements]:
    """`beside`, `side_by_side` and `statements` of a framework document; KeyError with the
    key and what it lacks when one is malformed."""
    beside = tuple(_beside(entry) for entry in document.get("beside") or ())
    side_by_side = tuple(_side_by_side(entry) for entry in document.get("side_by_side") or ())
    declared = dict(document.get("statements") or {})
    if declared and not declared.get("frame"):
        raise KeyError("statements.frame is missing (the published frame of statements)")
    statements = Statements(
        frame=str(declared.get("frame") or ""),
        heading=str(declared.get("heading") or "Statements"),
        breakdowns={str(k): str(v) for k, v in (declared.get("breakdowns") or {}).items()},
        source=tuple(str(v) for v in declared.get("source") or ()),
        only={str(k): str(v) for k, v in (declared.get("only") or {}).items()},
        note=str(declared.get("note") or ""),
        explains=tuple(
            _explains(n, entry) for n, entry in enumerate(declared.get("explains") or ())
        ),
    )
    return beside, side_by_side, statements


def _explains(n: int, entry: Mapping) -> Explains:
    if not entry.get("indicators"):
        raise KeyError(f"statements.explains[{n}].indicators is missing (the rows it explains)")
    return Explains(
        indicators=tuple(str(v) for v in entry["indicators"]),
        only={str(k): str(v) for k, v in (entry.get("only") or {}).items()},
        hidden_with=tuple(str(v) for v in entry.get("hidden_with") or ()),
    )


def _figure(entry: Mapping, where: str) -> Figure:
    if not isinstance(entry, Mapping) or not entry.get("indicator"):
        raise KeyError(f"{where}.indicator is missing")
    return Figure(
        indicator=str(entry["indicator"]),
        breakdown=str(entry.get("breakdown") or "All"),
        group=str(entry.get("group") or ""),
        label=str(entry.get("label") or ""),
    )


def _beside(entry: Mapping) -> Beside:
    for key in ("section", "heading", "first", "second", "words"):
        if not entry.get(key):
            raise KeyError(
                f"beside: each entry needs {key} (section, heading, first, second, words)"
            )
    words = dict(entry["words"])
    if not words.get("made") or not words.get("not_made"):
        raise KeyError("beside.words: needs made and not_made")
    return Beside(
        section=str(entry["section"]),
        heading=str(entry["heading"]),
        first=_figure(entry["first"], "beside.first"),
        second=_figure(entry["second"], "beside.second"),
        words={str(k): str(v) for k, v in words.items()},
    )


def _side_by_side(entry: Mapping) -> SideBySide:
    for key in ("section", "heading", "breakdown", "columns"):
        if not entry.get(key):
            raise KeyError(
                f"side_by_side: each entry needs {key} (section, heading, breakdown, columns)"
            )
    columns = []
    for column in entry["columns"]:
        if not column.get("indicator") or not column.get("label"):
            raise KeyError("side_by_side.columns: each column needs indicator and label")
        columns.append((str(column["indicator"]), str(column["label"])))
    return SideBySide(
        section=str(entry["section"]),
        heading=str(entry["heading"]),
        breakdown=str(entry["breakdown"]),
        columns=tuple(columns),
        intro=str(entry.get("intro") or ""),
    )
