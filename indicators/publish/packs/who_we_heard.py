"""The pack's section "who we heard from": reach, the seldom-heard groups against their
share of the cohort (representation claims), the channels that reached them, and who we did
not hear from.
"""

from __future__ import annotations

import math

import pandas as pd

from indicators import stats as st
from indicators.disclosure import (
    NOT_AVAILABLE,
)
from indicators.publish import claims as cl
from indicators.publish import period_keys as pk
from indicators.publish.packs.blocks import build_block, meta_of
from indicators.publish.packs.frames import Publication, as_records
from indicators.publish.packs.layout import ALL
from indicators.publish.packs.model import (
    Block,
    Build,
    Cell,
    Column,
    Row,
    Section,
    Table,
)
from indicators.publish.packs.table_cells import (
    bar_markup,
    bar_note,
    count_cell,
    interval_cell,
    number_or_none,
    value_cell,
)
from indicators.publish.packs.wording import (
    count_heading,
    count_text,
    count_units,
    period_label,
    sheet_format,
    with_unit_suffix,
)


def _latest(rows: pd.DataFrame, indicator_id: str, area_code: str | None = None) -> pd.DataFrame:
    """An indicator's rows in its latest year (only `area_code`'s own rows, if given)."""
    part = rows[rows["indicator_id"] == indicator_id]
    if area_code is not None:
        part = part[part["area_code"] == area_code]
    if part.empty:
        return part
    return part[part["time_period"] == pk.latest(part["time_period"])]


def _groups_block(
    pub: Publication, build: Build, area_code: str, area_name: str, rows: pd.DataFrame
) -> tuple[Block | None, list[str]]:
    """Seldom-heard groups' share of respondents, beside their share of the cohort in the
    same area and year (a representation claim per group)."""
    who = pub.framework.who
    if not who.groups:
        return None, []
    groups = _latest(rows, who.groups, area_code)
    groups = groups[groups["_published_breakdown"] == who.groups_breakdown]
    if groups.empty:
        return None, []
    meta = meta_of(pub, who.groups)
    period = groups["time_period"].iloc[0]
    heading = meta.get("title") or "Seldom-heard groups among respondents"
    block = Block(id=build.next("seldom-heard"), heading=heading, indicator_id=who.groups)
    if meta.get("definition"):
        block.paragraphs.append(meta["definition"])
    denominator_unit = count_units(meta)[1]
    count_label, count_sheet = count_heading(meta)
    columns = [
        Column("Group", width=30),
        Column(
            "Share of respondents (%)", ("Share of respondents (%)", "Reliability"), numeric=True
        ),
        Column(
            "95% interval", ("95% interval from (%)", "95% interval to (%)"), numeric=True, width=22
        ),
        Column(count_label, count_sheet, numeric=True),
        Column("Share of children in the cohort (%)", numeric=True),
        Column("Compared with the cohort", width=20),
    ]
    table_rows, sentences, any_cohort = [], [], False
    for record in as_records(groups):
        share_of = who.shares_in_cohort.get(record["group"])
        claim = build.claim(
            cl.representation(pub.published, period, area_code, record["group"], share_of)
        )
        source = (
            pub.published.row(share_of, period, area_code, ALL, "All children")
            if share_of
            else None
        )
        share = cl.finite(source["value"]) if source else math.nan
        any_cohort |= math.isfinite(share)
        share_cell = (
            Cell(
                text=with_unit_suffix(source["value"], "%"),
                values=(share,) if math.isfinite(share) else (source["value"],),
                formats=(sheet_format(source["value"], "%"),),
                css="num",
            )
            if source
            else Cell(text=NOT_AVAILABLE, css="symbol", code=NOT_AVAILABLE)
        )
        compared = Cell(
            text=cl.short(claim)
            if claim.made
            else ("no cohort figure (x)" if source is None else "not compared"),
            code=claim.verdict
            if claim.made
            else (NOT_AVAILABLE if source is None else st.NOT_COMPARED),
            css="cmp",
            claim=claim.claim_id,
        )
        sentences.append(cl.sentence(claim))
        bar = bar_markup(record, "%", (0.0, 100.0), record["group"], cohort=share)
        table_rows.append(
            Row(
                header=record["group"],
                attrs={
                    "indicator": who.groups,
                    "group": record["group"],
                    "period": record["time_period"],
                    "area": record["area_code"],
                },
                cells=[
                    value_cell(record, "%", reliability=True),
                    interval_cell(record, "%", bar),
                    count_cell(record, meta),
                    share_cell,
                    compared,
                ],
            )
        )
    title = f"{heading}, {period_label(period)}"
    block.tables.append(
        Table(
            caption=title,
            columns=columns,
            rows=table_rows,
            notes=[
                bar_note((0.0, 100.0), "%", False, False, cohort=any_cohort),
                "A group is under-represented when the whole 95% interval of its share of "
                "respondents, as printed, is below its share of children in the cohort (touching "
                "counts as similar).",
                f"(u) low reliability: fewer than twice the minimum number of {denominator_unit}.",
            ],
        )
    )
    return block, sentences


def who_section(
    pub: Publication, build: Build, area_code: str, area_name: str, rows: pd.DataFrame
) -> Section:
    who = pub.framework.who
    section = Section(id="who-we-heard-from", heading=who.heading, sheet=who.section)
    voice = rows[rows["indicator_id"].isin(who.indicators)]
    surveyed = rows[
        rows["indicator_id"].map(lambda i: pub.register[i].get("source_type") == "voice")
    ]
    if surveyed.empty and who.words.get("no_survey"):
        section.paragraphs.append(who.words["no_survey"].format(area=area_name))
    reach = _latest(rows, who.reach, area_code)
    reach = reach[reach["_published_breakdown"] == ALL]
    if not reach.empty:
        record = reach.iloc[0].to_dict()
        meta = meta_of(pub, who.reach)
        numerator_unit, denominator_unit = count_units(meta)
        period = period_label(record["time_period"])
        if number_or_none(record["_value"]) is None:
            section.paragraphs.append(
                f"In {period} too few {numerator_unit} answered in {area_name} for the "
                f"number to be shown ({record['value']})."
            )
        else:
            section.paragraphs.append(
                f"In {period} we heard from {count_text(record['numerator'])} {numerator_unit} "
                f"in {area_name}: {cl.with_unit(record['value'], meta.get('unit', ''))} in "
                f"the cohort ({count_text(record['denominator'])} {denominator_unit})."
            )
            if who.words.get("who_answered"):
                section.paragraphs.append(who.words["who_answered"])
        if area_code == pub.la_code and pub.area_level:
            section.paragraphs.append(
                cl.sentence(
                    build.claim(
                        cl.ranking(
                            pub.published,
                            who.reach,
                            record["time_period"],
                            area_code,
                            pub.area_level,
                        )
                    )
                )
            )
    block, sentences = _groups_block(pub, build, area_code, area_name, rows)
    section.paragraphs += sentences
    if block is not None:
        period = next(iter(block.tables[0].rows)).attrs["period"] if block.tables[0].rows else ""
        if period:
            section.paragraphs.append(
                cl.sentence(
                    build.claim(
                        cl.not_heard(pub.published, period, area_code, who.shares_in_cohort)
                    )
                )
            )
    channels = _latest(rows, who.channels, area_code)
    channels = channels[channels["_published_breakdown"] != ALL]
    if not channels.empty:
        breakdown = channels["_published_breakdown"].iloc[0]
        section.paragraphs.append(
            cl.sentence(
                build.claim(
                    cl.ranking(
                        pub.published,
                        who.channels,
                        channels["time_period"].iloc[0],
                        area_code,
                        breakdown,
                        parts_noun="channels",
                    )
                )
            )
        )
    order = {key: position for position, key in enumerate(who.indicators)}
    for indicator_id in sorted(voice["indicator_id"].unique(), key=order.__getitem__):
        if indicator_id == who.groups:
            if block:
                section.blocks.append(block)
            continue
        part = voice[voice["indicator_id"] == indicator_id]
        for breakdown in part["breakdown"].unique():
            shown_beside = indicator_id in who.shares_in_cohort.values()
            if block is not None and breakdown == ALL and shown_beside:
                continue  # its latest figure sits beside the group's share of respondents
            section.blocks.append(
                build_block(
                    pub,
                    build,
                    area_code,
                    area_name,
                    indicator_id,
                    breakdown,
                    part[part["breakdown"] == breakdown],
                )
            )
    return section
