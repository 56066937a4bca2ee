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
    part_note,
    period_label,
)
from indicators.units import count_units as declared_units


def _say(block: Block, text: str) -> None:
    """A paragraph the framework words; none when it declares none."""
    if text.strip():
        block.paragraphs.append(text)


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
    _say(
        block,
        pub.framework.said("limits_hidden")
        if block.items
        else "No figure for this area is hidden (c).",
    )
    section.blocks.append(block)

    block = Block(id="limits-low-reliability", heading="Low reliability (u)")
    low = labelled[(labelled["reliability"] == "low") & labelled["_value"].notna()]
    block.items = listed(low, counts=True)
    _say(
        block,
        pub.framework.said("limits_low")
        if block.items
        else "No result in this pack is marked low reliability (u).",
    )
    section.blocks.append(block)

    block = Block(id="limits-small-numbers", heading="Small numbers")
    small = labelled[
        (labelled["_denominator"] < SMALL_NUMBER)
        & labelled["_value"].notna()
        & (labelled["reliability"] != "low")
    ]
    block.items = listed(small, counts=True)
    small_words = pub.framework.said("limits_small", small_number=SMALL_NUMBER)
    _say(
        block,
        small_words
        + (
            ""
            if block.items or not small_words
            else " None of the results in this pack is that small."
        ),
    )
    section.blocks.append(block)

    part = part_periods_block(pub, rows, area_name)
    if part.items:  # none in a pack whose periods are all whole
        section.blocks.append(part)

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
    section.bullets = pub.framework.said_list(
        "limits",
        place=place,
        year=year,
        years=years,
        trend_points=st.TREND_POINTS,
        spc_points=st.SPC_MIN_POINTS,
        who_heading=who.heading,
    )
    if who.indicators and who.words.get("limits"):
        section.bullets.append(who.words["limits"].format(heading=who.heading))
    return section


def part_periods_block(pub: Publication, rows: pd.DataFrame, area_name: str) -> Block:
    """One entry per figure and part period (indicators/part_periods.csv, merged by
    board_packs.with_part_periods): its months counted and the months not counted."""
    block = Block(id="limits-part-periods", heading="Part periods")
    if "months_not_counted" not in rows:
        return block
    part = rows[rows["months_landed"].ne("") & rows["months_landed"].ne(rows["months_in_period"])]
    keys = ["indicator_id", "time_period"]
    for (indicator_id, period), found in part.groupby(keys, sort=False):
        record = found.iloc[0]
        title = pub.register[indicator_id].get("title") or indicator_id
        block.items.append(
            Item(
                text=f"{title}, {period_label(period)}: {part_note(record)}",
                attrs={"indicator": indicator_id, "period": period},
            )
        )
    _say(
        block,
        pub.framework.said("limits_part_periods")
        or "These periods count only the months their data covers so far: read them as "
        "part periods, not as whole quarters or years, and not beside a whole one as like "
        "for like.",
    )
    return block


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
    """The framework's "How to read this pack" sentences (words.how_to_read), filled in:
    `{units}` is what each counted unit means (dbt_project/metadata/units.yml, in its order)."""
    declared = declared_units()  # what each unit means (dbt_project/metadata/units.yml)
    present = [unit for unit in declared if unit in set(units)]
    return pub.framework.said_list(
        "how_to_read",
        units="; ".join(f"{unit} are {declared[unit].meaning}" for unit in present),
        la_label=pub.la_label,
        la_word=pub.run.la_word,
        trend_method=st.TREND_METHOD,
        spc_points=st.SPC_MIN_POINTS,
        max_quotes=MAX_QUOTES,
    )
