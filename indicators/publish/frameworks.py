"""Frameworks: what one audience's board pack shows, declared in YAML beside the models.

A framework (dbt_project/frameworks/<id>.yml, plus any folder CHORUS_FRAMEWORKS names)
declares its id and title, its audience (a name, the authority level that gets one pack and
the level within it whose areas get one each, the packs' titles), its indicators, its
headline (indicator, words, any ambition line and the ambition's source), its sections in
order, the "who we heard from" section's indicators, which indicators get a trend chart, the
breakdowns the pack groups by, the page at a glance, the dated events marked on its
charts of months (framework_markers.py: read from a warehouse table) and the funnel plots
of the authority's areas (framework_funnels.py). The packs
(indicators/publish/packs/) are built from these declarations and the register: they name
no indicator.

`load_frameworks` reads them (framework_schema.py: UTF-8 YAML, each key once, every key a
known one of its type; refusing an unsafe or repeated id and a packs_under folder
outside the publication, in its own folders or shared); `framework_problems`
(framework_checks.py) checks them against the register, the voice item bank and the
declared geographies, one message per problem, naming the file and the key.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from indicators.config import PROJECT_ROOT, dbt_project_dir
from indicators.publish.framework_checks import (
    collection_problems,
    folder_problem,
    framework_problems,
    id_problem,
)
from indicators.publish.framework_funnels import Funnel, parse_funnels
from indicators.publish.framework_layout import (
    Beside,
    Figure,
    GroupChart,
    SideBySide,
    Statements,
    parse_group_charts,
    parse_layout,
)
from indicators.publish.framework_markers import Marker, marker_problems, parse_markers
from indicators.publish.framework_schema import read_framework_file, shape_problem

__all__ = [
    "Beside",
    "Figure",
    "Framework",
    "FrameworkError",
    "Funnel",
    "GroupChart",
    "SideBySide",
    "Statements",
    "framework_problems",
    "load_frameworks",
]

PACKS_ROOT = "boards"
WHO_WORDS = ("no_survey", "who_answered", "limits")
"""who_we_heard.words: the section's sentence when no survey result is published
({area}), the one after its reach, and the bullet in "what the figures cannot tell you"
({heading})."""
HEADLINE_WORDS = (
    "none",
    "figure",
    "caution",
    "title",
    "value_column",
    "count_column",
    "count_sheet",
    "england_note",
)


class FrameworkError(ValueError):
    """A framework file cannot be read or is not a framework."""


@dataclass(frozen=True)
class Ambition:
    value: float
    label: str
    """In a sentence: 'the national ambition of 75% by 2028'."""
    line: str
    """On the chart's line: '75% ambition for 2028'."""
    row: str
    """The table row's header: 'National ambition for 2028'."""
    source: str


@dataclass(frozen=True)
class Headline:
    indicator: str
    heading: str
    words: Mapping[str, object]
    ambition: Ambition | None = None


@dataclass(frozen=True)
class WhoWeHeard:
    section: str = "Who we heard from"
    heading: str = ""
    """The section's heading in the pack (default: `section`)."""
    indicators: tuple[str, ...] = ()
    reach: str = ""
    channels: str = ""
    groups: str = ""
    groups_breakdown: str = ""
    shares_in_cohort: Mapping[str, str] = field(default_factory=dict)
    """seldom-heard group -> the indicator of its share of the cohort (YAML cohort_shares)."""
    words: Mapping[str, str] = field(default_factory=dict)
    """WHO_WORDS: its sentences, each left out when not declared."""


@dataclass(frozen=True)
class Breakdowns:
    items: str = ""
    domains: str = ""
    answers: str = ""
    folded: tuple[str, str] | None = None


@dataclass(frozen=True)
class GlanceEntry:
    section: str
    indicator: str
    breakdown: str = "All"


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    subject: str
    """What the packs are about, after the authority's name: "children's early years"."""
    audience: str
    authority_level: str
    area_level: str | None
    pack_titles: Mapping[str, str]
    packs_under: str
    indicators: tuple[str, ...]
    headline: Headline
    sections: tuple[str, ...]
    who: WhoWeHeard
    chart_sections: frozenset[str]
    chart_indicators: frozenset[str]
    breakdowns: Breakdowns
    glance: tuple[GlanceEntry, ...]
    file: str = ""
    words: Mapping[str, object] = field(default_factory=dict)
    """Declared wording (WORDS): each sentence of the pack that is not about one figure."""
    beside: tuple[Beside, ...] = ()
    side_by_side: tuple[SideBySide, ...] = ()
    statements: Statements = field(default_factory=Statements)
    group_charts: tuple[GroupChart, ...] = ()
    markers: tuple[Marker, ...] = ()
    """Dated events drawn on the trend charts of months and quarters (framework_markers.py)."""
    funnels: tuple[Funnel, ...] = ()
    """The areas' funnel plots in the authority's pack (framework_funnels.py)."""
    area_packs: bool = True
    """Whether each area of `area_level` gets a pack of its own (audience.area_packs: a
    combined authority's board reads one pack, its authorities' own packs being theirs)."""
    authority_word: str = "borough"
    """What the authority is called in 'the borough average' (audience.authority_word)."""

    def said(self, key: str, **fill: object) -> str:
        """The declared words of `key` (WORDS) with their placeholders filled, or ''."""
        text = self.words.get(key)
        return str(text).format(**fill) if isinstance(text, str) else ""

    def said_list(self, key: str, **fill: object) -> list[str]:
        """The declared list of sentences of `key`, each filled, or []."""
        return [str(text).format(**fill) for text in self.words.get(key) or ()]

    def pack_title(self, area: str, la_word: str, is_authority: bool) -> str:
        template = self.pack_titles["authority" if is_authority else "areas"]
        return template.format(area=area, la_word=la_word)

    @property
    def ambitions(self) -> dict[str, tuple[float, str]]:
        """indicator id -> (target, words), for the claims' ambition comparisons."""
        ambition = self.headline.ambition
        return {self.headline.indicator: (ambition.value, ambition.label)} if ambition else {}


def _strings(value: object, where: str, file: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise FrameworkError(f"{file or 'framework'}: {where}: must be a list")
    return tuple(str(v) for v in value)


def parse_framework(document: object, file: str = "") -> Framework:
    """A framework from its YAML document; FrameworkError names the file and the key."""

    def fail(message: str) -> FrameworkError:
        return FrameworkError(f"{file or 'framework'}: {message}")

    if not isinstance(document, Mapping):
        raise fail("is not a mapping of keys (id, title, audience, indicators, headline...)")
    problem = shape_problem(document)
    if problem:
        raise fail(problem)
    for key in ("id", "title", "audience", "indicators", "headline"):
        if not document.get(key):
            raise fail(f"`{key}` is missing")
    audience = document["audience"]
    if not isinstance(audience, Mapping) or not audience.get("name"):
        raise fail("audience needs a name and levels: {authority: ..., areas: ...}")
    levels = audience.get("levels") or {}
    if not isinstance(levels, Mapping) or not levels.get("authority"):
        raise fail("audience.levels.authority is missing (the level that gets one pack)")
    titles = dict(audience.get("pack_titles") or {})
    name = str(audience["name"])  # as the framework writes it: 'Early Help partnership pack'
    titles.setdefault("authority", "{area}: " + name + " pack")
    titles.setdefault("areas", titles["authority"])
    headline = document["headline"]
    if not isinstance(headline, Mapping) or not headline.get("indicator"):
        raise fail("headline.indicator is missing")
    words = dict(headline.get("words") or {})
    missing_words = [w for w in HEADLINE_WORDS if words.get(w) is None]
    if missing_words:
        raise fail(f"headline.words lacks {', '.join(missing_words)}")
    if len(words["count_sheet"]) != 2:
        raise fail(
            "headline.words.count_sheet: names the spreadsheet's two count columns (the "
            f"numerator's and the denominator's), not {len(words['count_sheet'])}"
        )
    ambition = None
    if headline.get("ambition"):
        raw = headline["ambition"]
        try:
            ambition = Ambition(
                value=float(raw["value"]),
                label=str(raw["label"]),
                line=str(raw.get("line") or raw["label"]),
                row=str(raw.get("row") or raw["label"]),
                source=str(raw["source"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise fail(
                f"headline.ambition needs value (a number), label and source ({error})"
            ) from None
    who = dict(document.get("who_we_heard") or {})
    breakdowns = dict(document.get("breakdowns") or {})
    folded = _strings(breakdowns.get("folded"), "breakdowns.folded", file)
    if folded and len(folded) != 2:
        raise fail("breakdowns.folded names two indicators: the table's and its column's")
    charts = dict(document.get("trend_charts") or {})
    try:
        glance = tuple(
            GlanceEntry(
                section=str(entry.get("section") or ""),
                indicator=str(entry["indicator"]),
                breakdown=str(entry.get("breakdown") or "All"),
            )
            for entry in document.get("glance") or ()
        )
    except (KeyError, AttributeError):
        raise fail("each glance entry needs an indicator") from None
    framework_id = str(document["id"])
    problem = id_problem(framework_id)
    packs_under = str(document.get("packs_under") or f"{PACKS_ROOT}-{framework_id}")
    problem = problem or folder_problem(packs_under)
    if problem:
        raise fail(problem)
    section = str(who.get("section") or "Who we heard from")
    try:
        beside, side_by_side, statements = parse_layout(document)
        group_charts = parse_group_charts(document)
        markers = parse_markers(document)
        funnels = parse_funnels(document)
    except KeyError as error:
        raise fail(str(error.args[0])) from None
    for key, message in marker_problems(markers):
        raise fail(f"{key}: {message}")
    return Framework(
        id=framework_id,
        title=str(document["title"]),
        subject=str(document.get("subject") or document["title"]),
        audience=str(audience["name"]),
        authority_level=str(levels["authority"]),
        area_level=str(levels["areas"]) if levels.get("areas") else None,
        pack_titles=titles,
        packs_under=packs_under,
        indicators=_strings(document["indicators"], "indicators", file),
        headline=Headline(
            indicator=str(headline["indicator"]),
            heading=str(headline.get("heading") or document["title"]),
            words=words,
            ambition=ambition,
        ),
        sections=_strings(document.get("sections"), "sections", file),
        who=WhoWeHeard(
            section=section,
            heading=str(who.get("heading") or section),
            indicators=_strings(who.get("indicators"), "who_we_heard.indicators", file),
            reach=str(who.get("reach") or ""),
            channels=str(who.get("channels") or ""),
            groups=str(who.get("groups") or ""),
            groups_breakdown=str(who.get("groups_breakdown") or ""),
            shares_in_cohort={str(k): str(v) for k, v in (who.get("cohort_shares") or {}).items()},
            words={str(k): str(v) for k, v in (who.get("words") or {}).items()},
        ),
        chart_sections=frozenset(_strings(charts.get("sections"), "trend_charts.sections", file)),
        chart_indicators=frozenset(
            _strings(charts.get("indicators"), "trend_charts.indicators", file)
        ),
        breakdowns=Breakdowns(
            items=str(breakdowns.get("items") or ""),
            domains=str(breakdowns.get("domains") or ""),
            answers=str(breakdowns.get("answers") or ""),
            folded=(folded[0], folded[1]) if folded else None,
        ),
        glance=glance,
        file=file,
        words=dict(document.get("words") or {}),
        beside=beside,
        side_by_side=side_by_side,
        statements=statements,
        group_charts=group_charts,
        markers=markers,
        funnels=funnels,
        area_packs=audience.get("area_packs") is not False,
        authority_word=str(audience.get("authority_word") or "borough"),
    )


def default_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The dbt project's frameworks/ (CHORUS_DBT_PROJECT's, when set)."""
    return dbt_project_dir(environ) / "frameworks"


def framework_dirs(environ: Mapping[str, str] | None = None) -> list[Path]:
    """dbt_project/frameworks, then each folder CHORUS_FRAMEWORKS adds (os.pathsep between)."""
    env = os.environ if environ is None else environ
    extra = [Path(p).expanduser() for p in (env.get("CHORUS_FRAMEWORKS") or "").split(os.pathsep)]
    return [default_dir(env), *(p for p in extra if str(p) not in ("", "."))]


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def load_frameworks(folders: Sequence[Path] | None = None) -> list[Framework]:
    """Every framework in `folders` (default `framework_dirs()`), by file name in each folder:
    each file ending .yml or .yaml, in any case (early_help.YML)."""
    found: list[Framework] = []
    for folder in folders if folders is not None else framework_dirs():
        folder = Path(folder)
        files = sorted(folder.iterdir()) if folder.is_dir() else []
        for path in (p for p in files if p.suffix.lower() in (".yml", ".yaml") and p.is_file()):
            try:
                document = read_framework_file(path, _shown(path))
            except ValueError as error:
                raise FrameworkError(str(error)) from None
            framework = parse_framework(document, _shown(path))
            if framework.id != path.stem:
                raise FrameworkError(
                    f"{_shown(path)}: id: '{framework.id}' is not the file's name: "
                    f"call the file {framework.id}{path.suffix} or the id {path.stem}"
                )
            found.append(framework)
    problems = collection_problems(found)
    if problems:
        raise FrameworkError(" | ".join(problems))
    return found


@functools.cache
def default_framework() -> Framework:
    """The framework whose packs go straight under boards/ (school readiness and family voice
    today): the one a pack or claim is built with when none is given."""
    frameworks = load_frameworks([default_dir()])
    for framework in frameworks:
        if framework.packs_under == PACKS_ROOT:
            return framework
    if not frameworks:
        raise FrameworkError(f"no framework in {_shown(default_dir())}")
    return frameworks[0]


FRAMEWORK_COLUMNS = [
    "framework_id",
    "framework_title",
    "audience",
    "authority_level",
    "area_level",
    "packs_under",
    "headline_indicator",
    "ambition",
    "ambition_source",
    "position",
    "indicator_id",
    "indicator_title",
    "levels",
    "period_type",
    "time_identifier",
]


def _identifiers(declared: str) -> str:
    """A period type's EES time identifier ('Academic year'), or for one that divides the
    year its first to its last ('January to December')."""
    from indicators.declarations import period_type

    if not declared:
        return ""
    kind = period_type(declared)
    if kind.parts == 1:
        return kind.time_identifier
    return f"{kind.time_identifiers[0].label} to {kind.time_identifiers[-1].label}"


def frameworks_table(frameworks: Sequence[Framework], register: pd.DataFrame) -> pd.DataFrame:
    """register/frameworks.csv: one row per framework and indicator, in the framework's
    order, with its audience, headline and ambition (and the ambition's source), and each
    indicator's declared levels and period type (with its EES time identifiers)."""
    meta = {row["indicator_id"]: row for row in register.to_dict("records")}
    rows = []
    for framework in frameworks:
        ambition = framework.headline.ambition
        for position, indicator_id in enumerate(framework.indicators, start=1):
            entry = meta.get(indicator_id, {})
            levels = entry.get("levels")
            if isinstance(levels, str):
                try:
                    levels = json.loads(levels)
                except ValueError:
                    levels = [levels]
            declared = entry.get("period_type")
            declared = "" if declared is None or declared != declared else str(declared)
            rows.append(
                {
                    "framework_id": framework.id,
                    "framework_title": framework.title,
                    "audience": framework.audience,
                    "authority_level": framework.authority_level,
                    "area_level": framework.area_level or "",
                    "packs_under": framework.packs_under,
                    "headline_indicator": framework.headline.indicator,
                    "ambition": f"{ambition.value:g}" if ambition else "",
                    "ambition_source": ambition.source if ambition else "",
                    "position": str(position),
                    "indicator_id": indicator_id,
                    "indicator_title": str(entry.get("title") or ""),
                    "levels": "; ".join(levels) if isinstance(levels, list) else "",
                    "period_type": declared,
                    "time_identifier": _identifiers(declared),
                }
            )
    return pd.DataFrame(rows, columns=FRAMEWORK_COLUMNS)


def statement_frames(frameworks: list[Framework]) -> list[str]:
    """The published frames the frameworks show statements from (`statements.frame`), once
    each, sorted."""
    return sorted({f.statements.frame for f in frameworks if f.statements.frame})
