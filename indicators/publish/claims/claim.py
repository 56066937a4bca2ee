"""A claim: one statement a board pack makes (made, or not made and why), the published
numbers it rests on, its words (`sentence`, `short`, `mark`: the one renderer the HTML, PDF
and spreadsheet all use) and its row in claims.csv.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from indicators import stats as st
from indicators.disclosure import (
    LOW,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SUPPRESSED,
)
from indicators.publish import period_keys as pk
from indicators.publish.publication import safe_cell

COMPARISON = "comparison"
RANKING = "ranking"
TREND = "trend"
REPRESENTATION = "representation"
NOT_HEARD = "not heard"
BESIDE = "beside"
FUNNEL = "funnel"
KINDS = (COMPARISON, RANKING, TREND, REPRESENTATION, NOT_HEARD, BESIDE, FUNNEL)
SHOWN = "shown"
"""A beside claim's verdict when both its figures are published."""

LA = "la"
ENGLAND = "england"
AMBITION = "ambition"
BENCHMARKS = (LA, ENGLAND, AMBITION)

ALL = "All"

UNDER = "under-represented"
OVER = "over-represented"
SIMILAR_SHARE = "similar to the cohort"
BELOW, ABOVE, AT = "below", "above", "at"
MADE_TRENDS = (
    st.INCREASING,
    st.DECREASING,
    st.NO_SIGNIFICANT_CHANGE,
    "increasing and getting better",
    "increasing and getting worse",
    "decreasing and getting better",
    "decreasing and getting worse",
)
SYMBOLS = (SUPPRESSED, NOT_AVAILABLE, NOT_APPLICABLE, LOW)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
SYMBOL_WORDS = {
    SUPPRESSED: "not shown (c)",
    NOT_AVAILABLE: "not available (x)",
    NOT_APPLICABLE: "not applicable (z)",
    LOW: "rounds to zero (low)",
}
_DIRECTION = {
    st.HIGH_IS_GOOD: {st.BETTER: st.HIGHER, st.WORSE: st.LOWER},
    st.LOW_IS_GOOD: {st.BETTER: st.LOWER, st.WORSE: st.HIGHER},
}
CLAIM_COLUMNS = (
    "claim_id",
    "pack_area",
    "kind",
    "indicator_id",
    "time_period",
    "area_code",
    "breakdown",
    "group",
    "benchmark",
    "made",
    "verdict",
    "evidence",
    "reason",
    "words",
)


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
    cohort; not heard: the under-represented groups joined by ' | ' (or 'none'); funnel:
    each placed area's funnel_position words, 'Bolton: Not significant; Bury: High (0.001)'."""
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
    words: tuple[str, str] = ()
    """beside: its framework's sentences (made, not made), filled in from the evidence."""

    @property
    def claim_id(self) -> str:
        return "|".join(
            (
                self.kind,
                self.indicator_id,
                self.time_period,
                self.area_code,
                self.breakdown,
                self.group,
                self.benchmark,
            )
        )

    def value(self, name: str) -> str:
        """The evidence item `name` (e.g. 'value', 'benchmark'), or ''."""
        return next((text for key, text in self.evidence if key == name), "")

    def record(self, pack_area: str = "") -> dict[str, str]:
        """The claim as a row of claims.csv."""
        return {
            "claim_id": self.claim_id,
            "pack_area": pack_area,
            "kind": self.kind,
            "indicator_id": self.indicator_id,
            "time_period": self.time_period,
            "area_code": self.area_code,
            "breakdown": self.breakdown,
            "group": self.group,
            "benchmark": self.benchmark,
            "made": "yes" if self.made else "no",
            "verdict": self.verdict,
            "evidence": "; ".join(f"{key}={text}" for key, text in self.evidence),
            "reason": self.reason,
            "words": sentence(self),
        }


def plural(level: str) -> str:
    """A geographic level's areas in words: 'neighbourhoods', 'teams', 'local authorities'."""
    word = level.lower()
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        return word[:-1] + "ies"
    return word + "s"


def is_number(text: str) -> bool:
    """A published number (not a symbol)."""
    return bool(_NUMBER.fullmatch(str(text).strip()))


def decimals_of(text: str) -> int:
    text = str(text).strip()
    return len(text.split(".", 1)[1]) if "." in text else 0


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
        return {
            SUPPRESSED: "not shown (c)",
            NOT_APPLICABLE: "not tested (z)",
            st.COULD_NOT_BE_CALCULATED: "could not be calculated",
        }.get(claim.verdict, "not available (x)")
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
    direction = (
        _DIRECTION.get(claim.polarity, {}).get(claim.verdict, claim.verdict)
        if claim.verdict in (st.BETTER, st.WORSE)
        else claim.verdict
    )
    return _MARKS.get(direction, _MARKS[""])


def _quoted(labels: str) -> str:
    parts = [f"“{label}”" for label in labels.split(" = ")]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _period(time_period: str) -> str:
    return pk.key_text(time_period)


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
    if claim.kind == BESIDE:
        return _beside_sentence(claim)
    if claim.kind == FUNNEL:  # its words beside its computation (funnel_claim imports this)
        from indicators.publish.claims.funnel_claim import funnel_sentence

        return funnel_sentence(claim, _period(claim.time_period))
    return _not_heard_sentence(claim)


def _counts(claim: Claim, part: str) -> str:
    numerator, denominator = claim.value(f"{part}_numerator"), claim.value(f"{part}_denominator")
    return f"{_count(numerator)} of {_count(denominator)}"


def _count(text: str) -> str:
    return f"{int(float(text)):,}" if re.fullmatch(r"\d+(\.0+)?", text) else text


def _beside_sentence(claim: Claim) -> str:
    """A framework's words for two figures side by side (`beside:`), filled in from the
    published values the claim rests on; a figure not shown reads as its symbol's words."""
    made, not_made = claim.words or ("", "")
    period = _period(claim.time_period)
    if not claim.made:
        return not_made.format(area=claim.subject, period=period, reason=claim.reason)
    return made.format(
        area=claim.subject,
        period=period,
        first=with_unit(claim.value("first_value"), claim.unit),
        second=with_unit(claim.value("second_value"), claim.value("second_unit")),
        first_counts=_counts(claim, "first"),
        second_counts=_counts(claim, "second"),
    )


def _comparison_sentence(claim: Claim) -> str:
    bench = with_unit(claim.value("benchmark"), claim.unit)
    shown = is_number(claim.value("value"))
    lead = (
        f"In {_period(claim.time_period)}, at {with_unit(claim.value('value'), claim.unit)}, "
        f"{claim.subject}"
        if shown
        else f"In {_period(claim.time_period)}, {claim.subject}"
    )
    if not claim.made:
        return (
            f"In {_period(claim.time_period)}, {claim.subject} is not compared with "
            f"{claim.benchmark_label}: {claim.reason}."
        )
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
    head = (
        f"Recent trend for {claim.subject} (Fingertips method, last {st.TREND_POINTS} "
        f"consecutive {pk.periods_word(claim.time_period)})"
    )
    if claim.made:
        return f"{head}: {claim.verdict}" + (
            f" (chi-squared above {st.TREND_CHI_SQUARED:.4f}, 99.8% confidence)."
            if claim.verdict != st.NO_SIGNIFICANT_CHANGE
            else "."
        )
    if claim.verdict == st.COULD_NOT_BE_CALCULATED:
        return f"{head}: could not be calculated, because {claim.reason}."
    return f"{head}: not given, because {claim.reason}."


def _representation_sentence(claim: Claim) -> str:
    who = f"Families in the group “{claim.group}”"
    if not claim.made:
        return f"{who} cannot be set beside the cohort: {claim.reason}."
    share = (
        f"{claim.value('value')}% of those who answered (95% interval "
        f"{claim.value('lower_ci_95')}% to {claim.value('upper_ci_95')}%), against "
        f"{claim.value('benchmark')}% of children in the cohort"
    )
    if claim.verdict == UNDER:
        return f"{who}: {share}, so they were under-represented."
    if claim.verdict == OVER:
        return f"{who}: {share}, so they were over-represented."
    return f"{who}: {share}: similar to the cohort (the difference could be chance)."


def _not_heard_sentence(claim: Claim) -> str:
    period = _period(claim.time_period)
    if not claim.made:
        return (
            f"Who we did not hear from enough in {claim.subject}, {period}: not judged, "
            f"because {claim.reason}."
        )
    judged = [group for group, verdict in claim.evidence if verdict != "not judged"]
    unjudged = [group for group, verdict in claim.evidence if verdict == "not judged"]
    if claim.verdict == "none":
        text = (
            f"Who we did not hear from enough in {claim.subject}, {period}: no group we "
            f"could check ({', '.join(f'“{g}”' for g in judged)}) was under-represented."
        )
    else:
        groups = [f"“{g}”" for g in claim.verdict.split(" | ")]
        text = (
            f"Who we did not hear from enough in {claim.subject}, {period}: families in "
            f"{' and '.join(groups)}, who were under-represented against the cohort."
        )
    if unjudged:
        text += (
            " For " + " and ".join(f"“{g}”" for g in unjudged) + " there is no cohort "
            "figure (or it is not shown), so we cannot say whether we heard from enough "
            "of them."
        )
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
        claims = list(claims)
        columns = list(CLAIM_COLUMNS)
        by_part = pk.divided(claim.time_period for claim in claims)
        if by_part:  # a month or quarter: its time period and identifier, as published
            columns.insert(columns.index("time_period") + 1, "time_identifier")
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for claim in claims:
            record = claim.record(pack_area)
            if by_part:
                key = record["time_period"]
                record["time_period"] = pk.time_period(key)
                record["time_identifier"] = pk.time_identifier(key)
            writer.writerow({key: safe_cell(value) for key, value in record.items()})
    return path


def finite(text: str) -> float:
    """A published number as a float, NaN for a symbol."""
    return float(text) if is_number(text) else math.nan
