"""What a board pack says: built once per area from the published frames, then rendered.

The HTML (and the PDF made from it) and the spreadsheet are both drawn from the `Pack` built
here, so they carry the same words and numbers. Every number comes from the published
indicator table (already through disclosure control, all text with EES symbols); this module
never sees a suppressed count, and a symbol (`c`, `x`, `z`, `low`) is shown as that symbol.

Every statement a board reads (a comparison, ranking, trend, representation verdict or "who
we did not hear from") is a claim from `indicators.publish.claims`, computed from the published
table and rendered by its one renderer (`claims.sentence` in running text, `claims.short` in
a table column named after the benchmark); the pack keeps the claims it makes (`Pack.claims`)
and publishes them beside it. Counts are labelled by the register's `numerator_unit` and
`denominator_unit` (children, families, answers), never by guesswork from the indicator.
Trends use the NHS Making Data Count XmR reading from `indicators.stats` where there are
enough points, and otherwise the published Fingertips trend (`recent_trend`).
"""

from __future__ import annotations

import math

import pandas as pd

from indicators.disclosure import (
    NOT_APPLICABLE,
    NOT_AVAILABLE,
)
from indicators.publish import claims as cl
from indicators.publish import period_keys as pk
from indicators.publish.packs import charts
from indicators.publish.packs.beside import framework_blocks
from indicators.publish.packs.block_table import comparison_claim, row_key
from indicators.publish.packs.blocks import block_order, domain_blocks, meta_of
from indicators.publish.packs.deprivation_gap import add_inequality_blocks
from indicators.publish.packs.frames import Publication, as_records
from indicators.publish.packs.information import information_section
from indicators.publish.packs.layout import ALL
from indicators.publish.packs.model import (
    Build,
    Cell,
    Chart,
    Column,
    Glance,
    Headline,
    Pack,
    Row,
    Section,
    Table,
)
from indicators.publish.packs.notes import definition_list, how_to_read_notes, limits_section
from indicators.publish.packs.table_cells import (
    bar_bounds,
    bar_markup,
    claim_cell,
    count_cell,
    interval_cell,
    nan_of,
    number_or_none,
    value_cell,
)
from indicators.publish.packs.who_we_heard import who_section
from indicators.publish.packs.wording import (
    count_text,
    count_units,
    lower_first,
    part_note,
    period_words,
    slugify,
    unit_suffix,
    with_unit_suffix,
)

# --------------------------------------------------------------------------------------------
# Headline, who we heard from, the page at a glance, the pack
# --------------------------------------------------------------------------------------------


def _headline(
    pub: Publication, ids: Build, area_code: str, area_name: str, rows: pd.DataFrame
) -> Headline:
    declared = pub.framework.headline
    headline_id, words, ambition = declared.indicator, declared.words, declared.ambition
    found = rows[(rows["indicator_id"] == headline_id) & (rows["breakdown"] == ALL)]
    if found.empty:
        return Headline(
            paragraphs=[str(words["none"]).format(area=area_name)],
            chart=None,
            table=None,
            heading=declared.heading,
        )
    meta = meta_of(pub, headline_id)
    record = pk.sort_periods(found).iloc[-1].to_dict()
    period = period_words(record)
    value = number_or_none(record["_value"])
    is_la = area_code == pub.la_code
    borough = math.nan if is_la else pub.la_all.get((headline_id, record["time_period"]), math.nan)
    england = pub.england_value(record)
    paragraphs = []
    if value is None:
        why = pub.missing_why(record["value"])
        paragraphs.append(f"The {period} figure for {area_name} is {why}.")
    else:
        paragraphs.append(
            str(words["figure"]).format(
                period=period,
                value=record["value"],
                area=area_name,
                numerator=count_text(record["numerator"]),
                denominator=count_text(record["denominator"]),
                lower=record["lower_ci_95"],
                upper=record["upper_ci_95"],
            )
        )
    benchmarks = (cl.ENGLAND, cl.AMBITION) if is_la else (cl.LA, cl.ENGLAND, cl.AMBITION)
    for benchmark in benchmarks if ambition else benchmarks[:-1]:
        claim = ids.claim(
            cl.comparison(
                pub.published, *row_key(record), benchmark, labels=pub.labels, la_label=pub.la_label
            )
        )
        paragraphs.append(cl.sentence(claim))
    if is_la and pub.area_level:  # its areas ranked (none when its audience has none)
        ranking = ids.claim(
            cl.ranking(
                pub.published,
                headline_id,
                record["time_period"],
                area_code,
                pub.area_level,
            )
        )
        paragraphs.append(cl.sentence(ranking))
    if words["caution"]:
        paragraphs.append(str(words["caution"]))
    bars = [
        charts.Bar(
            label=area_name,
            value=value if value is not None else math.nan,
            shown=with_unit_suffix(record["value"], "%")
            if value is not None
            else f"{record['value']} (not shown)",
            colour=charts.AREA,
            lower=nan_of(record["_lower_ci_95"]),
            upper=nan_of(record["_upper_ci_95"]),
        )
    ]
    table_rows = [
        Row(
            header=area_name,
            attrs={"headline": "area"},
            cells=[value_cell(record, "%"), interval_cell(record, "%"), count_cell(record, meta)],
        )
    ]
    if not is_la:
        la_row = rows.iloc[0:0]
        la_frame = pub.by_area.get(pub.la_code)
        if la_frame is not None:
            la_row = la_frame[
                (la_frame["indicator_id"] == headline_id)
                & (la_frame["breakdown"] == ALL)
                & (la_frame["time_period"] == record["time_period"])
            ]
        if len(la_row):
            la_record = la_row.iloc[0].to_dict()
            label = f"{pub.la_name}: {pub.run.la_word} average"
            bars.append(
                charts.Bar(
                    label=f"{pub.run.la_word.capitalize()} average",
                    value=borough,
                    shown=with_unit_suffix(la_record["value"], "%"),
                    colour=charts.BOROUGH,
                    lower=nan_of(la_record["_lower_ci_95"]),
                    upper=nan_of(la_record["_upper_ci_95"]),
                )
            )
            table_rows.append(
                Row(
                    header=label,
                    attrs={"headline": "borough"},
                    cells=[
                        value_cell(la_record, "%"),
                        interval_cell(la_record, "%"),
                        count_cell(la_record, meta),
                    ],
                )
            )
    england_text = f"{england:.1f}" if math.isfinite(england) else NOT_AVAILABLE
    bars.append(
        charts.Bar(
            label="England",
            value=england,
            shown=with_unit_suffix(england_text, "%")
            if math.isfinite(england)
            else "x (not available)",
            colour=charts.ENGLAND,
        )
    )
    england_cell = (
        Cell(text=f"{england_text}%", values=(england,), formats=('0.0"%"',), css="num")
        if math.isfinite(england)
        else Cell(text=NOT_AVAILABLE, css="symbol num", code=NOT_AVAILABLE)
    )
    not_applicable = Cell(
        text=NOT_APPLICABLE,
        values=(NOT_APPLICABLE, NOT_APPLICABLE),
        css="symbol num",
        code=NOT_APPLICABLE,
    )
    table_rows.append(
        Row(
            header="England",
            attrs={"headline": "england"},
            cells=[
                england_cell,
                Cell(
                    text=NOT_AVAILABLE,
                    values=(NOT_AVAILABLE, NOT_AVAILABLE),
                    css="symbol num",
                    code=NOT_AVAILABLE,
                ),
                Cell(
                    text=NOT_AVAILABLE,
                    values=(NOT_AVAILABLE, NOT_AVAILABLE),
                    css="symbol num",
                    code=NOT_AVAILABLE,
                ),
            ],
        )
    )
    if ambition:
        table_rows.append(
            Row(
                header=ambition.row,
                attrs={"headline": "ambition"},
                cells=[
                    Cell(
                        text=f"{ambition.value:.1f}%",
                        values=(ambition.value,),
                        formats=('0.0"%"',),
                        css="num",
                    ),
                    not_applicable,
                    not_applicable,
                ],
            )
        )
    columns = [
        Column("Area", width=34),
        Column(str(words["value_column"]), numeric=True, width=16),
        Column("95% interval", ("95% interval from (%)", "95% interval to (%)"), numeric=True),
        Column(str(words["count_column"]), tuple(words["count_sheet"]), numeric=True),
    ]
    title = str(words["title"]).format(period=period, area=area_name)
    desc = f"{title}: " + "; ".join(f"{bar.label} {bar.shown}" for bar in bars) + "."
    if ambition:
        desc += f" The dashed line marks {ambition.label}."
    chart = Chart(
        svg=charts.headline_chart(
            bars,
            ambition=ambition.value if ambition else None,
            ambition_label=ambition.line if ambition else "",
            ids=ids,
            title=title,
            desc=desc,
        ),
        caption=f"{title}"
        + (f", with {ambition.label}" if ambition else "")
        + ". The black whiskers show 95% intervals.",
    )
    table = Table(
        caption=title,
        columns=columns,
        rows=table_rows,
        kind="headline",
        notes=[str(words["england_note"])],
    )
    return Headline(paragraphs=paragraphs, chart=chart, table=table, heading=declared.heading)


def _glance(
    pub: Publication, build: Build, area_code: str, area_name: str, rows: pd.DataFrame
) -> Glance:
    """Every domain's headline indicators on one page, Fingertips spine-chart style."""
    is_la = area_code == pub.la_code
    own = rows[rows["area_code"] == area_code]
    entries: list[tuple[str, dict]] = []
    for entry in pub.framework.glance:
        domain, indicator_id, breakdown = entry.section, entry.indicator, entry.breakdown
        part = own[
            (own["indicator_id"] == indicator_id) & (own["_published_breakdown"] == breakdown)
        ]
        if part.empty or indicator_id not in pub.register:
            continue
        latest = part[part["time_period"] == pk.latest(part["time_period"])]
        for record in as_records(latest.sort_values("_order", kind="stable")):
            entries.append((domain or record["_published_group"], record))
    if not entries:
        none = pub.framework.said("glance_none", area=area_name)
        return Glance(paragraphs=[none] if none else [], table=None)
    sections = (*pub.framework.sections, pub.framework.who.section)
    order = {domain: rank for rank, domain in enumerate(sections)}
    entries.sort(key=lambda entry: order.get(entry[0], len(order)))
    columns = [
        Column("Domain and measure", width=30),
        Column(
            "Period" if pk.parts_of_years(r["time_period"] for _, r in entries) else "Year",
            # a part period's label ('Financial year 2024/25 (11 of 12 months)') needs room
            # not to wrap onto five lines
            width=16 if any(part_note(r, True) for _, r in entries) else 9,
        ),
        Column("Value", numeric=True, width=11),
        Column("95% interval", ("95% interval from", "95% interval to"), numeric=True, width=15),
    ]
    if not is_la:
        columns.append(Column(f"Compared with {pub.la_label}", width=14))
    columns += [Column("Compared with England", width=14), Column("Spine chart", width=18)]
    table_rows = []
    for domain, record in entries:
        meta = meta_of(pub, record["indicator_id"])
        unit = meta.get("unit", "")
        title = meta.get("title") or record["indicator_id"]
        measure = (
            f"{domain}: {title}"
            if record["_published_breakdown"] == ALL
            else f"{domain}: {lower_first(title)}"
        )
        claims_shown = [] if is_la else [build.claim(comparison_claim(pub, record, cl.LA))]
        claims_shown.append(build.claim(comparison_claim(pub, record, cl.ENGLAND)))
        borough = pub.borough_value(record, area_code)
        england = pub.england_value(record)
        bounds = bar_bounds([record], unit, [borough, england])
        bar = bar_markup(
            record, unit, bounds, measure, borough=borough, england=england, la_word=pub.run.la_word
        )
        value = value_cell(record, unit)
        value = Cell(
            text=(
                cl.with_unit(record["value"], unit)
                + (" (u)" if record["reliability"] == "low" else "")
                if number_or_none(record["_value"]) is not None
                else value.text
            ),
            values=value.values,
            formats=value.formats,
            css=value.css,
            code=value.code,
        )
        cells = [Cell(text=period_words(record, short=True)), value, interval_cell(record, unit)]
        for claim in claims_shown:
            cell = claim_cell(claim)
            cells.append(
                Cell(
                    text=f"{cl.mark(claim)} {cell.text}",
                    css=cell.css,
                    code=cell.code,
                    claim=cell.claim,
                )
            )
        cells.append(
            Cell(
                text=f"{bounds[0]:g} to {bounds[1]:g}{unit_suffix(unit)} scale",
                css="spine",
                graphic=bar,
            )
        )
        table_rows.append(
            Row(
                header=measure,
                cells=cells,
                attrs={
                    "indicator": record["indicator_id"],
                    "breakdown": record["_published_breakdown"],
                    "group": record["_published_group"],
                    "period": record["time_period"],
                    "area": record["area_code"],
                    "glance": "yes",
                },
            )
        )
    note = pub.framework.said("glance_note", la_mark="" if is_la else f", ◆ {pub.la_label}")
    paragraphs = [
        f"The headline figure of every domain for {area_name}, each in its latest year, with "
        "its 95% interval and how it compares. The sections that follow give the detail."
    ]
    return Glance(
        paragraphs=paragraphs,
        table=Table(
            caption=f"{area_name} at a glance",
            columns=columns,
            rows=table_rows,
            notes=[note] if note else [],
            kind="glance",
        ),
    )


def build_pack(pub: Publication, area_code: str) -> Pack:
    """The whole pack for one area (a neighbourhood, or the LA when `area_code` is the LA's)."""
    rows = pub.area_rows(area_code)
    if rows.empty:
        raise ValueError(f"no published rows for area {area_code}")
    is_la = area_code == pub.la_code
    area_name = pub.la_name if is_la else rows["area_name"].iloc[0]
    level = pub.la_level if is_la else pub.area_level
    build = Build(area_code)
    glance = _glance(pub, build, area_code, area_name, rows)
    headline = _headline(pub, build, area_code, area_name, rows)
    extra = framework_blocks(pub, build, area_code, area_name)  # beside, side by side
    domains = list(dict.fromkeys([*rows["_domain"], *extra]))
    declared = pub.framework.sections
    who = pub.framework.who.section
    ordered = [d for d in declared if d in domains]
    ordered += sorted(d for d in domains if d not in declared and d != who)
    sections = []
    for domain in ordered:
        part = rows[rows["_domain"] == domain]
        section = Section(id=slugify(domain), heading=domain, sheet=domain[:31])
        section.blocks = extra.get(domain, []) + (
            domain_blocks(pub, build, area_code, area_name, part) if len(part) else []
        )
        sections.append(section)
    add_inequality_blocks(
        sections, pub.inequality, area_code, pub.framework.indicators, pub.register
    )
    if pub.framework.who.indicators:  # a framework without "who we heard from" has none
        sections.append(who_section(pub, build, area_code, area_name, rows))
    limits = limits_section(pub, area_name, rows, area_code)
    present = sorted(rows["indicator_id"].unique(), key=lambda i: block_order(pub, i, ALL)[0:3])
    units = {unit for i in present for unit in count_units(pub.register[i])}
    title = pub.framework.pack_title(area_name, pub.run.la_word, is_la)
    information = (
        information_section(
            pub.information,
            pub.framework.id,
            pub.framework.indicators,
            {i: row["title"] for i, row in pub.register.items()},
        )
        if is_la and pub.information is not None
        else None
    )
    return Pack(
        slug=slugify(area_name),
        title=title,
        area_name=area_name,
        area_code=area_code,
        level=level,
        la_name=pub.la_name,
        run=pub.run,
        headline=headline,
        how_to_read=how_to_read_notes(pub, units),
        sections=sections,
        limits=limits,
        definitions=definition_list(pub, present),
        glance=glance,
        claims=list(build.log),
        subject=pub.framework.subject,
        key=pub.key,
        information=information,
        authority_level=pub.la_level,
    )
