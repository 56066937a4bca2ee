"""The code location: it loads without touching the warehouse, and wires every dbt node."""

import json

from dagster import AssetKey

from orchestration.dbt_setup import MANIFEST_PATH, indicator_model_names, prepare_manifest


def test_definitions_load_without_opening_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("CHORUS_HOME", str(tmp_path / "home"))
    prepare_manifest()
    from orchestration.definitions import PIPELINE_JOB, defs

    assert defs.resolve_job_def(PIPELINE_JOB) is not None
    assert not (tmp_path / "home").exists()


def test_asset_graph_holds_every_dbt_model_test_and_gx_check():
    prepare_manifest()
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    checks = {key.name for key in graph.asset_check_keys}
    manifest = json.loads(MANIFEST_PATH.read_text())
    for node in manifest["nodes"].values():
        if node["resource_type"] in ("model", "seed"):
            assert f"{node['config']['schema']}/{node['name']}" in keys, node["name"]
        if node["resource_type"] == "test" and node.get("attached_node"):
            assert node["name"] in checks, node["name"]
    assert {
        "raw/eyfsp_returns",
        "raw/school_census",
        "raw/neighbourhood_lookup",
        "raw/local_authorities",
        "indicator_tables",
        "publication",
    } <= keys
    assert "gx_fct_indicator_values" in checks
    gx = next(k for k in graph.asset_check_keys if k.name == "gx_fct_indicator_values")
    assert gx.asset_key == AssetKey(["marts", "fct_indicator_values"])
    [checks_def] = [c for c in defs.asset_checks if gx in c.check_keys]
    assert all(spec.blocking for spec in checks_def.check_specs)


def test_fct_collects_every_indicator_model():
    prepare_manifest()
    manifest = json.loads(MANIFEST_PATH.read_text())
    union = manifest["nodes"]["model.chorus.int_indicator_values_collected"]
    collected = sorted(node.split(".")[-1] for node in union["depends_on"]["nodes"])
    assert collected == indicator_model_names()
    assert len(collected) >= 3
