"""The care leavers' topic and domain relations are complete for the topics seed.

A young person's latest review that answered a topic is scored in every domain the topic
informs (seeds/pathway_plan_topics.csv), so a topic's blanks in an area are at least the
young people scored in any domain less those scored in a domain the topic informs. An
outsider who knows the topics can use every such inequality to narrow a hidden count of
blanks (the second review of issue 14 did, with "Your future in five years"): each must be
declared in the topic indicator's relations for disclosure control to see it. When the seed
changes (a topic added, or mapped to another domain), this fails until the relations are
written again."""

import csv
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "dbt_project" / "models" / "indicators"


def _seed() -> dict[str, set[str]]:
    """topic wording -> the domains it informs, read from the seed with csv alone."""
    with (ROOT / "seeds" / "pathway_plan_topics.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    named = {d.strip() for r in rows for d in r["domains"].split(";") if d.strip() != "All"}
    return {
        r["wording"]: named
        if r["domains"].strip() == "All"
        else {d.strip() for d in r["domains"].split(";")}
        for r in rows
    }


@pytest.mark.parametrize("perspective", ["young_person", "adviser"])
def test_every_topic_domain_inequality_is_declared(perspective):
    topics = _seed()
    domains = set().union(*topics.values())
    document = yaml.safe_load(
        (MODELS / f"ind_care_leavers__topic_unanswered_{perspective}.yml").read_text()
    )
    rules = document["models"][0]["config"]["meta"]["indicator"]["relations"]["rules"]
    good = f"cl_domain_good_{perspective}.denominator at Outcome domain / "
    declared = set()
    for rule in rules:
        cells = rule.get("cells") or {}
        if rule["kind"] != "at_most" or rule.get("right") != "numerator":
            continue
        left = rule["left"].split(" - ")
        if len(left) == 2 and all(term.startswith(good) for term in left):
            declared.add((cells.get("group"), left[0][len(good) :], left[1][len(good) :]))
    wanted = {
        (topic, other, informed)
        for topic, informs in topics.items()
        for informed in informs
        for other in domains - {informed}
    }
    assert len(wanted) > 100
    assert wanted - declared == set()
