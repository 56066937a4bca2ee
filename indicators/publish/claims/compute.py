"""Each kind of claim computed from the published table alone (`Published`): one function
per kind, `comparison`, `ranking`, `trend`, `representation` and `not_heard` (and `beside`,
in beside_claim.py), each giving a
`Claim` made or not made and why (the rules are in indicators/publish/claims/__init__.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from indicators import stats as st
from indicators.disclosure import (
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SUPPRESSED,
)
from indicators.publish import period_keys as pk
from indicators.publish.claims.claim import (
    ABOVE,
    ALL,
    AMBITION,
    AT,
    BELOW,
    BENCHMARKS,
    COMPARISON,
    ENGLAND,
    LA,
    MADE_TRENDS,
    NOT_HEARD,
    OVER,
    RANKING,
    REPRESENTATION,
    SIMILAR_SHARE,
    SYMBOL_WORDS,
    TREND,
    UNDER,
    Claim,
    decimals_of,
    is_number,
    plural,
)
from indicators.publish.claims.table import Published
from indicators.units import independent_units, not_compared_why

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


def comparison(
    pub: Published,
    indicator_id: str,
    time_period: str,
    area_code: str,
    breakdown: str,
    group: str,
    benchmark: str,
    labels: Mapping[str, str] | None = None,
    la_label: str = "the borough average",
) -> Claim:
    """Is this figure higher, lower or similar to its benchmark, as printed?"""
    if benchmark not in BENCHMARKS:
        raise ValueError(f"benchmark must be one of {', '.join(BENCHMARKS)}, not {benchmark!r}")
    row = pub.row(indicator_id, time_period, area_code, breakdown, group)
    if row is None:
        raise KeyError(
            f"no published row {indicator_id} {time_period} {area_code} {breakdown} {group}"
        )
    meta = pub.meta(indicator_id)
    polarity = _polarity(meta)
    subject = _subject(pub, row, labels or {})
    value, lower, upper = row["value"], row["lower_ci_95"], row["upper_ci_95"]
    evidence: list[tuple[str, str]] = [
        ("value", value),
        ("lower_ci_95", lower),
        ("upper_ci_95", upper),
    ]
    benchmark_label = {
        LA: la_label,
        ENGLAND: "England",
        AMBITION: pub.ambitions.get(indicator_id, (0, "the ambition"))[1],
    }[benchmark]

    def claim(made: bool, verdict: str, reason: str = "") -> Claim:
        return Claim(
            kind=COMPARISON,
            indicator_id=indicator_id,
            time_period=time_period,
            area_code=area_code,
            breakdown=breakdown,
            group=group,
            benchmark=benchmark,
            made=made,
            verdict=verdict,
            evidence=tuple(evidence),
            reason=reason,
            subject=subject,
            benchmark_label=benchmark_label,
            title=meta.get("title", indicator_id),
            unit=_unit(meta),
            polarity=polarity,
        )

    if benchmark == AMBITION:
        if indicator_id not in pub.ambitions:
            return claim(False, "", "there is no ambition for this figure")
        target = pub.ambitions[indicator_id][0]
        evidence[:] = [("value", value), ("benchmark", f"{target:.1f}")]
        if not is_number(value):
            return claim(False, "", f"its figure is {SYMBOL_WORDS.get(value, value)}")
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
        return claim(False, published, f"its figure is {SYMBOL_WORDS.get(hidden, hidden)}")
    if not bench_text:
        what = (
            "there is no England figure for it"
            if benchmark == ENGLAND
            else f"there is no {la_label.removeprefix('the ')} to compare it with"
        )
        return claim(False, published, what)
    if not is_number(bench_text):
        return claim(
            False,
            published,
            f"the {'England' if benchmark == ENGLAND else la_label.removeprefix('the ')}"
            f" figure is {SYMBOL_WORDS.get(bench_text, bench_text)}",
        )
    if str(meta.get("denominator_unit", "")).strip() not in independent_units():
        unit = str(meta.get("denominator_unit", "")).strip()
        why = not_compared_why(unit)
        return claim(
            False,
            published,
            f"it counts {unit}, {why}, so "
            + (
                "it is not compared"  # a median's interval is not too narrow: no method
                if meta.get("value_type") == "median"
                else "its interval is too narrow to compare"
            ),
        )
    code = _interval_code(lower, upper, float(bench_text), decimals_of(value))
    verdict = str(st.apply_polarity([code], polarity)[0])
    if verdict != published:
        return claim(
            False,
            published,
            f"the published comparison ({published}) disagrees with the printed "
            f"interval and benchmark ({verdict})",
        )
    return claim(True, verdict)


def _ranked(parts: Sequence[tuple[str, str]]) -> str:
    """'highest: A; lowest: B' from (label, value) pairs, ties joined by ' = '."""
    numbers = [(label, float(value)) for label, value in parts]
    top = max(number for _, number in numbers)
    bottom = min(number for _, number in numbers)
    highest = " = ".join(label for label, number in numbers if number == top)
    lowest = " = ".join(label for label, number in numbers if number == bottom)
    return f"highest: {highest}; lowest: {lowest}"


def ranking(
    pub: Published,
    indicator_id: str,
    time_period: str,
    area_code: str,
    breakdown: str,
    labels: Mapping[str, str] | None = None,
    parts_noun: str = "",
) -> Claim:
    """Which part is highest and which lowest. `breakdown` the level within the authority
    (`pub.area_level`, e.g. Neighbourhood) ranks the authority's areas (their totals); any
    other breakdown ranks its groups in the area. A total ("All ...") is never a part."""
    labels = labels or {}
    meta = pub.meta(indicator_id)
    if pub.area_level and breakdown == pub.area_level:
        rows = [
            pub.row(indicator_id, time_period, code, ALL, "All children")
            or next(iter(pub.groups.get((indicator_id, time_period, code, ALL), [])), None)
            for code in pub.neighbourhoods(area_code)
        ]
        rows = [row for row in rows if row is not None]
        parts = [(row["area_name"], row["value"]) for row in rows]
        noun = parts_noun or plural(pub.area_level)
    elif breakdown == ALL:
        raise ValueError("a total is not ranked with anything: give a breakdown")
    else:
        rows = pub.groups.get((indicator_id, time_period, area_code, breakdown), [])
        parts = [(labels.get(row["group"], row["group"]), row["value"]) for row in rows]
        noun = parts_noun or f"groups by {breakdown.lower()}"
    evidence = tuple(parts)

    def claim(made: bool, verdict: str, reason: str = "") -> Claim:
        return Claim(
            kind=RANKING,
            indicator_id=indicator_id,
            time_period=time_period,
            area_code=area_code,
            breakdown=breakdown,
            group="",
            benchmark="",
            made=made,
            verdict=verdict,
            evidence=evidence,
            reason=reason,
            subject=noun,
            title=meta.get("title", indicator_id),
            unit=_unit(meta),
            polarity=_polarity(meta),
        )

    if meta.get("value_type") == "median":  # as the median value type says: never compared
        return claim(False, "", f"a median is not compared between {noun}")
    if len(parts) < 2:
        return claim(False, "", f"fewer than two {noun} to rank")
    hidden = [label for label, value in parts if not is_number(value)]
    if hidden:
        return claim(
            False,
            "",
            f"some {noun} are not shown (c), and a hidden one could be the highest or the lowest",
        )
    return claim(True, _ranked(parts))


def trend(
    pub: Published,
    indicator_id: str,
    time_period: str,
    area_code: str,
    breakdown: str,
    group: str,
    labels: Mapping[str, str] | None = None,
) -> Claim:
    """The published recent trend, or why there is none."""
    row = pub.row(indicator_id, time_period, area_code, breakdown, group)
    if row is None:
        raise KeyError(
            f"no published row {indicator_id} {time_period} {area_code} {breakdown} {group}"
        )
    meta = pub.meta(indicator_id)
    history = [
        r
        for r in pub.series.get((indicator_id, area_code, breakdown, group), [])
        if pk.at_or_before(r["time_period"], time_period)
    ][-st.TREND_POINTS :]
    evidence = tuple(
        (pk.evidence_name(r["time_period"]), f"{r['numerator']} of {r['denominator']}")
        for r in history
    )
    years, year = pk.periods_word(time_period), pk.period_word(time_period)
    code = row.get("recent_trend", NOT_AVAILABLE).strip() or NOT_AVAILABLE

    def claim(made: bool, reason: str = "") -> Claim:
        return Claim(
            kind=TREND,
            indicator_id=indicator_id,
            time_period=time_period,
            area_code=area_code,
            breakdown=breakdown,
            group=group,
            benchmark="",
            made=made,
            verdict=code,
            evidence=evidence,
            reason=reason,
            subject=_subject(pub, row, labels or {}),
            title=meta.get("title", indicator_id),
            unit=_unit(meta),
            polarity=_polarity(meta),
        )

    if code in MADE_TRENDS:
        return claim(True)
    if code in (SUPPRESSED, NOT_APPLICABLE):
        # Not tested at all (value type or units) comes first: then no count was used, even
        # where the published column says c.
        if meta.get("value_type") not in st.TREND_VALUE_TYPES:
            return claim(False, "the trend test is for percentages only")
        unit = str(meta.get("denominator_unit", "")).strip()
        if unit not in independent_units():  # why, in the unit's own words (units.yml)
            why = not_compared_why(unit)
            return claim(False, f"it counts {unit}, {why}, so the test for trend does not apply")
    if code == st.COULD_NOT_BE_CALCULATED:
        declared = str(meta.get("comparable_from", "") or "").strip().removesuffix(".0")
        consecutive = _consecutive_periods(pub, indicator_id, history, declared)
        if consecutive < st.TREND_POINTS:
            broken = (
                declared.isdigit()
                and int(pk.time_period(time_period)) >= int(declared)
                and len(history) > consecutive
            )
            since = f" since the series break (earlier {years} are not comparable)"
            since = since if broken else ""
            return claim(
                False,
                f"the Fingertips method needs {st.TREND_POINTS} consecutive "
                f"comparable {years} of figures, and fewer are published{since}",
            )
        return claim(
            False,
            f"a {year} among the last {st.TREND_POINTS} has no usable count, "
            f"the question was reworded within them, or a {year} in which all or "
            "none counted leaves the direction undefined",
        )
    if code == SUPPRESSED:
        if not is_number(row["value"]):
            return claim(False, "its figure is not shown (c)")
        return claim(False, f"a count in the last {st.TREND_POINTS} {years} is not shown (c)")
    return claim(False, "no trend is published")


def _consecutive_periods(
    pub: Published, indicator_id: str, history: list[dict[str, str]], comparable_from: str
) -> int:
    """How many consecutive periods of the indicator's declared type, ending with the last
    of `history`, are published and comparable (none before `comparable_from`)."""
    starts = [pub.period_ordinal(indicator_id, row["time_period"]) for row in history]
    floor = pub.period_ordinal(indicator_id, comparable_from) if comparable_from.isdigit() else -1
    count = 0
    for position in range(len(starts) - 1, -1, -1):
        if starts[position] < floor or (count and starts[position] != starts[position + 1] - 1):
            break
        count += 1
    return count


def representation(
    pub: Published, time_period: str, area_code: str, group: str, cohort_indicator: str | None
) -> Claim:
    """A seldom-heard group's share of respondents against its share of the cohort, in the
    same area and year."""
    row = pub.row(pub.reach_group, time_period, area_code, pub.groups_breakdown, group)
    if row is None:
        raise KeyError(f"no published share of respondents for {group} in {area_code}")
    meta = pub.meta(pub.reach_group)
    cohort = (
        pub.row(cohort_indicator, time_period, area_code, ALL, "All children")
        if cohort_indicator
        else None
    )
    cohort_text = cohort["value"] if cohort is not None else NOT_AVAILABLE
    evidence = (
        ("value", row["value"]),
        ("lower_ci_95", row["lower_ci_95"]),
        ("upper_ci_95", row["upper_ci_95"]),
        ("benchmark", cohort_text),
    )

    def claim(made: bool, verdict: str, reason: str = "") -> Claim:
        return Claim(
            kind=REPRESENTATION,
            indicator_id=pub.reach_group,
            time_period=time_period,
            area_code=area_code,
            breakdown=pub.groups_breakdown,
            group=group,
            benchmark=cohort_indicator or "",
            made=made,
            verdict=verdict,
            evidence=evidence,
            reason=reason,
            subject=group,
            benchmark_label="children in the cohort",
            title=meta.get("title", pub.reach_group),
            unit="%",
        )

    shown = [row["value"], row["lower_ci_95"], row["upper_ci_95"]]
    if not all(is_number(text) for text in shown):
        hidden = next(text for text in shown if not is_number(text))
        return claim(False, "", f"its share of respondents is {SYMBOL_WORDS.get(hidden, hidden)}")
    if cohort is None:
        return claim(False, "", "there is no cohort figure for this group")
    if not is_number(cohort_text):
        return claim(
            False, "", f"the cohort figure is {SYMBOL_WORDS.get(cohort_text, cohort_text)}"
        )
    code = _interval_code(
        row["lower_ci_95"], row["upper_ci_95"], float(cohort_text), decimals_of(row["value"])
    )
    return claim(True, {st.LOWER: UNDER, st.HIGHER: OVER, st.SIMILAR: SIMILAR_SHARE}[code])


def not_heard(
    pub: Published, time_period: str, area_code: str, cohorts: Mapping[str, str]
) -> Claim:
    """Which seldom-heard groups we heard from too little, and which cannot be judged."""
    groups = [
        row["group"]
        for row in pub.groups.get(
            (pub.reach_group, time_period, area_code, pub.groups_breakdown), []
        )
    ]
    verdicts = [
        representation(pub, time_period, area_code, group, cohorts.get(group))
        for group in sorted(groups)
    ]
    evidence = tuple(
        (claim.group, claim.verdict if claim.made else "not judged") for claim in verdicts
    )
    under = [claim.group for claim in verdicts if claim.made and claim.verdict == UNDER]
    unjudged = [claim.group for claim in verdicts if not claim.made]
    made = any(claim.made for claim in verdicts)
    reason = (
        ""
        if made
        else (
            "no seldom-heard group can be set beside the cohort"
            if verdicts
            else "no seldom-heard groups are published for this area and year"
        )
    )
    return Claim(
        kind=NOT_HEARD,
        indicator_id=pub.reach_group,
        time_period=time_period,
        area_code=area_code,
        breakdown=pub.groups_breakdown,
        group="",
        benchmark="",
        made=made,
        verdict=" | ".join(under) if under else "none",
        evidence=evidence,
        reason=reason if not made else ("not judged: " + " | ".join(unjudged) if unjudged else ""),
        subject=pub.names.get(area_code, area_code),
        title="Who we did not hear from",
    )
