"""The information map: which information sources reach which indicators, which indicators
reach which packs (frameworks) and which theory-of-change outcomes, and what never does.

Pure: frames in, frames out. Drawn from declarations only: the LA's inventory
(seeds/information_inventory.csv), the source specs (each kind's raw tables), dbt's lineage
(marts.dim_indicator_sources: each indicator and every raw table upstream of it), the
register (each indicator's `outcome`), the frameworks (the indicators each pack shows) and
the theory of change (seeds/theory_of_change.csv). A source *reaches a board* when Chorus
ingests it and at least one indicator built from it is shown in a framework's pack.

Published by the publish step beside the register (indicators/publish/indicator_tables.py):
register/information_map.html (indicators/publish/information_map_page.py),
register/information_map.csv (the counts and gaps) and register/information_map_links.csv
(every link of the map).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from indicators.publish.information_inputs import (
    INVENTORY_COLUMNS,
    OUTCOME_LEVELS,
    THEORY_COLUMNS,
    voices,
)

LINK_COLUMNS = ["from_type", "from_id", "from_name", "to_type", "to_id", "to_name"]
SUMMARY_COLUMNS = ["fact", "count", "items"]


@dataclass(frozen=True)
class InformationMap:
    sources: pd.DataFrame
    """The inventory, one row a source, with `indicators`, `frameworks` and `outcomes` (tuples
    of ids) and `reaches_board` (bool)."""
    indicators: pd.DataFrame
    """indicator_id, title, outcome, outcome_id ('' when not in the theory of change),
    `kinds` and `frameworks` (tuples)."""
    theory: pd.DataFrame
    """The theory of change with `indicators` (tuple of ids measuring each row)."""
    frameworks: pd.DataFrame
    """framework_id, framework_title."""
    links: pd.DataFrame
    """LINK_COLUMNS: source -> indicator, indicator -> framework, indicator -> outcome."""
    kinds_not_in_inventory: tuple[str, ...]
    """Source kinds Chorus has a spec for that no inventory row names."""

    @property
    def collected(self) -> int:
        return len(self.sources)

    @property
    def reaching(self) -> pd.DataFrame:
        return self.sources[self.sources["reaches_board"]]

    @property
    def never_reaching(self) -> pd.DataFrame:
        return self.sources[~self.sources["reaches_board"]]

    @property
    def never_reaching_with_voice(self) -> pd.DataFrame:
        never = self.never_reaching
        return never[never["voice"].map(lambda text: bool(voices(text)))]

    @property
    def unmeasured_outcomes(self) -> pd.DataFrame:
        theory = self.theory
        outcomes = theory[theory["level"].isin(OUTCOME_LEVELS)]
        return outcomes[outcomes["indicators"].map(len) == 0]

    @property
    def indicators_without_outcome(self) -> pd.DataFrame:
        return self.indicators[self.indicators["outcome_id"] == ""]

    @property
    def indicators_in_no_pack(self) -> pd.DataFrame:
        return self.indicators[self.indicators["frameworks"].map(len) == 0]

    def headline(self) -> str:
        """'N sources collected, M reach a board, K never do, of which J carry voice.'"""
        never, voiced = len(self.never_reaching), len(self.never_reaching_with_voice)
        return (
            f"{self.collected} information {_plural(self.collected, 'source')} collected, "
            f"{len(self.reaching)} {_verb(len(self.reaching), 'reach', 'reaches')} a board, "
            f"{never} never {_verb(never, 'do', 'does')}, of which "
            f"{voiced} {_verb(voiced, 'carry', 'carries')} the voice of a child, parent or "
            "practitioner."
        )


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def _verb(count: int, many: str, one: str) -> str:
    return one if count == 1 else many


def _ids(values) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


def build_map(
    inventory: pd.DataFrame,
    theory: pd.DataFrame,
    kind_tables: Mapping[str, Sequence[str]],
    lineage: pd.DataFrame,
    register: pd.DataFrame,
    frameworks: pd.DataFrame,
) -> InformationMap:
    """The map from its declarations: `inventory` and `theory` (the checked seeds),
    `kind_tables` (each source kind's raw tables, from its spec), `lineage` (indicator_id,
    source_table), `register` (indicator_id, title, outcome), `frameworks` (framework_id,
    framework_title, indicator_id: register/frameworks.csv)."""
    table_kind = {table: kind for kind, tables in kind_tables.items() for table in tables}
    lineage = lineage[lineage["source_table"].isin(table_kind)]
    kinds_of: dict[str, set[str]] = {}
    indicators_of_kind: dict[str, set[str]] = {}
    for indicator_id, table in zip(lineage["indicator_id"], lineage["source_table"], strict=True):
        kinds_of.setdefault(indicator_id, set()).add(table_kind[table])
        indicators_of_kind.setdefault(table_kind[table], set()).add(indicator_id)
    packs_of: dict[str, set[str]] = {}
    for framework_id, indicator_id in zip(
        frameworks["framework_id"], frameworks["indicator_id"], strict=True
    ):
        packs_of.setdefault(indicator_id, set()).add(framework_id)
    outcome_id = {
        text: row_id
        for row_id, text, level in zip(theory["id"], theory["text"], theory["level"], strict=True)
        if level != "vision"
    }

    indicators = register[["indicator_id", "title", "outcome"]].copy()
    indicators["outcome"] = indicators["outcome"].fillna("").astype(str).str.strip()
    indicators["outcome_id"] = indicators["outcome"].map(lambda text: outcome_id.get(text, ""))
    indicators["kinds"] = indicators["indicator_id"].map(lambda i: _ids(kinds_of.get(i, ())))
    indicators["frameworks"] = indicators["indicator_id"].map(lambda i: _ids(packs_of.get(i, ())))
    indicators = indicators.sort_values("indicator_id", ignore_index=True)
    outcome_of = dict(zip(indicators["indicator_id"], indicators["outcome_id"], strict=True))
    known = set(indicators["indicator_id"])

    sources = inventory.copy()
    reached = [
        _ids(indicators_of_kind.get(kind, set()) & known) if kind else ()
        for kind in sources["ingested_by_chorus"]
    ]
    sources["indicators"] = reached
    sources["frameworks"] = [_ids(p for i in ids for p in packs_of.get(i, ())) for ids in reached]
    sources["outcomes"] = [_ids(outcome_of[i] for i in ids if outcome_of[i]) for ids in reached]
    sources["reaches_board"] = sources["frameworks"].map(bool)

    theory = theory.copy()
    measured: dict[str, set[str]] = {}
    for indicator_id, row_id in outcome_of.items():
        if row_id:
            measured.setdefault(row_id, set()).add(indicator_id)
    theory["indicators"] = theory["id"].map(lambda row_id: _ids(measured.get(row_id, ())))

    packs = (
        frameworks[["framework_id", "framework_title"]]
        .drop_duplicates("framework_id")
        .reset_index(drop=True)
    )
    named = set(sources["ingested_by_chorus"]) - {""}
    return InformationMap(
        sources=sources,
        indicators=indicators,
        theory=theory,
        frameworks=packs,
        links=_links(sources, indicators, packs, theory),
        kinds_not_in_inventory=tuple(sorted(set(kind_tables) - named)),
    )


def _links(
    sources: pd.DataFrame, indicators: pd.DataFrame, packs: pd.DataFrame, theory: pd.DataFrame
) -> pd.DataFrame:
    title = dict(zip(indicators["indicator_id"], indicators["title"], strict=True))
    pack_title = dict(zip(packs["framework_id"], packs["framework_title"], strict=True))
    text = dict(zip(theory["id"], theory["text"], strict=True))
    rows = [
        ("source", row["id"], row["name"], "indicator", indicator_id, title[indicator_id])
        for row in sources.to_dict("records")
        for indicator_id in row["indicators"]
    ]
    for row in indicators.to_dict("records"):
        rows += [
            ("indicator", row["indicator_id"], row["title"], "framework", f, pack_title.get(f, f))
            for f in row["frameworks"]
        ]
        if row["outcome_id"]:
            rows.append(
                (
                    "indicator",
                    row["indicator_id"],
                    row["title"],
                    "outcome",
                    row["outcome_id"],
                    text[row["outcome_id"]],
                )
            )
    return pd.DataFrame(rows, columns=LINK_COLUMNS)


def summary_table(information: InformationMap) -> pd.DataFrame:
    """register/information_map.csv: the headline counts and the gaps, one fact a row, with
    the ids it counts (';'-separated)."""

    def row(fact: str, ids: Sequence[str]) -> dict[str, object]:
        return {"fact": fact, "count": len(ids), "items": ";".join(ids)}

    sources = information.sources
    ingested = sources[sources["ingested_by_chorus"] != ""]
    facts = [
        row("information sources collected", list(sources["id"])),
        row("sources Chorus ingests", list(ingested["id"])),
        row("sources reaching a board", list(information.reaching["id"])),
        row("sources never reaching a board", list(information.never_reaching["id"])),
        row(
            "sources never reaching a board that carry voice",
            list(information.never_reaching_with_voice["id"]),
        ),
        row(
            "outcomes no indicator measures",
            list(information.unmeasured_outcomes["id"]),
        ),
        row(
            "indicators serving no outcome in the theory of change",
            list(information.indicators_without_outcome["indicator_id"]),
        ),
        row(
            "indicators shown in no pack",
            list(information.indicators_in_no_pack["indicator_id"]),
        ),
        row(
            "source kinds Chorus ingests that the inventory does not list",
            list(information.kinds_not_in_inventory),
        ),
    ]
    return pd.DataFrame(facts, columns=SUMMARY_COLUMNS)


SOURCE_COLUMNS = [*INVENTORY_COLUMNS, "reaches_board", "indicators", "frameworks", "outcomes"]
PUBLISHED_THEORY_COLUMNS = [*THEORY_COLUMNS, "measured", "indicators"]


def sources_table(information: InformationMap) -> pd.DataFrame:
    """register/information_sources.csv: the inventory as the map reads it, one source a row,
    with whether it reaches a board and the indicators, packs (frameworks) and outcomes it
    reaches (';'-separated ids). The board packs' information chapter is drawn from it."""
    table = information.sources.copy()
    for column in ("indicators", "frameworks", "outcomes"):
        table[column] = table[column].map(";".join)
    table["reaches_board"] = table["reaches_board"].map({True: "yes", False: "no"})
    return table[SOURCE_COLUMNS]


def theory_table(information: InformationMap) -> pd.DataFrame:
    """register/theory_of_change.csv: the theory of change with the indicators measuring each
    row (';'-separated) and whether any does ("yes"/"no"; a vision is never measured)."""
    table = information.theory.copy()
    table["measured"] = table["indicators"].map(lambda ids: "yes" if ids else "no")
    table["indicators"] = table["indicators"].map(";".join)
    return table[PUBLISHED_THEORY_COLUMNS]
