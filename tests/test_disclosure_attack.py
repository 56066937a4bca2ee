"""An integer-programming attacker against everything Chorus publishes, on generated cohorts.

Each cohort (hypothesis) is children with characteristics and outcomes, survey respondents
with channels, seldom-heard flags and consented links to their children, and answers to
questions from the real item bank, over one or two authorities, small neighbourhoods and one
or two years. Its true indicator table comes from an independent computation
(tests/independent.py, held to Chorus's own tables in test_disclosure_completeness.py);
Chorus's disclosure control suppresses it (thresholds 3, 5 and 10; rounding off and on);
then the attacker (tests/attacker.py, which shares no code with the suppressor) reads only
the published table, the YAML declarations and the public item bank, and bounds every
suppressed count by integer programming. No count may be left with fewer than `threshold`
possible values, and the truth must lie in every range (the attacker is sound).

`CHORUS_ATTACK_EXAMPLES` sets the number of cohorts (10 in `make test`; `make attack` runs
200).
"""

import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from indicators.disclosure import DisclosureConfig, protect, publishable, with_rounded_counts
from indicators.publish.register import shapes
from tests.attacker import Attacker, leaks, summary
from tests.cohorts import (
    ENGLAND,
    ITEMS,
    META,
    REGISTER,
    attack,
    cohort,
    cohorts,
    people_of,
    publish,
)

ATTACKED = {
    "cohorts": 0,
    "cells": 0,
    "suppressed": 0,
    "leaks": 0,
    "narrowest": {3: np.inf, 5: np.inf, 10: np.inf},
}
EXAMPLES = int(os.environ.get("CHORUS_ATTACK_EXAMPLES", "10"))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate),  # shrinking integer programmes takes ages
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    drawn=cohorts,
    threshold=st.sampled_from([3, 5, 10]),
    round_to=st.sampled_from([None, None, 5]),
    minimum=st.sampled_from([3, 10]),
)
@example(  # HiGHS's presolve called this system infeasible although the true counts solve it
    drawn={
        "per_year": 150,
        "authorities": 2,
        "heard": 0.8,
        "seed": 24873,
        "years": 2,
        "hoods": 4,
        "lean": 0.97,
        "rare": 0.0,
    },
    threshold=10,
    round_to=None,
    minimum=10,
)
@pytest.mark.slow
def test_no_suppressed_count_can_be_narrowed_below_the_threshold(
    drawn, threshold, round_to, minimum
):
    values, parents = cohort(*people_of(**drawn))
    config = DisclosureConfig(threshold=threshold, round_to=round_to, voice_min_respondents=minimum)
    protected, published = publish(values, parents, config)
    findings = attack(protected, published, parents, config)
    ATTACKED["cohorts"] += 1
    ATTACKED["cells"] += len(published)
    ATTACKED["suppressed"] += len(findings)
    if findings:
        ATTACKED["narrowest"][threshold] = min(
            ATTACKED["narrowest"][threshold], min(f.values for f in findings)
        )
    found = leaks(findings, threshold)
    ATTACKED["leaks"] += len(found)
    assert not found, summary(found)


@pytest.mark.slow  # reports the property test above, a slow one
def test_report_attack_volume():
    """Runs after the property test in this module: records what was attacked."""
    if ATTACKED["cohorts"] == 0:
        pytest.skip("the property test did not run")
    narrowest = ", ".join(
        f"{v:.0f} values at threshold {t}"
        for t, v in ATTACKED["narrowest"].items()
        if np.isfinite(v)
    )
    print(
        f"\ninteger-programming attack: {ATTACKED['cohorts']} cohorts, {ATTACKED['cells']} "
        f"published cells, {ATTACKED['suppressed']} suppressed counts attacked; narrowest "
        f"range {narrowest or 'none'}; {ATTACKED['leaks']} leaks"
    )


# --------------------------------------------------------------------------------------------
# The attacker has teeth: it beats suppression that ignores a relation
# --------------------------------------------------------------------------------------------


def _child(year=202324, hood=0, **changes) -> dict:
    base = {
        "year": year,
        "la": 0,
        "hood": hood,
        "Sex": "Female",
        "FSM eligibility": "Not eligible",
        "First language": "English",
        "SEN provision": "No SEN",
        "Season of birth": "Autumn-born",
        "Ethnicity": "White",
        # a good level of development (goals 1 to 12) and 15 goals at the expected level
        **{f"elg{n:02d}": "2" if n <= 15 else "1" for n in range(1, 18)},
    }
    return {**base, **changes}


def _respondent(hood: int, answers: dict, year=202324, **changes) -> dict:
    base = {
        "year": year,
        "la": 0,
        "hood": hood,
        "channel": "Online",
        "funded": "Y",
        "eal": "N",
        "hub": "Y",
        "link": None,
        "answers": answers,
    }
    return {**base, **changes}


def _without_rule(indicator: str, kind: str, mentioning: str = "") -> pd.DataFrame:
    """The register with one rule taken out of one indicator's declaration."""
    register = REGISTER.copy()
    row = register.index[register["indicator_id"] == indicator][0]
    relations = dict(register.at[row, "relations"])
    relations["rules"] = [
        r
        for r in relations["rules"]
        if not (r["kind"] == kind and mentioning in str(r.get("right")))
    ]
    assert len(relations["rules"]) == len(register.at[row, "relations"]["rules"]) - 1
    register.at[row, "relations"] = relations
    return register


def _published_with(register: pd.DataFrame, values, parents, config):
    indicator_shapes = shapes(register, config.voice_min_respondents)
    protected = protect(values, parents, indicator_shapes, config, ITEMS)
    return protected, publishable(protected, indicator_shapes, config, parents)


def _exact(findings, indicator: str, group: str, count: str = "numerator") -> list:
    return [
        f
        for f in findings
        if f.indicator_id == indicator and f.group == group and f.count == count and f.values == 1
    ]


def test_attacker_beats_primary_suppression_alone():
    """Only the small cells hidden: subtraction from totals gives them back."""
    values, parents = cohort(
        *people_of(
            seed=3, years=1, authorities=1, hoods=3, per_year=200, heard=0.0, rare=0.05, lean=0.9
        )
    )
    config = DisclosureConfig(threshold=10)
    weak = values.copy()
    proportion = weak["indicator_id"].map(lambda i: META[i]["value_type"]) == "proportion"
    n, d = weak["numerator"], weak["denominator"]
    weak["numerator_suppressed"] = (d < 10) | (proportion & ((n < 10) | (d - n < 10)))
    weak["denominator_suppressed"] = d < 10
    published = publishable(weak, shapes(REGISTER, 10), config, parents)
    findings = Attacker(published, parents, 10, None, META).run()
    exact = [f for f in findings if f.values == 1]
    assert len(exact) >= 5, summary(findings)
    protected, safe = publish(values, parents, config)
    assert not leaks(attack(protected, safe, parents, config), 10)


def test_attacker_recovers_a_question_from_its_domain_when_suppression_ignores_it():
    """The issue's example, by families: in Eastfield every family answered one of the three
    "Health and development" questions, so the domain's positive families (156 of 229) less
    the two published questions' give "two-year review" exactly (68 of 75, 7 missed it)."""
    people = []
    for hood, (review, help_, talking) in enumerate(
        [((68, 75), (60, 80), (28, 74)), ((40, 52), (35, 61), (30, 66))]
    ):
        for item, (positive, total) in (
            ("two_year_review", review),
            ("development_help", help_),
            ("talking_understanding", talking),
        ):
            yes, no = {
                "two_year_review": ("Y", "N"),
                "development_help": ("5", "2"),
                "talking_understanding": ("9", "3"),
            }[item]
            people += [_respondent(hood, {item: yes}) for _ in range(positive)]
            people += [_respondent(hood, {item: no}) for _ in range(total - positive)]
    children = [_child(hood=h) for h in (0, 1) for _ in range(300)]
    values, parents = cohort(children, people)
    config = DisclosureConfig(threshold=10)
    _, weak = _published_with(
        _without_rule("voice_domain_positive", "majority_of_items"), values, parents, config
    )
    findings = Attacker(weak, parents, 10, None, META).run()
    recovered = _exact(findings, "voice_item_positive", "two_year_review")
    assert any(f.area_code == "N00" and f.low == 68 for f in recovered), summary(findings)
    protected, safe = publish(values, parents, config)
    assert not leaks(attack(protected, safe, parents, config), 10)


def test_attacker_recovers_a_group_from_the_eal_cohort_share_when_suppression_ignores_it():
    """GLD's "Unknown" first language group (3 children) is hidden, and "Other than English"
    (40) with it; the cohort share of children with English as an additional language counts
    those 40 as its numerator. A suppressor that does not know that equality leaves a way to
    an exact count (which one depends on the partners it chose)."""
    children = (
        [_child(hood=h % 2) for h in range(400)]
        + [_child(hood=h % 2, **{"First language": "Other than English"}) for h in range(40)]
        + [_child(hood=0, **{"First language": "Unknown"}) for _ in range(3)]
    )
    values, parents = cohort(children, [])
    config = DisclosureConfig(threshold=10)
    _, weak = _published_with(
        _without_rule("cohort_eal_share", "equal", "First language"), values, parents, config
    )
    findings = Attacker(weak, parents, 10, None, META).run()
    assert [f for f in leaks(findings, 10) if f.values == 1], summary(findings)
    protected, safe = publish(values, parents, config)
    assert not leaks(attack(protected, safe, parents, config), 10)


def test_rounding_holds_only_when_values_come_from_the_rounded_counts():
    """Counts rounded to 5 but values from the exact counts: the value's decimals give exact
    counts back. Values, intervals and comparisons restated from the rounded counts (as
    Chorus publishes them) leave every published count somewhere in its rounding band."""
    values, parents = cohort(
        *people_of(
            seed=11, years=1, authorities=1, hoods=2, per_year=300, heard=0.0, rare=0.05, lean=0.9
        )
    )
    config = DisclosureConfig(threshold=10, round_to=5)
    indicator_shapes = shapes(REGISTER, 10)
    protected = protect(values, parents, indicator_shapes, config, ITEMS)
    careless = publishable(protected, indicator_shapes, config, parents)  # exact values
    findings = Attacker(careless, parents, 10, 5, META, published_counts=True).run()
    assert len([f for f in findings if f.values == 1]) >= 10, summary(findings)
    careful = publishable(
        with_rounded_counts(protected, 5, parents, REGISTER, ENGLAND),
        indicator_shapes,
        config,
        parents,
    )
    findings = Attacker(careful, parents, 10, 5, META, published_counts=True).run()
    assert not [f for f in findings if f.values == 1], summary(findings)
    assert not leaks([f for f in findings if "published" not in f.count], 10)
