"""Funnel plots a framework declares (`funnels:`): one proportion indicator's areas (each area
of the audience's `areas` level: a combined authority's local authorities) drawn by their
published denominator against their published value, with 95% and 99.8% control limits
around the authority's own published figure (PHEindicatormethods' `calculate_funnel_limits`,
indicators/stats/funnel.py). Drawn in the authority's pack only (packs/funnel_chart.py); the
words under it are a claim (claims/funnel_claim.py).

`parse_funnels` reads the entries of a framework document already checked for its keys'
types (framework_schema.py); `funnel_problems` checks what they name against the register.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

FUNNEL_KEYS = ("section", "heading", "indicator", "alt")


@dataclass(frozen=True)
class Funnel:
    """One `funnels:` entry: a proportion indicator's areas against the authority's figure."""

    section: str
    heading: str
    indicator: str
    alt: str
    """The chart's text alternative, as declared ({area}, {period}); the plotted values and
    limits follow it."""
    intro: str = ""


def parse_funnels(document: Mapping) -> tuple[Funnel, ...]:
    """`funnels` of a framework document; KeyError naming the first entry lacking a key."""
    found = []
    for n, entry in enumerate(document.get("funnels") or ()):
        missing = [key for key in FUNNEL_KEYS if not entry.get(key)]
        if missing:
            raise KeyError(
                f"funnels[{n}]: needs {', '.join(FUNNEL_KEYS)}; {', '.join(missing)} missing"
            )
        found.append(
            Funnel(
                **{key: str(entry[key]) for key in FUNNEL_KEYS},
                intro=str(entry.get("intro") or ""),
            )
        )
    return tuple(found)


def funnel_problems(
    funnels: tuple[Funnel, ...],
    own: Collection[str],
    area_level: str | None,
    register: Mapping[str, Mapping],
    known_sections: Collection[str],
) -> list[tuple[str, str]]:
    """(key, message) for a funnel naming a section not shown, an indicator not among the
    framework's `own`, one that is not a proportion in %, or declared by a framework whose
    audience has no areas level (nothing to plot)."""
    found: list[tuple[str, str]] = []
    for n, funnel in enumerate(funnels):
        if not area_level:
            found.append(
                (
                    f"funnels[{n}]",
                    "a funnel plots the areas of audience.levels.areas, and none is declared",
                )
            )
        if funnel.section not in known_sections:
            found.append(
                (
                    f"funnels[{n}].section",
                    f"'{funnel.section}' is no register domain, voice item domain or declared "
                    "section",
                )
            )
        if funnel.indicator not in own:
            found.append(
                (
                    f"funnels[{n}].indicator",
                    f"'{funnel.indicator}' is not one of the framework's indicators",
                )
            )
            continue
        meta = register.get(funnel.indicator) or {}
        if meta.get("value_type") != "proportion" or not str(meta.get("unit") or "").startswith(
            "%"
        ):
            found.append(
                (
                    f"funnels[{n}].indicator",
                    f"'{funnel.indicator}' is a {meta.get('value_type')} "
                    f"({meta.get('unit') or 'no unit'}), not a proportion in %: a funnel's "
                    "limits are for proportions",
                )
            )
    return found
