"""What a dbt step decides to build again (orchestration/dbt_state.py), on a small warehouse
and a hand-written manifest: everything when it has no whole, successful build to start
from; nothing when nothing it reads or builds changed; a changed input's descendants."""

import json
import shutil
from dataclasses import replace

import duckdb
import pytest

from indicators.config import ChorusSettings
from indicators.warehouse import MARK_SCHEMA, MARK_TABLE, drop_derived
from orchestration import dbt_state

STEP = "chorus_dbt_models"
MANIFEST = {
    "nodes": {
        "model.chorus.stg_a": {
            "name": "stg_a",
            "schema": "staging",
            "alias": "stg_a",
            "depends_on": {"nodes": ["source.chorus.raw.a"]},
        },
        "model.chorus.stg_b": {
            "name": "stg_b",
            "schema": "staging",
            "alias": "stg_b",
            "depends_on": {"nodes": ["source.chorus.raw.b"]},
        },
    },
    "sources": {
        "source.chorus.raw.a": {
            "source_name": "raw",
            "name": "a",
            "schema": "raw",
            "identifier": "a",
        },
        "source.chorus.raw.b": {
            "source_name": "raw",
            "name": "b",
            "schema": "raw",
            "identifier": "b",
        },
    },
}
NODES = {"model.chorus.stg_a", "model.chorus.stg_b"}
ENVIRONMENT = {"CHORUS_DBT_TARGET": "duckdb"}


@pytest.fixture
def settings(tmp_path) -> ChorusSettings:
    settings = replace(ChorusSettings.from_env(), home=tmp_path / "home", warehouse_url=None)
    settings.home.mkdir()
    with duckdb.connect(str(settings.warehouse)) as connection:
        connection.execute("create schema raw")
        connection.execute(
            "create table raw.a as select range as id, 'x' || range as v, "
            "current_timestamp as _loaded_at from range(50)"
        )
        connection.execute("create table raw.b as select range as id from range(7)")
        connection.execute("create schema staging")
    return settings


def _plan(settings, environment=ENVIRONMENT):
    return dbt_state.plan(settings, STEP, MANIFEST, NODES, None, environment)


def _built(settings, tmp_path, plan, run_id="run-one"):
    """A whole, successful build of the step, as dbt_assets keeps it."""
    target = tmp_path / f"target-{run_id}"
    target.mkdir()
    (target / "manifest.json").write_text(json.dumps(MANIFEST))
    results = {"results": [{"unique_id": "test.chorus.not_null_stg_a_id.1", "status": "pass"}]}
    dbt_state.keep(settings, STEP, target, results, plan, run_id)


def _sql(settings, statement):
    with duckdb.connect(str(settings.warehouse)) as connection:
        connection.execute(statement)


def test_a_first_build_builds_everything(settings):
    assert _plan(settings).select is None


def test_nothing_changed_builds_nothing(settings, tmp_path):
    _built(settings, tmp_path, _plan(settings))
    assert _plan(settings).select == []


def test_rows_loaded_again_with_the_same_values_build_nothing(settings, tmp_path):
    _built(settings, tmp_path, _plan(settings))
    _sql(settings, "update raw.a set _loaded_at = current_timestamp + interval 1 day")
    assert _plan(settings).select == []


@pytest.mark.parametrize(
    "change",
    [
        "update raw.a set v = 'y' where id = 17",  # one value
        "delete from raw.a where id = 3",  # one row fewer
        "insert into raw.a select 3, 'x3', current_timestamp from raw.a where id = 4",  # a copy
        "alter table raw.a add column w integer",  # a new, empty column
    ],
)
def test_a_changed_input_builds_its_descendants_only(settings, tmp_path, change):
    _built(settings, tmp_path, _plan(settings))
    _sql(settings, change)
    assert _plan(settings).select == ["source:raw.a+"]


def test_swapped_values_between_rows_are_a_change(settings, tmp_path):
    _built(settings, tmp_path, _plan(settings))
    _sql(settings, "update raw.a set v = case id when 1 then 'x2' when 2 then 'x1' else v end")
    assert _plan(settings).select == ["source:raw.a+"]


def test_a_changed_dbt_environment_builds_everything(settings, tmp_path):
    _built(settings, tmp_path, _plan(settings))
    assert _plan(settings, {"CHORUS_DBT_TARGET": "other"}).select is None


def test_another_duckdb_memory_limit_builds_nothing(settings, tmp_path):
    """The limit changes how DuckDB builds a table (spilling), never what the table holds."""
    _built(settings, tmp_path, _plan(settings, {**ENVIRONMENT, "CHORUS_DUCKDB_MEMORY": "1GB"}))
    assert _plan(settings, {**ENVIRONMENT, "CHORUS_DUCKDB_MEMORY": "4GB"}).select == []


def test_a_changed_project_file_builds_everything(settings, tmp_path, monkeypatch):
    """Some models read dbt's graph, not refs (marts.dim_indicators reads every indicator's
    metadata), and dbt cannot tell whether a seed over 1 MiB changed (helper-83's findings)."""
    project = tmp_path / "project" / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "target").mkdir()
    (tmp_path / "project" / "seeds").mkdir()
    (project / "models" / "ind_x.yml").write_text("title: Children at a good level\n")
    (tmp_path / "project" / "seeds" / "big.csv").write_text("a,b\n1,2\n")
    monkeypatch.setattr(dbt_state, "DBT_PROJECT_DIR", project)
    _built(settings, tmp_path, _plan(settings))
    (project / "target" / "manifest.json").write_text("{}")  # what dbt writes: not the project
    assert _plan(settings).select == []
    (project / "models" / "ind_x.yml").write_text("title: Children at a good level (new)\n")
    assert _plan(settings).select is None
    _built(settings, tmp_path, _plan(settings), run_id="run-two")
    (tmp_path / "project" / "seeds" / "big.csv").write_text("a,b\n1,3\n")
    assert _plan(settings).select is None


def test_derived_tables_dropped_build_everything(settings, tmp_path):
    """Retention and a purge drop what dbt built (indicators/warehouse.drop_derived)."""
    _built(settings, tmp_path, _plan(settings))
    with duckdb.connect(str(settings.warehouse)) as connection:
        assert drop_derived(connection)
    assert _plan(settings).select is None


def test_a_new_warehouse_builds_everything(settings, tmp_path):
    _built(settings, tmp_path, _plan(settings))
    settings.warehouse.unlink()
    with duckdb.connect(str(settings.warehouse)) as connection:
        connection.execute("create schema raw")
        connection.execute("create table raw.a (id integer, v varchar)")
    assert _plan(settings).select is None


def test_a_home_copied_whole_builds_nothing_but_another_warehouse_there_everything(
    settings, tmp_path
):
    """dbt runs with the warehouse's path in its environment (CHORUS_WAREHOUSE, from the
    home), but a home moved or copied whole holds the same warehouse: nothing to build. A
    warehouse put in its place that is not the one built (no mark) builds everything."""
    environment = {**ENVIRONMENT, "CHORUS_WAREHOUSE": str(settings.warehouse)}
    _built(settings, tmp_path, _plan(settings, environment))
    moved = replace(settings, home=tmp_path / "moved")
    shutil.copytree(settings.home, moved.home)
    assert moved.warehouse != settings.warehouse
    there = {**ENVIRONMENT, "CHORUS_WAREHOUSE": str(moved.warehouse)}
    assert _plan(moved, there).select == []
    moved.warehouse.unlink()
    with duckdb.connect(str(moved.warehouse)) as connection:
        connection.execute("create schema raw")
        connection.execute("create table raw.a as select range as id from range(50)")
        connection.execute("create table raw.b as select range as id from range(7)")
    assert _plan(moved, there).select is None


def test_a_build_that_starts_forgets_the_last_until_it_succeeds(settings, tmp_path):
    _built(settings, tmp_path, _plan(settings))
    dbt_state.forget(settings, STEP)
    assert _plan(settings).select is None


def test_another_dbt_version_builds_everything(settings, tmp_path, monkeypatch):
    _built(settings, tmp_path, _plan(settings))
    versions = dbt_state._versions()
    monkeypatch.setattr(dbt_state, "_versions", lambda: {**versions, "dbt-duckdb": "0.0.1"})
    assert _plan(settings).select is None


def test_a_build_of_another_project_folder_unmarks_this_one(settings, tmp_path, monkeypatch):
    """A run of a copy of the project (CHORUS_DBT_PROJECT) that starts dbt, even one that
    then fails, leaves this folder's kept build unmatched (helper-83's finding)."""
    _built(settings, tmp_path, _plan(settings))
    copy = tmp_path / "copy" / "dbt_project"
    copy.mkdir(parents=True)
    monkeypatch.setattr(dbt_state, "parse_state", lambda s: s.home / "dbt" / "copy" / "x")
    dbt_state.forget(settings, STEP)  # the copy's build starts
    monkeypatch.undo()
    assert (dbt_state.state_dir(settings, STEP) / "inputs.json").is_file()  # still kept here
    assert _plan(settings).select is None


def test_dbt_run_by_hand_builds_everything_next(settings, tmp_path, monkeypatch):
    _built(settings, tmp_path, _plan(settings))
    monkeypatch.setattr(dbt_state.ChorusSettings, "from_env", classmethod(lambda cls: settings))
    monkeypatch.setattr(dbt_state, "run_dbt", lambda args, settings, capture: args)
    assert dbt_state.run_dbt_by_hand(["run", "-s", "stg_a"]) == ["run", "-s", "stg_a"]
    assert _plan(settings).select is None


def test_a_postgres_warehouse_builds_everything(settings, tmp_path):
    _built(settings, tmp_path, _plan(settings))
    postgres = replace(settings, warehouse_url="postgresql://chorus@127.0.0.1/chorus")
    assert _plan(postgres).select is None


def test_a_carried_test_names_the_run_that_ran_it(settings, tmp_path):
    _built(settings, tmp_path, _plan(settings), run_id="run-one")
    target = tmp_path / "target-two"
    target.mkdir()
    merged = dbt_state.merged_results(
        target, _plan(settings), {"nodes": {"test.chorus.not_null_stg_a_id.1": {}}}
    )
    assert merged["results"] == [
        {
            "unique_id": "test.chorus.not_null_stg_a_id.1",
            "status": "pass",
            "carried_from": "run-one",
        }
    ]


def test_a_warehouse_marked_by_another_build_builds_everything(settings, tmp_path):
    """A warehouse put back from a copy taken before the kept build, for one."""
    _built(settings, tmp_path, _plan(settings))
    _sql(settings, f"update {MARK_SCHEMA}.{MARK_TABLE} set build = 'older'")
    assert _plan(settings).select is None


def test_an_ephemeral_model_builds_everything(settings, tmp_path):
    """An ephemeral model has no asset: what it reads would go unfingerprinted."""
    _built(settings, tmp_path, _plan(settings))
    ephemeral = {"config": {"materialized": "ephemeral"}, "depends_on": {"nodes": []}}
    manifest = {**MANIFEST, "nodes": {**MANIFEST["nodes"], "model.chorus.eph": ephemeral}}
    assert dbt_state.plan(settings, STEP, manifest, NODES, None, ENVIRONMENT).select is None


def test_a_column_named_like_a_table_alias_does_not_hide_the_others(settings, tmp_path):
    _sql(settings, "alter table raw.b add column t integer default 1")
    _built(settings, tmp_path, _plan(settings))
    _sql(settings, "update raw.b set id = id + 100 where id = 2")
    assert _plan(settings).select == ["source:raw.b+"]


def test_a_killed_keep_leaves_nothing_behind(settings, tmp_path):
    stale = dbt_state.state_dir(settings, STEP).with_name(f"{STEP}.999999.part")
    stale.mkdir(parents=True)
    _built(settings, tmp_path, _plan(settings))
    assert not stale.exists()
    assert _plan(settings).select == []


def test_a_subset_chosen_in_the_ui_is_not_a_whole_build():
    """The context's assets definition is the subset already (helper-84's finding): a check
    comparing the selection with it would call every subset whole."""
    from dagster import AssetOut, Output, materialize, multi_asset

    from orchestration.dbt_assets import is_whole

    seen = {}

    @multi_asset(
        outs={"a": AssetOut(is_required=False), "b": AssetOut(is_required=False)}, can_subset=True
    )
    def step(context):
        seen[tuple(sorted(context.selected_output_names))] = is_whole(context)
        for name in context.selected_output_names:
            yield Output(None, output_name=name)

    assert materialize([step]).success
    assert materialize([step], selection=["b"]).success
    assert seen == {("a", "b"): True, ("b",): False}


def test_unchanged_models_are_reported_after_their_parents_once_each_and_only_if_selected():
    """Dagster needs each output of a step once, a parent before its child: a model dbt
    rebuilt is reported with its metadata when dbt says so, after its parents dbt did not
    rebuild (reported as unchanged); the rest after, in an order parents-first."""
    from types import SimpleNamespace

    from dagster import AssetKey, AssetSpec
    from dagster_dbt.asset_utils import DAGSTER_DBT_UNIQUE_ID_METADATA_KEY as UID

    from orchestration.dbt_assets import _Order

    # a -> b -> d, a -> c -> d, e alone; "x" is outside the step
    parents = {"a": ["x"], "b": ["a"], "c": ["a"], "d": ["b", "c"], "e": []}
    manifest = {"nodes": {f"model.p.{n}": {"depends_on": {"nodes": [f"model.p.{p}" for p in ps]}}
                          for n, ps in parents.items()}}  # fmt: skip
    specs = [AssetSpec(AssetKey(n), metadata={UID: f"model.p.{n}"}) for n in parents]
    selected = {AssetKey(n).to_python_identifier() for n in "abde"}  # c not selected
    context = SimpleNamespace(
        assets_def=SimpleNamespace(specs=specs),
        op_execution_context=SimpleNamespace(selected_output_names=selected),
    )
    order = _Order(context, manifest, translator=None)
    rebuilt = {"rows": 3}
    first = list(order.up_to(AssetKey("d"), rebuilt))
    again = list(order.up_to(AssetKey("d"), rebuilt))
    rest = list(order.rest())
    names = [o.output_name for o in first + again + rest]
    assert names == ["a", "b", "d", "e"]  # c in its place, but not selected
    assert [{k: v.value for k, v in o.metadata.items()} for o in first] == [
        {"status": "unchanged"},
        {"status": "unchanged"},
        {"rows": 3},
    ]
    assert not again
    assert {o.output_name: o.metadata["status"].value for o in first[:2] + rest} == {
        "a": "unchanged",
        "b": "unchanged",
        "e": "unchanged",
    }
    assert list(order.up_to(AssetKey("not_in_step"), rebuilt)) == []
