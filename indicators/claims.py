"""Claims: every statement a board pack makes, computed from the published table.

A board member reads the words, not the tables, so every comparison, ranking, trend,
representation verdict and "who we did not hear from" in a pack is a `Claim`: a value
computed here, by one function per claim type, from the published (suppressed) indicator
table alone (all text, EES symbols: `c`, `x`, `z`, `low`), the published register, and the
published England figures. A claim that would need a suppressed value is not made, and says
why. Each claim carries the published numbers it rests on (`evidence`), never a number
derived from hidden cells. `sentence` and `short` turn claims into words: the one renderer
the HTML, PDF and spreadsheet all use. Packs publish their claims (`boards/<area>/claims.csv`)
so a reader, and the tests, can check each one against the published table.

The rules, so that a label never contradicts what is printed beside it:

- **comparison** (`comparison`): an area (or group) against a benchmark, the Fingertips way
  on the 95% interval *as printed*: the printed lower limit above the printed benchmark is
  "higher", the printed upper limit below it "lower", otherwise (touching included)
  "similar"; the register's polarity turns higher/lower into better/worse. The benchmark is
  the authority ("la": a neighbourhood against its authority's same group; a group of the
  authority against the authority's total), England ("england": the DfE figure for the same
  indicator, year and group) or the national ambition ("ambition": a target, compared by
  value). Not made when a figure is hidden, there is no benchmark, the counts are answers
  (not independent, so the interval is too narrow), or the published label disagrees with
  the published numbers.
- **ranking** (`ranking`): which group of a breakdown (or which neighbourhood) is highest and
  lowest. Totals ("All respondents") are never ranked with their parts. Not made when any
  part is hidden: a hidden part could be highest or lowest. Ties are named together.
- **trend** (`trend`): the published Fingertips trend (statistics.TREND_METHOD). Not made
  when it could not be calculated (with how many years there are), is not applicable, or is
  hidden.
- **representation** (`representation`): a seldom-heard group's share of respondents against
  the same group's share of the cohort, for the same area and year: under-represented when
  the whole printed interval is below the printed cohort share, over-represented when above,
  else similar.
- **not heard** (`not_heard`): the groups found under-represented in an area and year, and
  the groups that cannot be judged (no cohort figure, or hidden).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from indicators import statistics as st
from indicators.disclosure import (
    LOW,
    NON_PARTITION_BREAKDOWNS,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SUPPRESSED,
)
from indicators.publication import safe_cell

COMPARISON = "comparison"
RANKING = "ranking"
TREND = "trend"
REPRESENTATION = "representation"
NOT_HEARD = "not heard"
KINDS = (COMPARISON, RANKING, TREND, REPRESENTATION, NOT_HEARD)

LA = "la"
ENGLAND = "england"
AMBITION = "ambition"
BENCHMARKS = (LA, ENGLAND, AMBITION)

ALL = "All"
LA_LEVEL = "Local authority"
NEIGHBOURHOOD_LEVEL = "Neighbourhood"
NEIGHBOURHOODS = "Neighbourhood"
"""The `breakdown` argument of `ranking` that ranks an authority's neighbourhoods."""
SELDOM_HEARD_BREAKDOWN = "Seldom-heard group"
REACH_GROUP = "voice_reach_group"

INDEPENDENT_UNITS = ("children", "families")
"""Denominator units that count each person once: comparisons need independent counts."""
AMBITIONS = {"gld": (75.0, "the national ambition of 75% by 2028")}
"""Targets a value is set against (Plan for Change, December 2024: 75% at GLD by 2028)."""

UNDER = "under-represented"
OVER = "over-represented"
SIMILAR_SHARE = "similar to the cohort"
BELOW, ABOVE, AT = "below", "above", "at"
MADE_TRENDS = (st.INCREASING, st.DECREASING, st.NO_SIGNIFICANT_CHANGE,
               "increasing and getting better", "increasing and getting worse",
               "decreasing and getting better", "decreasing and getting worse")
SYMBOLS = (SUPPRESSED, NOT_AVAILABLE, NOT_APPLICABLE, LOW)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_SYMBOL_WORDS = {SUPPRESSED: "not shown (c)", NOT_AVAILABLE: "not available (x)",
                 NOT_APPLICABLE: "not applicable (z)", LOW: "rounds to zero (low)"}
_DIRECTION = {st.HIGH_IS_GOOD: {st.BETTER: st.HIGHER, st.WORSE: st.LOWER},
              st.LOW_IS_GOOD: {st.BETTER: st.LOWER, st.WORSE: st.HIGHER}}
CLAIM_COLUMNS = ("claim_id", "pack_area", "kind", "indicator_id", "time_period", "area_code",
                 "breakdown", "group", "benchmark", "made", "verdict", "evidence", "reason",
                 "words")


# --------------------------------------------------------------------------------------------
# The claim value
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """One statement a pack makes, what it rests on, or why it is not made."""

    kind: str
    indicator_id: str
    time_period: str
    area_code: str
    breakdown: str
    group: str
    benchmark: str
    """comparison: la, england or ambition; representation: the cohort indicator; else ''."""
    made: bool
    verdict: str
    """comparison: the published code (better, worse, similar, higher, lower) or, for the
    ambition, below/above/at; ranking: 'highest: A; lowest: B' (ties joined by ' = ');
    trend: the published trend; representation: under-/over-represented or similar to the
    cohort; not heard: the under-represented groups joined by ' | ' (or 'none')."""
    evidence: tuple[tuple[str, str], ...] = ()
    """The published numbers (and labels) the claim rests on: (name, text as published)."""
    reason: str = ""
    """Why a claim is not made (empty when it is)."""
    subject: str = ""
    """What the claim is about, in words (an area, a group, a question)."""
    benchmark_label: str = ""
    title: str = ""
    unit: str = ""
    polarity: str = st.NOT_APPLICABLE

    @property
    def claim_id(self) -> str:
        return "|".join((self.kind, self.indicator_id, self.time_period, self.area_code,
                         self.breakdown, self.group, self.benchmark))

    def value(self, name: str) -> str:
        """The evidence item `name` (e.g. 'value', 'benchmark'), or ''."""
        return next((text for key, text in self.evidence if key == name), "")

    def record(self, pack_area: str = "") -> dict[str, str]:
        """The claim as a row of claims.csv."""
        return {"claim_id": self.claim_id, "pack_area": pack_area, "kind": self.kind,
                "indicator_id": self.indicator_id, "time_period": self.time_period,
                "area_code": self.area_code, "breakdown": self.breakdown, "group": self.group,
                "benchmark": self.benchmark, "made": "yes" if self.made else "no",
                "verdict": self.verdict,
                "evidence": "; ".join(f"{key}={text}" for key, text in self.evidence),
                "reason": self.reason, "words": sentence(self)}


def is_number(text: str) -> bool:
    """A published number (not a symbol)."""
    return bool(_NUMBER.fullmatch(str(text).strip()))


def decimals_of(text: str) -> int:
    text = str(text).strip()
    return len(text.split(".", 1)[1]) if "." in text else 0


# --------------------------------------------------------------------------------------------
# The published table, indexed
# --------------------------------------------------------------------------------------------


class Published:
    """The published indicator table (as written to indicator_values.csv), the published
    register and the England figures, indexed for claims.

    `parents` maps each neighbourhood to its authority; without it, a table with exactly one
    authority gives every neighbourhood to that authority.
    """

    def __init__(self, values: pd.DataFrame, register: pd.DataFrame,
                 england: pd.DataFrame | None = None,
                 parents: Mapping[str, str] | None = None) -> None:
        text = values.astype("string").fillna("").astype(object)
        for column in ("lower_ci_95", "upper_ci_95", "compared_with_la",
                       "compared_with_england", "recent_trend"):
            if column not in text:
                text[column] = NOT_AVAILABLE
        columns = list(text.columns)
        self.rows: dict[tuple[str, str, str, str, str], dict[str, str]] = {}
        self.groups: dict[tuple[str, str, str, str], list[dict[str, str]]] = {}
        self.series: dict[tuple[str, str, str, str], list[dict[str, str]]] = {}
        self.names: dict[str, str] = {}
        self.levels: dict[str, str] = {}
        for values_row in text.to_numpy(dtype=object):
            row = dict(zip(columns, values_row, strict=True))
            if row["geographic_level"] not in (LA_LEVEL, NEIGHBOURHOOD_LEVEL):
                continue
            key = (row["indicator_id"], row["time_period"], row["area_code"],
                   row["breakdown"], row["group"])
            self.rows[key] = row
            self.groups.setdefault(key[:4], []).append(row)
            self.series.setdefault((row["indicator_id"], row["area_code"], row["breakdown"],
                                    row["group"]), []).append(row)
            self.names[row["area_code"]] = row["area_name"]
            self.levels[row["area_code"]] = row["geographic_level"]
        for rows in self.series.values():
            rows.sort(key=lambda r: r["time_period"])
        authorities = [code for code, level in self.levels.items() if level == LA_LEVEL]
        if parents is None:
            only = authorities[0] if len(authorities) == 1 else None
            parents = {code: only for code, level in self.levels.items()
                       if level == NEIGHBOURHOOD_LEVEL and only is not None}
        self.parents = dict(parents)
        self.register = {row["indicator_id"]: row for row in
                         register.astype("string").fillna("").astype(object)
                         .to_dict("records")}
        self.england: dict[tuple[str, str, str, str], str] = {}
        if england is not None and len(england):
            frame = england.astype("string").fillna("").astype(object)
            for row in frame.to_dict("records"):
                self.england[(row["indicator_id"], str(row["time_period"]), row["breakdown"],
                              row["group"])] = row["value"]

    def meta(self, indicator_id: str) -> dict[str, str]:
        return self.register.get(indicator_id, {"indicator_id": indicator_id})

    def row(self, indicator_id: str, time_period: str, area_code: str, breakdown: str,
            group: str) -> dict[str, str] | None:
        return self.rows.get((indicator_id, time_period, area_code, breakdown, group))

    def neighbourhoods(self, la_code: str) -> list[str]:
        return sorted(code for code, parent in self.parents.items() if parent == la_code
                      and code in self.levels)

    def la_benchmark(self, row: Mapping[str, str]) -> dict[str, str] | None:
        """The authority row a row is compared with (indicator_stats' rule), or None."""
        if row["geographic_level"] == NEIGHBOURHOOD_LEVEL:
            parent = self.parents.get(row["area_code"])
            return None if parent is None else self.row(
                row["indicator_id"], row["time_period"], parent, row["breakdown"], row["group"])
        if row["breakdown"] == ALL or row["breakdown"] in NON_PARTITION_BREAKDOWNS:
            return None
        totals = self.groups.get((row["indicator_id"], row["time_period"], row["area_code"],
                                  ALL), [])
        return totals[0] if totals else None

    def england_value(self, row: Mapping[str, str]) -> str:
        group = "All children" if row["breakdown"] == ALL else row["group"]
        return self.england.get((row["indicator_id"], row["time_period"], row["breakdown"],
                                 group), "")


# --------------------------------------------------------------------------------------------
# Claim functions
# --------------------------------------------------------------------------------------------


def _unit(meta: Mapping[str, str]) -> str:
    return str(meta.get("unit", "")).strip()


def _polarity(meta: Mapping[str, str]) -> str:
    polarity = str(meta.get("polarity", "")).strip()
    return polarity if polarity in st.POLARITIES else st.NOT_APPLICABLE


def _subject(pub: Published, row: Mapping[str, str], labels: Mapping[str, str]) -> str:
    if row["breakdown"] == ALL:
        return row["area_name"]
    return labels.get(row["group"], row["group"])


def _interval_code(lower: str, upper: str, benchmark: float, places: int) -> str:
    """higher / lower / similar from the printed interval against the printed benchmark."""
    printed = float(f"{benchmark:.{places}f}")
    if float(lower) > printed:
        return st.HIGHER
    if float(upper) < printed:
        return st.LOWER
    return st.SIMILAR


def comparison(pub: Published, indicator_id: str, time_period: str, area_code: str,
               breakdown: str, group: str, benchmark: str,
               labels: Mapping[str, str] | None = None, la_label: str = "the borough average"
               ) -> Claim:
    """Is this figure higher, lower or similar to its benchmark, as printed?"""
    if benchmark not in BENCHMARKS:
        raise ValueError(f"benchmark must be one of {', '.join(BENCHMARKS)}, not {benchmark!r}")
    row = pub.row(indicator_id, time_period, area_code, breakdown, group)
    if row is None:
        raise KeyError(f"no published row {indicator_id} {time_period} {area_code} "
                       f"{breakdown} {group}")
    meta = pub.meta(indicator_id)
    polarity = _polarity(meta)
    subject = _subject(pub, row, labels or {})
    value, lower, upper = row["value"], row["lower_ci_95"], row["upper_ci_95"]
    evidence: list[tuple[str, str]] = [("value", value), ("lower_ci_95", lower),
                                       ("upper_ci_95", upper)]
    benchmark_label = {LA: la_label, ENGLAND: "England",
                       AMBITION: AMBITIONS.get(indicator_id, (0, "the ambition"))[1]}[benchmark]

    def claim(made: bool, verdict: str, reason: str = "") -> Claim:
        return Claim(kind=COMPARISON, indicator_id=indicator_id, time_period=time_period,
                     area_code=area_code, breakdown=breakdown, group=group,
                     benchmark=benchmark, made=made, verdict=verdict,
                     evidence=tuple(evidence), reason=reason, subject=subject,
                     benchmark_label=benchmark_label, title=meta.get("title", indicator_id),
                     unit=_unit(meta), polarity=polarity)

    if benchmark == AMBITION:
        if indicator_id not in AMBITIONS:
            return claim(False, "", "there is no ambition for this figure")
        target = AMBITIONS[indicator_id][0]
        evidence[:] = [("value", value), ("benchmark", f"{target:.1f}")]
        if not is_number(value):
            return claim(False, "", f"its figure is {_SYMBOL_WORDS.get(value, value)}")
        number = float(value)
        return claim(True, BELOW if number < target else ABOVE if number > target else AT)

    published_column = "compared_with_la" if benchmark == LA else "compared_with_england"
    published = row.get(published_column, NOT_AVAILABLE).strip() or NOT_AVAILABLE
    if benchmark == LA:
        other = pub.la_benchmark(row)
        bench_text = other["value"] if other is not None else ""
    else:
        bench_text = pub.england_value(row)
    evidence += [("benchmark", bench_text or NOT_AVAILABLE), ("published", published)]
    if not all(is_number(text) for text in (value, lower, upper)):
        hidden = next(text for text in (value, lower, upper) if not is_number(text))
        return claim(False, published, f"its figure is {_SYMBOL_WORDS.get(hidden, hidden)}")
    if not bench_text:
        what = ("there is no England figure for it" if benchmark == ENGLAND else
                f"there is no {la_label.removeprefix('the ')} to compare it with")
        return claim(False, published, what)
    if not is_number(bench_text):
        return claim(False, published,
                     f"the {'England' if benchmark == ENGLAND else la_label.removeprefix('the ')}"
                     f" figure is {_SYMBOL_WORDS.get(bench_text, bench_text)}")
    if str(meta.get("denominator_unit", "")).strip() not in INDEPENDENT_UNITS:
        return claim(False, published,
                     f"it counts {meta.get('denominator_unit', 'answers')}, not people: a "
                     "family answers several questions, so its interval is too narrow to "
                     "compare")
    code = _interval_code(lower, upper, float(bench_text), decimals_of(value))
    verdict = str(st.apply_polarity([code], polarity)[0])
    if verdict != published:
        return claim(False, published,
                     f"the published comparison ({published}) disagrees with the printed "
                     f"interval and benchmark ({verdict})")
    return claim(True, verdict)


def _ranked(parts: Sequence[tuple[str, str]]) -> str:
    """'highest: A; lowest: B' from (label, value) pairs, ties joined by ' = '."""
    numbers = [(label, float(value)) for label, value in parts]
    top = max(number for _, number in numbers)
    bottom = min(number for _, number in numbers)
    highest = " = ".join(label for label, number in numbers if number == top)
    lowest = " = ".join(label for label, number in numbers if number == bottom)
    return f"highest: {highest}; lowest: {lowest}"


def ranking(pub: Published, indicator_id: str, time_period: str, area_code: str,
            breakdown: str, labels: Mapping[str, str] | None = None,
            parts_noun: str = "") -> Claim:
    """Which part is highest and which lowest. `breakdown` NEIGHBOURHOODS ranks the
    authority's neighbourhoods (their totals); any other breakdown ranks its groups in the
    area. A total ("All ...") is never a part."""
    labels = labels or {}
    meta = pub.meta(indicator_id)
    if breakdown == NEIGHBOURHOODS:
        rows = [pub.row(indicator_id, time_period, code, ALL, "All children")
                or next(iter(pub.groups.get((indicator_id, time_period, code, ALL), [])), None)
                for code in pub.neighbourhoods(area_code)]
        rows = [row for row in rows if row is not None]
        parts = [(row["area_name"], row["value"]) for row in rows]
        noun = parts_noun or "neighbourhoods"
    elif breakdown == ALL:
        raise ValueError("a total is not ranked with anything: give a breakdown")
    else:
        rows = pub.groups.get((indicator_id, time_period, area_code, breakdown), [])
        parts = [(labels.get(row["group"], row["group"]), row["value"]) for row in rows]
        noun = parts_noun or f"groups by {breakdown.lower()}"
    evidence = tuple(parts)

    def claim(made: bool, verdict: str, reason: str = "") -> Claim:
        return Claim(kind=RANKING, indicator_id=indicator_id, time_period=time_period,
                     area_code=area_code, breakdown=breakdown, group="", benchmark="",
                     made=made, verdict=verdict, evidence=evidence, reason=reason,
                     subject=noun, title=meta.get("title", indicator_id), unit=_unit(meta),
                     polarity=_polarity(meta))

    if len(parts) < 2:
        return claim(False, "", f"fewer than two {noun} to rank")
    hidden = [label for label, value in parts if not is_number(value)]
    if hidden:
        return claim(False, "", f"some {noun} are not shown (c), and a hidden one could be "
                                "the highest or the lowest")
    return claim(True, _ranked(parts))


def trend(pub: Published, indicator_id: str, time_period: str, area_code: str,
          breakdown: str, group: str, labels: Mapping[str, str] | None = None) -> Claim:
    """The published recent trend, or why there is none."""
    row = pub.row(indicator_id, time_period, area_code, breakdown, group)
    if row is None:
        raise KeyError(f"no published row {indicator_id} {time_period} {area_code} "
                       f"{breakdown} {group}")
    meta = pub.meta(indicator_id)
    history = [r for r in pub.series.get((indicator_id, area_code, breakdown, group), [])
               if r["time_period"] <= time_period][-st.TREND_POINTS:]
    evidence = tuple((r["time_period"], f"{r['numerator']} of {r['denominator']}")
                     for r in history)
    code = row.get("recent_trend", NOT_AVAILABLE).strip() or NOT_AVAILABLE

    def claim(made: bool, reason: str = "") -> Claim:
        return Claim(kind=TREND, indicator_id=indicator_id, time_period=time_period,
                     area_code=area_code, breakdown=breakdown, group=group, benchmark="",
                     made=made, verdict=code, evidence=evidence, reason=reason,
                     subject=_subject(pub, row, labels or {}),
                     title=meta.get("title", indicator_id), unit=_unit(meta),
                     polarity=_polarity(meta))

    if code in MADE_TRENDS:
        return claim(True)
    if code in (SUPPRESSED, NOT_APPLICABLE):
        # Not tested at all (value type or units) comes first: then no count was used, even
        # where the published column says c.
        if meta.get("value_type") not in st.TREND_VALUE_TYPES:
            return claim(False, "the trend test is for percentages only")
        if str(meta.get("denominator_unit", "")).strip() not in INDEPENDENT_UNITS:
            return claim(False, f"it counts {meta.get('denominator_unit', 'answers')}, not "
                                "people, so the test for trend does not apply")
    if code == st.COULD_NOT_BE_CALCULATED:
        declared = str(meta.get("comparable_from", "") or "").strip().removesuffix(".0")
        consecutive = _consecutive_years(history, declared)
        if consecutive < st.TREND_POINTS:
            broken = (declared.isdigit() and int(time_period) >= int(declared)
                      and len(history) > consecutive)
            since = (" since the series break (earlier years are not comparable)" if broken
                     else "")
            return claim(False, f"the Fingertips method needs {st.TREND_POINTS} consecutive "
                                f"comparable years of figures, and fewer are published{since}")
        return claim(False, f"a year among the last {st.TREND_POINTS} has no usable count, "
                            "the question was reworded within them, or a year in which all or "
                            "none counted leaves the direction undefined")
    if code == SUPPRESSED:
        if not is_number(row["value"]):
            return claim(False, "its figure is not shown (c)")
        return claim(False, f"a count in the last {st.TREND_POINTS} years is not shown (c)")
    return claim(False, "no trend is published")


def _consecutive_years(history: list[dict[str, str]], comparable_from: str) -> int:
    """How many consecutive academic years, ending with the last of `history`, are
    published and comparable (none before `comparable_from`)."""
    starts = [int(row["time_period"]) // 100 for row in history]
    floor = int(comparable_from) // 100 if comparable_from.isdigit() else -1
    count = 0
    for position in range(len(starts) - 1, -1, -1):
        if starts[position] < floor or (count and starts[position] != starts[position + 1] - 1):
            break
        count += 1
    return count


def representation(pub: Published, time_period: str, area_code: str, group: str,
                   cohort_indicator: str | None) -> Claim:
    """A seldom-heard group's share of respondents against its share of the cohort, in the
    same area and year."""
    row = pub.row(REACH_GROUP, time_period, area_code, SELDOM_HEARD_BREAKDOWN, group)
    if row is None:
        raise KeyError(f"no published share of respondents for {group} in {area_code}")
    meta = pub.meta(REACH_GROUP)
    cohort = (pub.row(cohort_indicator, time_period, area_code, ALL, "All children")
              if cohort_indicator else None)
    cohort_text = cohort["value"] if cohort is not None else NOT_AVAILABLE
    evidence = (("value", row["value"]), ("lower_ci_95", row["lower_ci_95"]),
                ("upper_ci_95", row["upper_ci_95"]), ("benchmark", cohort_text))

    def claim(made: bool, verdict: str, reason: str = "") -> Claim:
        return Claim(kind=REPRESENTATION, indicator_id=REACH_GROUP, time_period=time_period,
                     area_code=area_code, breakdown=SELDOM_HEARD_BREAKDOWN, group=group,
                     benchmark=cohort_indicator or "", made=made, verdict=verdict,
                     evidence=evidence, reason=reason, subject=group,
                     benchmark_label="children in the cohort",
                     title=meta.get("title", REACH_GROUP), unit="%")

    shown = [row["value"], row["lower_ci_95"], row["upper_ci_95"]]
    if not all(is_number(text) for text in shown):
        hidden = next(text for text in shown if not is_number(text))
        return claim(False, "", f"its share of respondents is "
                                f"{_SYMBOL_WORDS.get(hidden, hidden)}")
    if cohort is None:
        return claim(False, "", "there is no cohort figure for this group")
    if not is_number(cohort_text):
        return claim(False, "", f"the cohort figure is "
                                f"{_SYMBOL_WORDS.get(cohort_text, cohort_text)}")
    code = _interval_code(row["lower_ci_95"], row["upper_ci_95"], float(cohort_text),
                          decimals_of(row["value"]))
    return claim(True, {st.LOWER: UNDER, st.HIGHER: OVER, st.SIMILAR: SIMILAR_SHARE}[code])


def not_heard(pub: Published, time_period: str, area_code: str,
              cohorts: Mapping[str, str]) -> Claim:
    """Which seldom-heard groups we heard from too little, and which cannot be judged."""
    groups = [row["group"] for row in
              pub.groups.get((REACH_GROUP, time_period, area_code, SELDOM_HEARD_BREAKDOWN), [])]
    verdicts = [representation(pub, time_period, area_code, group, cohorts.get(group))
                for group in sorted(groups)]
    evidence = tuple((claim.group, claim.verdict if claim.made else "not judged")
                     for claim in verdicts)
    under = [claim.group for claim in verdicts if claim.made and claim.verdict == UNDER]
    unjudged = [claim.group for claim in verdicts if not claim.made]
    made = any(claim.made for claim in verdicts)
    reason = "" if made else (
        "no seldom-heard group can be set beside the cohort" if verdicts else
        "no seldom-heard groups are published for this area and year")
    return Claim(kind=NOT_HEARD, indicator_id=REACH_GROUP, time_period=time_period,
                 area_code=area_code, breakdown=SELDOM_HEARD_BREAKDOWN, group="",
                 benchmark="", made=made, verdict=" | ".join(under) if under else "none",
                 evidence=evidence, reason=reason if not made else (
                     "not judged: " + " | ".join(unjudged) if unjudged else ""),
                 subject=pub.names.get(area_code, area_code), title="Who we did not hear from")


# --------------------------------------------------------------------------------------------
# Words: the one renderer
# --------------------------------------------------------------------------------------------


def with_unit(text: str, unit: str) -> str:
    """A published number as running text: '58.2%', '12.7 per 100 children', '14.2'."""
    if not is_number(text):
        return text
    unit = unit.strip()
    if unit.startswith("%"):
        return f"{text}%"
    if unit.startswith("per "):
        return f"{text} {unit}"
    return text


def short(claim: Claim) -> str:
    """A claim in a few words, for a table column named after its benchmark."""
    if claim.kind == COMPARISON:
        if not claim.made:
            hidden = claim.value("value")
            if hidden in (SUPPRESSED, NOT_AVAILABLE, NOT_APPLICABLE):
                return hidden
            return "not compared"
        if claim.benchmark == AMBITION:
            return claim.verdict
        if claim.verdict in (st.BETTER, st.WORSE):
            direction = _DIRECTION.get(claim.polarity, {}).get(claim.verdict)
            return f"{direction} ({claim.verdict})" if direction else claim.verdict
        return claim.verdict
    if claim.kind == TREND:
        if claim.made:
            return claim.verdict
        return {SUPPRESSED: "not shown (c)", NOT_APPLICABLE: "not tested (z)",
                st.COULD_NOT_BE_CALCULATED: "could not be calculated"}.get(
            claim.verdict, "not available (x)")
    if claim.kind == REPRESENTATION:
        return claim.verdict if claim.made else "not compared"
    return claim.verdict if claim.made else "not made"


_MARKS = {st.HIGHER: "▲", st.LOWER: "▼", st.SIMILAR: "●", "": "○"}


def mark(claim: Claim) -> str:
    """A symbol for a comparison, so that colour never carries the meaning alone:
    ▲ higher, ▼ lower, ● similar, ○ not compared."""
    if claim.kind != COMPARISON or not claim.made:
        return _MARKS[""]
    if claim.benchmark == AMBITION:
        return {ABOVE: "▲", BELOW: "▼", AT: "●"}[claim.verdict]
    direction = (_DIRECTION.get(claim.polarity, {}).get(claim.verdict, claim.verdict)
                 if claim.verdict in (st.BETTER, st.WORSE) else claim.verdict)
    return _MARKS.get(direction, _MARKS[""])


def _quoted(labels: str) -> str:
    parts = [f"“{label}”" for label in labels.split(" = ")]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _period(time_period: str) -> str:
    text = str(time_period)
    return f"{text[:4]}/{text[4:]}" if re.fullmatch(r"\d{6}", text) else text


def sentence(claim: Claim) -> str:
    """A claim as one plain-English sentence (or two, for a claim not made)."""
    if claim.kind == COMPARISON:
        return _comparison_sentence(claim)
    if claim.kind == RANKING:
        return _ranking_sentence(claim)
    if claim.kind == TREND:
        return _trend_sentence(claim)
    if claim.kind == REPRESENTATION:
        return _representation_sentence(claim)
    return _not_heard_sentence(claim)


def _comparison_sentence(claim: Claim) -> str:
    bench = with_unit(claim.value("benchmark"), claim.unit)
    shown = is_number(claim.value("value"))
    lead = (f"In {_period(claim.time_period)}, at {with_unit(claim.value('value'), claim.unit)}, "
            f"{claim.subject}" if shown else f"In {_period(claim.time_period)}, {claim.subject}")
    if not claim.made:
        return (f"In {_period(claim.time_period)}, {claim.subject} is not compared with "
                f"{claim.benchmark_label}: {claim.reason}.")
    if claim.benchmark == AMBITION:
        return f"{lead} is {claim.verdict} {claim.benchmark_label}."
    against = f"{claim.benchmark_label} ({bench})"
    if claim.verdict in (st.BETTER, st.WORSE):
        direction = _DIRECTION.get(claim.polarity, {}).get(claim.verdict, claim.verdict)
        return f"{lead} is {direction} than {against}, which is {claim.verdict}."
    if claim.verdict == st.SIMILAR:
        return f"{lead} is similar to {against}: the difference could be chance."
    return f"{lead} is {claim.verdict} than {against}."


def _ranking_sentence(claim: Claim) -> str:
    head = f"{claim.title}, {_period(claim.time_period)}, across the {claim.subject}"
    if not claim.made:
        return f"{head}: not ranked, because {claim.reason}."
    values = dict(claim.evidence)
    highest, lowest = (part.split(": ", 1)[1] for part in claim.verdict.split("; "))

    def shown(labels: str) -> str:
        first = labels.split(" = ")[0]
        return f"{_quoted(labels)} ({with_unit(values[first], claim.unit)})"

    return f"{head}: highest {shown(highest)}, lowest {shown(lowest)}."


def _trend_sentence(claim: Claim) -> str:
    head = (f"Recent trend for {claim.subject} (Fingertips method, last {st.TREND_POINTS} "
            "consecutive years)")
    if claim.made:
        return (f"{head}: {claim.verdict}"
                + (f" (chi-squared above {st.TREND_CHI_SQUARED:.4f}, 99.8% confidence)."
                   if claim.verdict != st.NO_SIGNIFICANT_CHANGE else "."))
    if claim.verdict == st.COULD_NOT_BE_CALCULATED:
        return f"{head}: could not be calculated, because {claim.reason}."
    return f"{head}: not given, because {claim.reason}."


def _representation_sentence(claim: Claim) -> str:
    who = f"Families in the group “{claim.group}”"
    if not claim.made:
        return f"{who} cannot be set beside the cohort: {claim.reason}."
    share = (f"{claim.value('value')}% of those who answered (95% interval "
             f"{claim.value('lower_ci_95')}% to {claim.value('upper_ci_95')}%), against "
             f"{claim.value('benchmark')}% of children in the cohort")
    if claim.verdict == UNDER:
        return f"{who}: {share}, so they were under-represented."
    if claim.verdict == OVER:
        return f"{who}: {share}, so they were over-represented."
    return f"{who}: {share}: similar to the cohort (the difference could be chance)."


def _not_heard_sentence(claim: Claim) -> str:
    period = _period(claim.time_period)
    if not claim.made:
        return (f"Who we did not hear from enough in {claim.subject}, {period}: not judged, "
                f"because {claim.reason}.")
    judged = [group for group, verdict in claim.evidence if verdict != "not judged"]
    unjudged = [group for group, verdict in claim.evidence if verdict == "not judged"]
    if claim.verdict == "none":
        text = (f"Who we did not hear from enough in {claim.subject}, {period}: no group we "
                f"could check ({', '.join(f'“{g}”' for g in judged)}) was under-represented.")
    else:
        groups = [f"“{g}”" for g in claim.verdict.split(" | ")]
        text = (f"Who we did not hear from enough in {claim.subject}, {period}: families in "
                f"{' and '.join(groups)}, who were under-represented against the cohort.")
    if unjudged:
        text += (" For " + " and ".join(f"“{g}”" for g in unjudged) + " there is no cohort "
                 "figure (or it is not shown), so we cannot say whether we heard from enough "
                 "of them.")
    return text


# --------------------------------------------------------------------------------------------
# Publishing claims
# --------------------------------------------------------------------------------------------


@dataclass
class ClaimLog:
    """The claims one pack makes, in the order it first makes them (each once)."""

    pack_area: str
    claims: dict[str, Claim] = field(default_factory=dict)

    def add(self, claim: Claim) -> Claim:
        self.claims.setdefault(claim.claim_id, claim)
        return claim

    def __iter__(self):
        return iter(self.claims.values())

    def __len__(self) -> int:
        return len(self.claims)

    def records(self) -> list[dict[str, str]]:
        return [claim.record(self.pack_area) for claim in self.claims.values()]


def write_claims(path: Path, claims: Iterable[Claim], pack_area: str) -> Path:
    """`claims.csv`: one row per claim (made or not), with its evidence and its words."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CLAIM_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for claim in claims:
            writer.writerow({key: safe_cell(value)
                             for key, value in claim.record(pack_area).items()})
    return path


def finite(text: str) -> float:
    """A published number as a float, NaN for a symbol."""
    return float(text) if is_number(text) else math.nan
