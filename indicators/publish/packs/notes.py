"""The pack's notes for a careful reader: what the figures cannot tell you, how to read the
pack (symbols, units, comparisons, trends) and each indicator's definition and sources.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from indicators import stats as st
from indicators.disclosure import (
    SUPPRESSED,
)
from indicators.publish import period_keys as pk
from indicators.publish.packs.blocks import (
    block_heading,
)
from indicators.publish.packs.frames import Publication
from indicators.publish.packs.layout import (
    ALL,
    MAX_QUOTES,
    SMALL_NUMBER,
)
from indicators.publish.packs.model import (
    Block,
    Definition,
    Item,
    Section,
)
from indicators.publish.packs.wording import (
    POLARITY_WORDS,
    count_text,
    count_units,
    join_words,
    period_label,
)
from indicators.units import count_units as declared_units


def limits_section(pub: Publication, area_name: str, rows: pd.DataFrame, area_code: str) -> Section:
    section = Section(
        id="what-the-figures-cannot-tell-you",
        heading="What the figures cannot tell you",
        sheet="Limits of the figures",
    )
    section.paragraphs.append(
        "Read every figure in this pack with these limits in mind. They are listed here so "
        "that nothing is hidden."
    )
    labelled = rows.assign(_label=np.where(rows["breakdown"] == ALL, area_name, rows["_label"]))
    hidden = labelled[(labelled["value"] == SUPPRESSED) | (labelled["numerator"] == SUPPRESSED)]

    def listed(frame: pd.DataFrame, counts: bool) -> list[Item]:
        """One entry per figure and year, naming every group affected."""
        items = []
        keys = ["indicator_id", "breakdown", "time_period"]
        for (indicator_id, breakdown, period), part in frame.groupby(keys, sort=False):
            title = block_heading(pub, pub.register[indicator_id], breakdown, area_name)
            unit = count_units(pub.register[indicator_id])[1]
            names = [
                f"{label} ({count_text(d)} {unit})" if counts else label
                for label, d in zip(part["_label"], part["denominator"], strict=True)
            ]
            text = "; ".join(names)
            if counts and len(names) > 4:
                sizes = part["_denominator"]
                text = (
                    f"{len(names)} results, each from {count_text(str(int(sizes.min())))} "
                    f"to {count_text(str(int(sizes.max())))} {unit}"
                )
            items.append(
                Item(
                    text=f"{title}, {period_label(period)}: {text}",
                    attrs={"indicator": indicator_id, "period": period},
                )
            )
        return items

    block = Block(id="limits-suppressed", heading="Figures not shown (c)")
    block.items = listed(hidden, counts=False)
    block.paragraphs.append(
        "These figures are not shown (c) because they rest on a small number of children or "
        "families, or because they could be used to work out one that does."
        if block.items
        else "No figure for this area is hidden (c)."
    )
    section.blocks.append(block)

    block = Block(id="limits-low-reliability", heading="Low reliability (u)")
    low = labelled[(labelled["reliability"] == "low") & labelled["_value"].notna()]
    block.items = listed(low, counts=True)
    block.paragraphs.append(
        "These survey results come from fewer than twice the minimum number of respondents "
        "(shown in brackets). They are shown, marked (u), but could easily change with a few "
        "more answers."
        if block.items
        else "No result in this pack is marked low reliability (u)."
    )
    section.blocks.append(block)

    block = Block(id="limits-small-numbers", heading="Small numbers")
    small = labelled[
        (labelled["_denominator"] < SMALL_NUMBER)
        & labelled["_value"].notna()
        & (labelled["reliability"] != "low")
    ]
    block.items = listed(small, counts=True)
    block.paragraphs.append(
        f"Results from fewer than {SMALL_NUMBER} children, families or answers (the number is "
        "in brackets) have wide 95% intervals: a difference of a few moves them a lot."
        + ("" if block.items else " None of the results in this pack is that small.")
    )
    section.blocks.append(block)

    block = Block(id="limits-caveats", heading="Caveats from the indicator register")
    present = sorted(rows["indicator_id"].unique(), key=lambda i: pub.order.get(i, 0))
    block.items = [
        Item(
            text=f"{pub.register[i].get('title') or i}: {pub.register[i]['caveats'].strip()}",
            attrs={"indicator": i},
        )
        for i in present
        if pub.register[i].get("caveats", "").strip()
    ]
    if not block.items:
        block.paragraphs.append("The register lists no caveats for these figures.")
    section.blocks.append(block)
    who = pub.framework.who
    place = (pub.area_level or pub.framework.authority_level).lower()
    year, years = pk.words_for(pub.values["time_period"])  # a pack of months: 'month'
    section.bullets = [
        "The figures count children and families; they cannot say why a figure is what it "
        f"is. Read them with the people who know the {place}.",
        "“Similar” does not prove there is no difference: it means the difference could be "
        "chance, given how many children or families were counted.",
        *(
            [who.words["limits"].format(heading=who.heading)]
            if who.indicators and who.words.get("limits")
            else []
        ),
        f"A change from one {year} to the next is often within normal variation. A recent "
        f"trend needs {st.TREND_POINTS} consecutive comparable {years} of figures (the "
        f"Fingertips method: no {year} missing, and none before a series break such as a "
        "reformed framework "
        "or a reworded question), and a Making Data "
        f"Count reading {st.SPC_MIN_POINTS} points.",
    ]
    return section


_DEFINITION_FIELDS = (
    ("definition", "Definition"),
    ("numerator_definition", "Counted"),
    ("denominator_definition", "Out of"),
    ("sources", "Sources"),
    ("co_designed", "Co-designed by"),
)
DEFINITION_LABELS = tuple(label for _, label in _DEFINITION_FIELDS)


def definition_list(pub: Publication, indicator_ids: Iterable[str]) -> list[Definition]:
    out = []
    for indicator_id in indicator_ids:
        meta = pub.register[indicator_id]
        fields = []
        derived = {
            "polarity": POLARITY_WORDS.get(meta.get("polarity", ""), meta.get("polarity", "")),
            "sources": join_words(
                list(
                    dict.fromkeys(
                        v.strip()
                        for v in (
                            meta.get("numerator_source", ""),
                            meta.get("denominator_source", ""),
                        )
                        if v.strip()
                    )
                )
            ),
            "co_designed": ", ".join(
                v.strip()
                for v in (meta.get("co_designed_by", ""), meta.get("co_designed_on", ""))
                if v.strip()
            ),
        }
        for key, label in _DEFINITION_FIELDS:
            value = derived.get(key, meta.get(key, "")).strip()
            fields.append((label, value or "not recorded"))
        out.append(
            Definition(
                indicator_id=indicator_id, title=meta.get("title") or indicator_id, fields=fields
            )
        )
    return out


def how_to_read_notes(pub: Publication, units: Iterable[str] = ()) -> list[str]:
    declared = declared_units()  # what each unit means (dbt_project/metadata/units.yml)
    present = [unit for unit in declared if unit in set(units)]
    return [
        "Each figure comes with a 95% interval: the range the true value for the area is "
        "very likely to lie in. The fewer counted, the wider it is. Charts and bars draw it. "
        "“44 of 58” means 44 counted out of the 58 in the group.",
        "What is counted: "
        + "; ".join(f"{unit} are {declared[unit].meaning}" for unit in present)
        + ".",
        f"“Similar to {pub.la_label}” means the interval, as printed, includes or touches the "
        f"{pub.run.la_word} figure, so the difference could be chance. “Higher” or “lower” "
        "means the whole printed interval is above or below it; “better” or “worse” says "
        "whether that direction is good for children. ▲ higher, ▼ lower, ● similar and "
        "○ not compared say the same in symbols. Survey questions have no England figure.",
        f"{st.TREND_METHOD} With at least {st.SPC_MIN_POINTS} points we also read a Making "
        "Data Count XmR chart, which separates everyday ups and downs from change worth "
        "asking about.",
        "Every comparison, ranking and trend in this pack is checked against the published "
        "figures (claims.csv beside the pack lists each, with the numbers it rests on). A "
        "statement that would need a hidden figure (c) is not made, and the pack says why.",
        "Quotes are from families who agreed to be quoted, with personal details removed: up "
        f"to {MAX_QUOTES} per question, most recent first. Symbols (c, x, z, low, u) are "
        "explained in the key at the end.",
    ]
