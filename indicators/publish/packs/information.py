"""The authority pack's chapter on where its information comes from and where it goes: the
information map (indicators/publish/information_map.py) seen from one pack.

Drawn only from what the publish step has already written beside the register:
register/information_sources.csv (the LA's inventory, each source with the indicators,
packs and outcomes it reaches) and register/theory_of_change.csv (each row with the
indicators measuring it). Which sources belong to the chapter follows from the data: the
sources that reach this pack's framework, and every other source of their topics.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.publish.information_inputs import OUTCOME_LEVELS
from indicators.publish.packs.model import Block, Cell, Column, Item, Row, Section, Table

SOURCES_FILE = "information_sources.csv"
THEORY_FILE = "theory_of_change.csv"
_WHOSE_WORDS = {
    "child": "children",
    "parent": "parents and carers",
    "practitioner": "practitioners",
}


@dataclass(frozen=True)
class InformationSources:
    """The published inventory and theory of change (text columns, ';'-separated ids)."""

    sources: pd.DataFrame
    theory: pd.DataFrame

    @classmethod
    def read(cls, register_folder: Path) -> InformationSources | None:
        """From a publication's register/ folder; None when either file is absent."""
        paths = [register_folder / SOURCES_FILE, register_folder / THEORY_FILE]
        if not all(path.is_file() for path in paths):
            return None
        sources, theory = (pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths)
        return cls(sources=sources, theory=theory)


def _ids(text: str) -> list[str]:
    return [part for part in str(text).split(";") if part]


def whose_words(text: str) -> str:
    """'parent;child' -> 'parents and carers, children'; 'none' -> 'none recorded'."""
    words = [_WHOSE_WORDS.get(v, v) for v in _ids(text) if v != "none"]
    return ", ".join(words) if words else "none recorded"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _sources_table(caption: str, rows: pd.DataFrame, counts: dict[str, int] | None) -> Table:
    columns = [
        Column("Information", width=34),
        Column("Held by", width=20),
        Column("Whose voice it carries", width=18),
    ]
    columns.append(
        Column("Figures in this pack", numeric=True, width=10)
        if counts is not None
        else Column("Kind", width=16)
    )
    table_rows = []
    for record in rows.to_dict("records"):
        last = (
            Cell(
                str(counts[record["id"]]),
                values=(float(counts[record["id"]]),),
                formats=("0",),
                css="num",
            )
            if counts is not None
            else Cell(f"{record['basis']}, {record['level']}")
        )
        table_rows.append(
            Row(
                header=record["name"],
                cells=[
                    Cell(record["owner_or_service"]),
                    Cell(whose_words(record["voice"])),
                    last,
                ],
                attrs={"source": record["id"]},
            )
        )
    return Table(caption=caption, columns=columns, rows=table_rows, kind="information")


def _roots(theory: pd.DataFrame) -> dict[str, str]:
    """Each theory-of-change row's vision (the top of its tree)."""
    parent = dict(zip(theory["id"], theory["parent_id"], strict=True))
    roots = {}
    for row_id in parent:
        seen, node = set(), row_id
        while parent.get(node) and node not in seen:
            seen.add(node)
            node = parent[node]
        roots[row_id] = node
    return roots


def information_section(
    information: InformationSources,
    framework_id: str,
    framework_indicators: tuple[str, ...],
    titles: dict[str, str],
) -> Section | None:
    """The chapter for one framework's authority pack; None when no inventoried source
    reaches the framework (nothing to map)."""
    sources = information.sources
    shown = set(framework_indicators)
    reaching = sources[sources["frameworks"].map(lambda ids: framework_id in _ids(ids))]
    if reaching.empty:
        return None
    topics = sorted(set(reaching["topic"]))
    held = sources[sources["topic"].isin(topics)]
    never = held[held["reaches_board"] != "yes"]
    voiced = never[never["voice"].map(lambda text: whose_words(text) != "none recorded")]
    counts = {
        record["id"]: len(set(_ids(record["indicators"])) & shown)
        for record in reaching.to_dict("records")
    }
    topic_words = " and ".join(topics)
    section = Section(
        id="where-our-information-comes-from",
        heading="Where this pack's information comes from",
        sheet="Information map",
    )
    section.paragraphs.append(
        f"The council's information inventory lists {_plural(len(held), 'kind', 'kinds')} "
        f"of information held about {topic_words}. The figures in this pack are built from "
        f"{len(reaching)} of them. {len(never)} never {'reaches' if len(never) == 1 else 'reach'} "
        f"a board, and {len(voiced)} of those {'carries' if len(voiced) == 1 else 'carry'} "
        "the voices of children, parents and carers or practitioners."
    )
    section.paragraphs.append(
        "This chapter is drawn from the inventory the council keeps and from how each figure "
        "is built. The full map of every source, figure, pack and outcome is published with "
        "the indicator register (register/information_map.html)."
    )
    behind = Block(id="information-behind-this-pack", heading="Information behind this pack")
    behind.tables.append(
        _sources_table("Information behind the figures in this pack", reaching, counts)
    )
    section.blocks.append(behind)
    if len(never):
        ordered = pd.concat([voiced, never.drop(voiced.index)])
        unused = Block(
            id="information-that-never-reaches-a-board",
            heading="Information that never reaches a board",
        )
        unused.paragraphs.append(
            "This information is collected but no board sees it in figures. Those that carry "
            "someone's voice are listed first."
        )
        unused.tables.append(
            _sources_table(
                f"Information about {topic_words} that never reaches a board", ordered, None
            )
        )
        section.blocks.append(unused)
    outcomes = _outcome_items(information.theory, shown, titles)
    if outcomes:
        block = Block(id="outcomes-this-pack-measures", heading="What the figures measure")
        block.paragraphs.append(
            "Each figure in this pack measures an outcome of the theory of change. Outcomes "
            "that no figure measures yet are listed too."
        )
        block.items = outcomes
        section.blocks.append(block)
    return section


def _outcome_items(theory: pd.DataFrame, shown: set[str], titles: dict[str, str]) -> list[Item]:
    measuring = {
        record["id"]: [i for i in _ids(record["indicators"]) if i in shown]
        for record in theory.to_dict("records")
    }
    roots = _roots(theory)
    trees = {roots[row_id] for row_id, ids in measuring.items() if ids}
    items = []
    for record in theory.to_dict("records"):
        row_id = record["id"]
        if roots[row_id] not in trees or record["level"] == "vision":
            continue
        ids = measuring[row_id]
        if ids:
            names = "; ".join(titles.get(i, i) for i in ids)
            items.append(
                Item(
                    text=f"{record['text']}: measured by {names}.",
                    attrs={"outcome": row_id, "measured": "yes"},
                )
            )
        elif record["level"] in OUTCOME_LEVELS and not _ids(record["indicators"]):
            items.append(
                Item(
                    text=f"{record['text']}: no figure measures this yet.",
                    attrs={"outcome": row_id, "measured": "no"},
                )
            )
    return items
