"""register/information_map.html: the information map as a page, in plain English. An SVG
network (sources -> indicators -> theory-of-change outcomes, each indicator marked with the
packs that show it) labelled for assistive technology, and tables carrying the same facts
for anyone who cannot or would rather not read the picture. The facts come from
indicators/publish/information_map.py; this module only lays them out."""

from __future__ import annotations

from html import escape

from indicators.publish.information_map import InformationMap

ROW = 20
TOP = 46
COLUMNS = {"source": (8, 300), "indicator": (400, 300), "outcome": (800, 390)}
WIDTH = 1200
LEVEL_WORDS = {
    "vision": "Big vision",
    "long_term": "Long-term outcome",
    "intermediate": "Intermediate outcome",
    "activity": "Activity",
}

_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; max-width: 75rem;
       margin: 0 auto; padding: 1rem; line-height: 1.5; }
h1 { font-size: 2rem; } h2 { font-size: 1.5rem; border-top: 2px solid #0b0c0c;
     padding-top: 1rem; margin-top: 2rem; }
.headline { font-size: 1.25rem; font-weight: bold; border-left: 6px solid #1d70b8;
            padding: 0.5rem 1rem; background: #f3f2f1; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: 0.9rem; }
caption { text-align: left; font-weight: bold; font-size: 1.1rem; padding: 0.5rem 0; }
th, td { border-bottom: 1px solid #b1b4b6; text-align: left; vertical-align: top;
         padding: 0.3rem 0.5rem; }
th { background: #f3f2f1; }
figure { margin: 1rem 0; overflow-x: auto; }
svg text { font-family: Arial, Helvetica, sans-serif; }
a { color: #1d70b8; } .none { color: #505a5f; }
"""


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _order(items: list[str], anchors: dict[str, list[float]]) -> list[str]:
    """Items sorted by the mean position of what they link to (fewer crossing lines);
    items linking to nothing last, in their own order."""

    def key(item: str) -> tuple[int, float, int]:
        places = anchors.get(item, [])
        return (
            (0, sum(places) / len(places), items.index(item))
            if places
            else (1, 0.0, items.index(item))
        )

    return sorted(items, key=key)


def _pack_codes(information: InformationMap) -> dict[str, str]:
    """Each framework's badge: the initials of its id (school_readiness: SR), a letter more
    while two clash."""
    codes: dict[str, str] = {}
    for framework_id in information.frameworks["framework_id"]:
        parts = [part for part in str(framework_id).split("_") if part]
        code = "".join(part[0] for part in parts).upper()
        extra = iter(str(framework_id).replace("_", "")[1:].upper())
        while code in codes.values():
            code += next(extra, "X")
        codes[framework_id] = code
    return codes


def render_svg(information: InformationMap) -> str:
    """The network: a column of sources, of indicators and of outcomes, with lines between."""
    sources = information.sources
    source_ids = list(sources.sort_values("reaches_board", ascending=False, kind="stable")["id"])
    source_place = {item: place for place, item in enumerate(source_ids)}
    indicator_rows = information.indicators.set_index("indicator_id")
    reached_from: dict[str, list[float]] = {}
    for source_id, ids in zip(sources["id"], sources["indicators"], strict=True):
        for indicator_id in ids:
            reached_from.setdefault(indicator_id, []).append(source_place[source_id])
    indicator_ids = _order(list(indicator_rows.index), reached_from)
    indicator_place = {item: place for place, item in enumerate(indicator_ids)}
    theory = information.theory[information.theory["level"] != "vision"].set_index("id")
    measured_at: dict[str, list[float]] = {}
    for indicator_id, outcome_id in indicator_rows["outcome_id"].items():
        if outcome_id:
            measured_at.setdefault(outcome_id, []).append(indicator_place[indicator_id])
    outcome_ids = _order(list(theory.index), measured_at)
    rows = max(len(source_ids), len(indicator_ids), len(outcome_ids), 1)
    height = TOP + rows * ROW + 10
    codes = _pack_codes(information)

    def y(place: int, count: int) -> float:  # spread each column over the full height
        return TOP + (place + 0.5) * rows * ROW / max(count, 1)

    sy = {i: y(p, len(source_ids)) for i, p in source_place.items()}
    iy = {i: y(p, len(indicator_ids)) for i, p in indicator_place.items()}
    oy = {i: y(p, len(outcome_ids)) for p, i in enumerate(outcome_ids)}
    (sx, sw), (ix, iw), (ox, ow) = COLUMNS["source"], COLUMNS["indicator"], COLUMNS["outcome"]
    lines = []
    for source_id, ids in zip(sources["id"], sources["indicators"], strict=True):
        for indicator_id in ids:
            lines.append(_curve(sx + sw, sy[source_id], ix, iy[indicator_id], "#1d70b8"))
    for indicator_id, outcome_id in indicator_rows["outcome_id"].items():
        if outcome_id in oy:
            lines.append(_curve(ix + iw, iy[indicator_id], ox, oy[outcome_id], "#00703c"))
    nodes = []
    voice_of = dict(zip(sources["id"], sources["voice"], strict=True))
    for source_id in source_ids:
        row = sources[sources["id"] == source_id].iloc[0]
        reaches = bool(row["reaches_board"])
        voice = voice_of[source_id] not in ("", "none")
        label = _short(str(row["name"]), 48) + (" ●" if voice else "")
        detail = (
            f"{row['name']}: {row['owner_or_service']}; "
            + ("reaches a board" if reaches else "never reaches a board")
            + (f"; carries the voice of {row['voice'].replace(';', ' and ')}" if voice else "")
        )
        nodes.append(_node(sx, sy[source_id], sw, label, detail, solid=reaches))
    for indicator_id in indicator_ids:
        row = indicator_rows.loc[indicator_id]
        badges = " ".join(codes[f] for f in row["frameworks"])
        label = _short(str(row["title"]), 46 - len(badges)) + (f"  [{badges}]" if badges else "")
        detail = f"{row['title']} ({indicator_id})" + (
            "; shown in " + ", ".join(row["frameworks"]) if badges else "; in no pack"
        )
        nodes.append(_node(ix, iy[indicator_id], iw, label, detail, solid=bool(badges)))
    for outcome_id in outcome_ids:
        row = theory.loc[outcome_id]
        count = len(row["indicators"])
        label = _short(str(row["text"]), 60) + ("" if count else " (no indicator)")
        detail = f"{LEVEL_WORDS[row['level']]}: {row['text']}; measured by {count} indicators"
        nodes.append(_node(ox, oy[outcome_id], ow, label, detail, solid=bool(count)))
    headings = "".join(
        f'<text x="{x}" y="22" font-size="15" font-weight="bold">{escape(text)}</text>'
        for x, text in (
            (sx, "Information sources"),
            (ix, "Indicators [packs showing them]"),
            (ox, "Theory-of-change outcomes"),
        )
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="map-title map-desc" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" style="max-width: {WIDTH}px; height: auto">'
        f'<title id="map-title">Information map: {escape(information.headline())}</title>'
        f'<desc id="map-desc">{escape(_description(information))}</desc>'
        f'{headings}<g aria-hidden="true">{"".join(lines)}</g>{"".join(nodes)}</svg>'
    )


def _curve(x1: float, y1: float, x2: float, y2: float, colour: str) -> str:
    middle = (x1 + x2) / 2
    return (
        f'<path d="M{x1:.0f},{y1:.1f} C{middle:.0f},{y1:.1f} {middle:.0f},{y2:.1f} '
        f'{x2:.0f},{y2:.1f}" fill="none" stroke="{colour}" stroke-opacity="0.45" '
        'stroke-width="1.2"/>'
    )


def _node(x: float, y: float, width: float, label: str, detail: str, *, solid: bool) -> str:
    """A labelled box: solid and dark when it reaches on, dashed and grey when it does not."""
    stroke = "#0b0c0c" if solid else "#6f777b"
    dash = "" if solid else ' stroke-dasharray="4 3"'
    fill = "#ffffff" if solid else "#f3f2f1"
    colour = "#0b0c0c" if solid else "#505a5f"
    return (
        f"<g><title>{escape(detail)}</title>"
        f'<rect x="{x}" y="{y - 8:.1f}" width="{width}" height="16" rx="3" fill="{fill}" '
        f'stroke="{stroke}"{dash}/>'
        f'<text x="{x + 5}" y="{y + 4:.1f}" font-size="11.5" fill="{colour}">'
        f"{escape(label)}</text></g>"
    )


def _description(information: InformationMap) -> str:
    return (
        f"{information.headline()} Lines join each information source to the indicators "
        "built from it, and each indicator to the theory-of-change outcome it measures. "
        "Dashed grey boxes never reach a board, are in no pack, or have no indicator. "
        "The tables below the map carry the same facts."
    )


def _list(values, empty: str = "none") -> str:
    values = [escape(str(value)) for value in values]
    return "; ".join(values) if values else f'<span class="none">{empty}</span>'


def _table(caption: str, header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f'<th scope="col">{escape(cell)}</th>' for cell in header)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{row[0]}</th>'
        + "".join(f"<td>{c}</td>" for c in row[1:])
        + "</tr>"
        for row in rows
    )
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def render_information_map_html(information: InformationMap, generated: str) -> str:
    """The whole page."""
    titles = dict(
        zip(information.indicators["indicator_id"], information.indicators["title"], strict=True)
    )
    packs = dict(
        zip(
            information.frameworks["framework_id"],
            information.frameworks["framework_title"],
            strict=True,
        )
    )
    theory_text = dict(zip(information.theory["id"], information.theory["text"], strict=True))
    codes = _pack_codes(information)
    sources = _table(
        "Every information source, and where it goes",
        [
            "Information source",
            "Held by",
            "Kind",
            "Basis",
            "Whose voice",
            "Chorus source",
            "Indicators built from it",
            "Packs it reaches",
        ],
        [
            [
                escape(row["name"]),
                escape(row["owner_or_service"]),
                escape(row["level"]),
                escape(row["basis"]),
                escape(row["voice"].replace(";", " and ")),
                escape(row["ingested_by_chorus"]) or '<span class="none">not ingested</span>',
                _list([titles[i] for i in row["indicators"]]),
                _list([packs.get(f, f) for f in row["frameworks"]], "never reaches a board"),
            ]
            for row in information.sources.to_dict("records")
        ],
    )
    indicators = _table(
        "Every indicator: its sources, its packs and the outcome it measures",
        ["Indicator", "Built from (Chorus sources)", "Shown in packs", "Outcome it measures"],
        [
            [
                f"{escape(row['title'])} <code>{escape(row['indicator_id'])}</code>",
                _list(row["kinds"]),
                _list([f"{packs.get(f, f)} [{codes[f]}]" for f in row["frameworks"]], "no pack"),
                escape(theory_text[row["outcome_id"]])
                if row["outcome_id"]
                else f'<span class="none">none in the theory of change'
                f"{': ' + escape(row['outcome']) if row['outcome'] else ''}</span>",
            ]
            for row in information.indicators.to_dict("records")
        ],
    )
    theory = _table(
        "The theory of change, and the indicators measuring each step",
        ["Step", "Level", "Serves", "Indicators measuring it"],
        [
            [
                escape(row["text"]),
                LEVEL_WORDS[row["level"]],
                escape(theory_text.get(row["parent_id"], "")) or "—",
                _list(
                    [titles[i] for i in row["indicators"]],
                    "no indicator measures this" if row["level"] != "vision" else "—",
                ),
            ]
            for row in information.theory.to_dict("records")
        ],
    )
    gaps = [
        (
            "Outcomes no indicator measures",
            [theory_text[i] for i in information.unmeasured_outcomes["id"]],
        ),
        (
            "Indicators that serve no outcome in the theory of change",
            [titles[i] for i in information.indicators_without_outcome["indicator_id"]],
        ),
        (
            "Sources that never reach a board but carry someone's voice",
            list(information.never_reaching_with_voice["name"]),
        ),
        (
            "Indicators shown in no pack",
            [titles[i] for i in information.indicators_in_no_pack["indicator_id"]],
        ),
        ("Chorus sources the inventory does not list", list(information.kinds_not_in_inventory)),
    ]
    gap_html = "".join(
        f"<h3>{escape(heading)} ({len(items)})</h3>"
        + (
            "<ul>" + "".join(f"<li>{escape(str(item))}</li>" for item in items) + "</ul>"
            if items
            else "<p>None.</p>"
        )
        for heading, items in gaps
    )
    legend = "; ".join(f"[{code}] {escape(packs[f])}" for f, code in codes.items())
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Chorus information map</title><style>{_STYLE}</style></head><body><main>"
        "<h1>Information map</h1>"
        "<p>Where the information the council holds about children and families goes: which "
        "sources Chorus builds indicators from, which indicators the boards see in their "
        "packs, and which outcomes of the theory of change they measure. It is drawn from "
        "the council's information inventory, the source specifications, the lineage of "
        f"the indicator models, the frameworks and the theory of change. Generated {generated}."
        "</p>"
        f'<p class="headline">{escape(information.headline())}</p>'
        '<p><a href="#tables">Skip the map and read the same facts as tables</a>. '
        '<a href="index.html">The indicator register</a>. '
        '<a href="families.html">For families: how your information is used</a>.</p>'
        f"<h2>The map</h2><figure>{render_svg(information)}<figcaption>"
        f"{escape(_description(information))} A ● marks a source carrying someone's voice. "
        f"Packs: {legend}.</figcaption></figure>"
        f'<h2 id="tables">Gaps</h2>{gap_html}'
        f"<h2>Sources</h2>{sources}<h2>Indicators</h2>{indicators}"
        f"<h2>Theory of change</h2>{theory}"
        "</main></body></html>"
    )
