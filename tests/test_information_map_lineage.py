"""The published information map's lineage agrees with dbt's manifest (issue 17, item 7).
Reads the session's one pipeline run (tests/conftest.py, pipeline_run); the expectation is
walked here from the manifest JSON, the specs' YAML and the inventory CSV, not by the code
under test."""

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _upstream_sources(manifest: dict, unique_id: str) -> set[str]:
    """The names of every dbt source upstream of a node, however many models lie between."""
    found, seen, queue = set(), {unique_id}, [unique_id]
    while queue:
        node_id = queue.pop()
        if node_id in manifest["sources"]:
            found.add(manifest["sources"][node_id]["name"])
            continue
        for parent in manifest["nodes"].get(node_id, {}).get("depends_on", {}).get("nodes", []):
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return found


def _kind_of_table() -> dict[str, str]:
    """Each raw table's source kind, read from the specs' YAML (not the code under test)."""
    kind_of_table = {}
    for base in sorted((ROOT / "sources").glob("*/base.yml")):
        spec = yaml.safe_load(base.read_text())
        raw = spec["raw_table"]
        tables = [raw["name"] if isinstance(raw, dict) else raw]
        tables += [t["name"] if isinstance(t, dict) else t for t in spec.get("also_tables") or []]
        kind_of_table.update({table: base.parent.name for table in tables})
    return kind_of_table


def test_sources_reach_the_indicators_the_manifest_says(pipeline_run):
    manifest = json.loads((ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    kind_of_table = _kind_of_table()
    inventory = pd.read_csv(ROOT / "seeds" / "information_inventory.csv", dtype=str).fillna("")
    ingested = inventory[inventory["ingested_by_chorus"] != ""]
    ids_of_kind = ingested.groupby("ingested_by_chorus")["id"].apply(set).to_dict()
    expected = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["fqn"][1] != "indicators":
            continue
        indicator_id = node["config"]["meta"]["indicator"]["indicator_id"]
        for table in _upstream_sources(manifest, node["unique_id"]):
            for source_id in ids_of_kind.get(kind_of_table.get(table), ()):
                expected.add((source_id, indicator_id))
    assert len(expected) > 50  # every kind's indicators, not an empty walk

    links = pd.read_csv(
        pipeline_run.settings.output / "register" / "information_map_links.csv", dtype=str
    )
    published = links[links["from_type"] == "source"]
    assert set(zip(published["from_id"], published["to_id"], strict=True)) == expected

    facts = pd.read_csv(
        pipeline_run.settings.output / "register" / "information_map.csv", dtype=str
    ).set_index("fact")
    assert facts.loc["information sources collected", "count"] == str(len(inventory))
    html = (pipeline_run.settings.output / "register" / "information_map.html").read_text()
    assert 'role="img"' in html and "never do, of which" in html


def _information_rows(html: str, block: str) -> list[tuple[str, str]]:
    """(source id, last cell) of each row of a chapter block's table in a pack's HTML."""
    start = html.index(f'id="{block}"')
    part = html[start : html.index("</section>", start)]
    return re.findall(r'<tr data-source="([^"]+)">.*?<td[^>]*>([^<]*)</td></tr>', part, re.S)


def test_each_authority_pack_names_the_sources_behind_its_figures(pipeline_run):
    """The authority pack's "Where this pack's information comes from" chapter lists exactly
    the inventoried sources upstream (in the manifest) of the framework's indicators, each
    with how many of them it builds; no neighbourhood pack carries the chapter."""
    manifest = json.loads((ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    kind_of_table = _kind_of_table()
    kinds_of = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["fqn"][1] == "indicators":
            indicator_id = node["config"]["meta"]["indicator"]["indicator_id"]
            upstream = _upstream_sources(manifest, node["unique_id"])
            kinds_of[indicator_id] = {kind_of_table[t] for t in upstream if t in kind_of_table}
    inventory = pd.read_csv(ROOT / "seeds" / "information_inventory.csv", dtype=str).fillna("")
    frameworks = [
        yaml.safe_load(path.read_text())
        for path in sorted((ROOT / "dbt_project" / "frameworks").glob("*.yml"))
    ]
    reaching_kinds = {k for f in frameworks for i in f["indicators"] for k in kinds_of[i]}
    published = pd.read_csv(
        pipeline_run.settings.output / "indicators" / "indicator_values.csv", dtype=str
    )
    levels = set(published["geographic_level"])
    checked = 0
    for framework in frameworks:
        if framework["audience"]["levels"]["authority"] not in levels:
            # one borough's run holds no combined authority: that framework writes no pack
            assert not (pipeline_run.settings.output / framework["packs_under"]).exists()
            continue
        expected = {}
        for row in inventory.to_dict("records"):
            built = [i for i in framework["indicators"] if row["ingested_by_chorus"] in kinds_of[i]]
            if row["ingested_by_chorus"] and built:
                expected[row["id"]] = str(len(built))
        packs = sorted(
            (pipeline_run.settings.output / framework["packs_under"]).glob("*/pack.html")
        )
        with_chapter = [
            p for p in packs if 'id="where-our-information-comes-from"' in p.read_text()
        ]
        assert len(packs) > 1 and len(with_chapter) == 1, framework["id"]  # the authority's only
        rows = _information_rows(with_chapter[0].read_text(), "information-behind-this-pack")
        assert dict(rows) == expected, framework["id"]
        # the spreadsheet has the chapter too, its counts stored as numbers
        workbook = openpyxl.load_workbook(with_chapter[0].with_suffix(".xlsx"), read_only=True)
        cells = [row for row in workbook["Information map"].iter_rows(values_only=True)]
        counted = [row[3] for row in cells if isinstance(row[3], (int, float))]
        assert sorted(counted) == sorted(int(count) for count in expected.values())
        never = _information_rows(
            with_chapter[0].read_text(), "information-that-never-reaches-a-board"
        )
        topics = set(inventory.loc[inventory["id"].isin(expected), "topic"])
        assert {source for source, _ in never} == {
            row["id"]
            for row in inventory.to_dict("records")
            if row["topic"] in topics and row["ingested_by_chorus"] not in reaching_kinds
        }
        checked += 1
    assert checked == 3
