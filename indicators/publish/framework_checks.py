"""What a framework (dbt_project/frameworks/*.yml) may say, checked before a run builds
anything: one message per problem, naming the file and the key.

- `id_problem`, `folder_problem`, `collection_problems`: the id is a safe lowercase name
  (load_frameworks: equal to the file's stem) and used by one file only; `packs_under` is
  a relative folder inside the publication, not one of the folders the publish step
  writes, and no two frameworks write packs into the same folder or one inside another's
  (folders compared case-insensitively: Register/ is register/ on Windows and macOS).
- `framework_problems`: against the register (the indicator models' declarations, read
  before dbt), the voice item bank's domains and the declared geographies: every indicator a
  key names is in the framework's `indicators`, each of these lands in a section the pack
  shows (one in the who_we_heard section's domain is the headline's or among
  who_we_heard.indicators), the
  headline is a proportion, every section, breakdown and level is declared, and every
  sentence uses only its documented placeholders.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Mapping, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from indicators.declarations import DeclarationError, geographies
from indicators.publish.framework_funnels import funnel_problems

if TYPE_CHECKING:
    from pathlib import Path

    from indicators.publish.frameworks import Framework

SAFE_ID = re.compile(r"[a-z][a-z0-9_]{0,62}")
PUBLICATION_FOLDERS = (
    "indicators",  # indicator_tables.py: indicator_values.csv
    "register",  # indicators.csv, frameworks.csv, index.html
    "quotes",  # quotes.csv
    "quality",  # load_summary.csv, rejections.csv, suppression.csv, index.html
    "open-data",  # open_data.py (OPEN_DATA_DIR)
    "manifest.json",  # publication.py
)
"""What the publish step writes at the top of a publication, besides the packs' folders."""

PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "audience.pack_titles.authority": ("area", "la_word"),
    "audience.pack_titles.areas": ("area", "la_word"),
    "headline.words.none": ("area",),
    "headline.words.figure": (
        "area",
        "period",
        "value",
        "numerator",
        "denominator",
        "lower",
        "upper",
    ),
    "headline.words.title": ("area", "period"),
    "who_we_heard.words.no_survey": ("area",),
    "who_we_heard.words.limits": ("heading",),
    "words.how_to_read": (
        "la_label",
        "la_word",
        "units",
        "trend_method",
        "spc_points",
        "max_quotes",
    ),
    "words.glance_none": ("area",),
    "words.glance_note": ("la_mark",),
    "words.limits": ("place", "year", "years", "trend_points", "spc_points", "who_heading"),
    "words.limits_small": ("small_number",),
    "words.dependent_counts": ("unit", "not_compared"),
    "beside.words.made": (
        "area",
        "period",
        "first",
        "second",
        "first_counts",
        "second_counts",
    ),
    "beside.words.not_made": ("area", "period", "reason"),
    "group_charts.alt": ("area", "period"),
    "funnels.alt": ("area", "period"),
}
"""The keys whose words are filled in, and the placeholders each takes; every other
sentence or title a framework declares is shown as written and takes none."""


def id_problem(framework_id: str) -> str | None:
    """Why `framework_id` is not a safe id (it names a folder and a register column), or None;
    that it is the file's stem is checked where the file is read (load_frameworks)."""
    if not SAFE_ID.fullmatch(framework_id):
        return (
            f"id: '{framework_id}' is not a safe name (lower case letters, digits and "
            "underscores, starting with a letter, at most 63)"
        )
    return None


def folder_problem(packs_under: str) -> str | None:
    """Why `packs_under` cannot hold a framework's packs, or None."""
    text = packs_under.strip()
    path = PurePosixPath(text.replace("\\", "/"))
    if not text or text in (".", "./"):
        return "packs_under: is empty: name a folder of the publication, such as boards-<id>"
    if path.is_absolute() or re.match(r"[A-Za-z]:", text) or text.startswith("~"):
        return f"packs_under: '{packs_under}' must be a folder inside the publication, not absolute"
    if any(part in ("..", ".", "") for part in text.replace("\\", "/").split("/")) or not all(
        re.fullmatch(r"[A-Za-z0-9_.-]+", part) for part in path.parts
    ):
        return (
            f"packs_under: '{packs_under}' must be a relative folder of letters, digits, "
            "., - and _ (no .., no empty or dot parts)"
        )
    top = path.parts[0].lower()  # Register/ is register/ on Windows and macOS
    if top in PUBLICATION_FOLDERS:
        return (
            f"packs_under: '{packs_under}' is in the publication's own {top}/ (in any case; the "
            f"publish step writes {', '.join(PUBLICATION_FOLDERS)}): choose another folder"
        )
    return None


def collection_problems(frameworks: Sequence[Framework]) -> list[str]:
    """Two files with one id; two frameworks writing into one folder, or one into a folder
    inside another's."""
    problems = []
    for position, framework in enumerate(frameworks):
        for other in frameworks[:position]:
            if other.id == framework.id:
                problems.append(
                    f"{other.file} and {framework.file}: both declare id '{framework.id}'"
                )
            # folders compared as a case-insensitive file system (Windows, macOS) sees them
            mine = PurePosixPath(framework.packs_under.lower())
            theirs = PurePosixPath(other.packs_under.lower())
            if mine == theirs:
                problems.append(
                    f"{other.file} and {framework.file}: both write packs into "
                    f"packs_under '{framework.packs_under}'"
                )
            elif theirs in mine.parents or mine in theirs.parents:
                inner, outer = (framework, other) if theirs in mine.parents else (other, framework)
                problems.append(
                    f"{inner.file}: packs_under '{inner.packs_under}' is inside "
                    f"{outer.file}'s packs_under '{outer.packs_under}': give it its own folder"
                )
    return problems


def placeholder_problem(key: str, text: str) -> str | None:
    """What is wrong with the braces in `text`, the words of `key`, or None."""
    allowed = PLACEHOLDERS.get(key, ())
    if not allowed:
        if "{" in text or "}" in text:
            return f"{key}: takes no placeholders, but has a brace: '{text}'"
        return None
    listed = ", ".join("{" + name + "}" for name in allowed)
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError:
        return f"{key}: a stray brace in '{text}' (it takes {listed}; write {{{{ for a brace)"
    for name, spec, conversion in fields:
        if name not in allowed or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            return f"{key}: unknown placeholder {shown} (it takes {listed})"
    return None


def _texts(framework: Framework) -> list[tuple[str, str]]:
    """Every sentence and title a framework declares, by its key."""
    texts = [
        ("title", framework.title),
        ("subject", framework.subject),
        ("audience.name", framework.audience),
        ("audience.authority_word", framework.authority_word),
        *(  # `areas` defaults to `authority`'s words: named once
            (f"audience.pack_titles.{k}", v)
            for k, v in framework.pack_titles.items()
            if k == "authority" or v != framework.pack_titles.get("authority")
        ),
        ("headline.heading", framework.headline.heading),
        ("who_we_heard.heading", framework.who.heading),
        *((f"who_we_heard.words.{k}", v) for k, v in framework.who.words.items()),
    ]
    for key, value in framework.headline.words.items():
        values = value if isinstance(value, list | tuple) else [value]
        texts += [(f"headline.words.{key}", str(v)) for v in values]
    ambition = framework.headline.ambition
    if ambition:
        texts += [(f"headline.ambition.{k}", getattr(ambition, k)) for k in ("label", "line")]
        texts += [(f"headline.ambition.{k}", getattr(ambition, k)) for k in ("row", "source")]
    for key, value in framework.words.items():
        if key == "key":
            texts += [(f"words.key.{symbol}", str(v)) for symbol, v in dict(value).items()]
            continue
        values = value if isinstance(value, list | tuple) else [value]
        texts += [(f"words.{key}", str(v)) for v in values]
    for entry in framework.beside:
        texts += [("beside.heading", entry.heading)]
        texts += [(f"beside.words.{k}", v) for k, v in entry.words.items()]
        texts += [(f"beside.{k}.label", getattr(entry, k).label) for k in ("first", "second")]
    for entry in framework.side_by_side:
        texts += [("side_by_side.heading", entry.heading), ("side_by_side.intro", entry.intro)]
        texts += [("side_by_side.columns.label", label) for _, label in entry.columns]
    for chart in framework.group_charts:
        texts += [("group_charts.heading", chart.heading), ("group_charts.intro", chart.intro)]
        texts += [("group_charts.alt", chart.alt)]
    for funnel in framework.funnels:
        texts += [(f"funnels.{key}", getattr(funnel, key)) for key in ("heading", "intro", "alt")]
    statements = framework.statements
    texts += [("statements.heading", statements.heading), ("statements.note", statements.note)]
    return texts


KEY_SYMBOLS = ("c", "x", "z", "low", "u")
"""The symbols of the key to symbols a framework may word (words.key)."""


def _declared_problems(
    framework: Framework,
    register: Mapping[str, Mapping],
    known_sections: Collection[str],
    breakdowns: Collection[str],
) -> list[tuple[str, str]]:
    """(key, message) for what words, beside, side_by_side and statements name that is not
    declared: an indicator not among the framework's, a section, a breakdown, a symbol."""
    own = set(framework.indicators)
    found: list[tuple[str, str]] = []

    def indicator(key: str, name: str, breakdown: str = "") -> None:
        if name not in own:
            found.append((key, f"'{name}' is not one of the framework's indicators"))
            return
        declared = (register.get(name) or {}).get("relations") or {}
        if breakdown and breakdown != "All" and breakdown not in (declared.get("breakdowns") or {}):
            found.append((key, f"'{name}' declares no breakdown '{breakdown}'"))

    def section(key: str, name: str) -> None:
        if name not in known_sections:
            found.append(
                (key, f"'{name}' is no register domain, voice item domain or declared section")
            )

    for n, entry in enumerate(framework.beside):
        section(f"beside[{n}].section", entry.section)
        for part in ("first", "second"):
            figure = getattr(entry, part)
            indicator(f"beside[{n}].{part}.indicator", figure.indicator, figure.breakdown)
    for n, entry in enumerate(framework.side_by_side):
        section(f"side_by_side[{n}].section", entry.section)
        if not _declares(breakdowns, entry.breakdown):  # its columns are not checked then
            found.append(
                (
                    f"side_by_side[{n}].breakdown",
                    f"'{entry.breakdown}' is not a breakdown any indicator of the register "
                    "declares",
                )
            )
            continue
        for m, (name, _) in enumerate(entry.columns):
            indicator(f"side_by_side[{n}].columns[{m}].indicator", name, entry.breakdown)
    for n, chart in enumerate(framework.group_charts):
        section(f"group_charts[{n}].section", chart.section)
        before = len(found)
        indicator(f"group_charts[{n}].indicator", chart.indicator, chart.breakdown)
        if chart.breakdown == "All":
            found.append((f"group_charts[{n}].breakdown", "names no breakdown's groups: 'All'"))
        meta = register.get(chart.indicator) or {}
        percent = str(meta.get("unit") or "").startswith("%")
        if len(found) == before and (meta.get("value_type") != "proportion" or not percent):
            found.append(
                (
                    f"group_charts[{n}].indicator",
                    f"'{chart.indicator}' is a {meta.get('value_type')} "
                    f"({meta.get('unit') or 'no unit'}), not a proportion in %: the chart "
                    "draws 0% to 100%",
                )
            )
    found += funnel_problems(framework.funnels, own, framework.area_level, register, known_sections)
    for name in framework.statements.breakdowns:
        if not _declares(breakdowns, name):
            found.append(
                (
                    f"statements.breakdowns.{name}",
                    f"'{name}' is not a breakdown any indicator of the register declares",
                )
            )
    if framework.statements.explains and framework.statements.breakdowns:
        found.append(
            (
                "statements.explains",
                "declare either explains (the indicators' rows) or breakdowns (a breakdown's "
                "groups), not both",
            )
        )
    for n, entry in enumerate(framework.statements.explains):
        for m, name in enumerate(entry.indicators):
            indicator(f"statements.explains[{n}].indicators[{m}]", name)
        for m, name in enumerate(entry.hidden_with):
            indicator(f"statements.explains[{n}].hidden_with[{m}]", name)
    if framework.statements.frame and not SAFE_ID.fullmatch(framework.statements.frame):
        found.append(
            (
                "statements.frame",
                f"'{framework.statements.frame}' is not a safe name (a-z, 0-9, _): it names "
                "the published file quotes/<frame>.csv",
            )
        )
    for symbol in dict(framework.words.get("key") or {}):
        if symbol not in KEY_SYMBOLS:
            found.append((f"words.key.{symbol}", f"is not one of {', '.join(KEY_SYMBOLS)}"))
    return found


def _declares(declared: Collection[str], name: str) -> bool:
    """`name` is a declared breakdown, or fits one declared with a placeholder
    ('Voice item: {item}')."""
    if name in declared:
        return True
    return any(
        "{" in pattern and re.fullmatch(re.sub(r"\\\{[a-z_]+\\\}", ".+", re.escape(pattern)), name)
        for pattern in declared
    )


def framework_problems(
    frameworks: Sequence[Framework],
    register: Mapping[str, Mapping],
    item_domains: Collection[str] = (),
    metadata: Path | None = None,
) -> list[str]:
    """What each framework names that is not declared: an indicator missing from the register
    (or from the framework's own list), a headline that is not a proportion, a section that
    is no register domain, voice item domain or declared section, a breakdown no indicator
    declares, a level not in geographies.yml, a placeholder its sentence does not take.

    `register`: indicator id -> its meta.indicator (value_type, unit, domain, relations)."""
    problems: list[str] = []
    try:
        levels = geographies(metadata)
    except DeclarationError as error:
        return [str(error)]
    domains = {str(m.get("domain") or "") for m in register.values()} - {""}
    breakdowns = {
        str(name)
        for m in register.values()
        for name in ((m.get("relations") or {}).get("breakdowns") or {})
    }
    for framework in frameworks:
        where = framework.file or framework.id

        def add(key: str, message: str, where: str = where) -> None:
            problems.append(f"{where}: {key}: {message}")

        own = set(framework.indicators)
        who = framework.who
        for indicator in framework.indicators:
            if indicator not in register:
                add("indicators", f"'{indicator}' is not in the register")
            elif (
                indicator not in (*who.indicators, framework.headline.indicator)
                and str(register[indicator].get("domain") or "") == who.section
            ):
                add(
                    "indicators",
                    f"'{indicator}' is in the domain '{who.section}', the who_we_heard "
                    "section, which shows who_we_heard.indicators only: the pack would leave "
                    "it out of every section; add it to who_we_heard.indicators (or leave it out)",
                )
        named = [
            ("headline.indicator", framework.headline.indicator),
            *(("who_we_heard.indicators", i) for i in who.indicators),
            *(
                (f"who_we_heard.{key}", getattr(who, key))
                for key in ("reach", "channels", "groups")
                if getattr(who, key)
            ),
            *(("who_we_heard.cohort_shares", i) for i in who.shares_in_cohort.values()),
            *(("trend_charts.indicators", i) for i in sorted(framework.chart_indicators)),
            *(("breakdowns.folded", i) for i in framework.breakdowns.folded or ()),
            *((f"glance[{n}].indicator", e.indicator) for n, e in enumerate(framework.glance)),
        ]
        for key, indicator in named:
            if indicator not in own:
                add(key, f"'{indicator}' is not one of the framework's indicators")
        for key in framework.who.words:
            if key not in ("no_survey", "who_answered", "limits"):
                add(
                    f"who_we_heard.words.{key}",
                    "is not one of no_survey, who_answered, limits",
                )
        headline = register.get(framework.headline.indicator)
        if headline is not None:
            value_type, unit = str(headline.get("value_type")), str(headline.get("unit") or "")
            if value_type != "proportion" or not unit.startswith("%"):
                add(
                    "headline.indicator",
                    f"'{framework.headline.indicator}' is a {value_type} ({unit}), not a "
                    "proportion in %: the headline shows a percentage with its numerator, "
                    "denominator and 95% interval and the ambition line",
                )
        sections = domains | set(item_domains)
        for position, section in enumerate(framework.sections):
            if section == who.section:
                add(
                    f"sections[{position}]",
                    f"'{section}' is who_we_heard.section, which follows the sections: "
                    "leave it out here",
                )
            elif section not in sections:
                add(
                    f"sections[{position}]",
                    f"'{section}' is no register domain or voice item domain",
                )
        known = sections | set(framework.sections) | {who.section}
        named_sections = [
            *(("trend_charts.sections", s) for s in sorted(framework.chart_sections)),
            *((f"glance[{n}].section", e.section) for n, e in enumerate(framework.glance)),
        ]
        for key, section in named_sections:
            if section and section not in known:
                add(
                    key,
                    f"'{section}' is no register domain, voice item domain or declared section",
                )
        named_breakdowns = [
            ("breakdowns.items", framework.breakdowns.items),
            ("breakdowns.domains", framework.breakdowns.domains),
            ("who_we_heard.groups_breakdown", who.groups_breakdown),
            *((f"glance[{n}].breakdown", e.breakdown) for n, e in enumerate(framework.glance)),
        ]
        for key, breakdown in named_breakdowns:
            if breakdown and not _declares(breakdowns, breakdown):
                add(key, f"'{breakdown}' is not a breakdown any indicator of the register declares")
        answers = framework.breakdowns.answers
        if answers and not any(name.startswith(answers) for name in breakdowns):
            add(
                "breakdowns.answers",
                f"no breakdown of the register starts with '{answers}'",
            )
        for key, message in _declared_problems(framework, register, known, breakdowns):
            add(key, message)
        for key, text in _texts(framework):
            problem = placeholder_problem(key, text)
            if problem:
                problems.append(f"{where}: {problem}")
        for key, level in (
            ("audience.levels.authority", framework.authority_level),
            ("audience.levels.areas", framework.area_level),
        ):
            if level is not None and level not in levels.names:
                names = ", ".join(levels.names)
                add(key, f"'{level}' is not a declared geographic level ({names})")
        if (
            framework.area_level in levels.names
            and levels.parent(framework.area_level) != framework.authority_level
        ):
            add(
                "audience.levels.areas",
                f"'{framework.area_level}' does not lie within "
                f"'{framework.authority_level}' (dbt_project/metadata/geographies.yml)",
            )
    return problems
