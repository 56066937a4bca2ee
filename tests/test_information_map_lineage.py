"""The published information map's lineage agrees with dbt's manifest (issue 17, item 7).
Reads the session's one pipeline run (tests/conftest.py, pipeline_run); the expectation is
walked here from the manifest JSON, the specs' YAML and the inventory CSV, not by the code
under test."""

import json
from pathlib import Path

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


def test_sources_reach_the_indicators_the_manifest_says(pipeline_run):
    manifest = json.loads((ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    kind_of_table = {}
    for base in sorted((ROOT / "sources").glob("*/base.yml")):
        spec = yaml.safe_load(base.read_text())
        raw = spec["raw_table"]
        tables = [raw["name"] if isinstance(raw, dict) else raw]
        tables += [t["name"] if isinstance(t, dict) else t for t in spec.get("also_tables") or []]
        kind_of_table.update({table: base.parent.name for table in tables})
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
