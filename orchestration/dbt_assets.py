"""The dbt project as Dagster assets: one asset per dbt model and seed, dbt tests as checks.

Two dbt steps: the first builds every model but marts.fct_indicator_values; the statistics
step (orchestration/statistics_asset.py) computes in Python between them; the second builds
fct_indicator_values and its tests."""

import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from graphlib import TopologicalSorter
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any
from uuid import uuid4

from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    AssetSpec,
    Output,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.asset_utils import (
    DAGSTER_DBT_EXCLUDE_METADATA_KEY,
    DAGSTER_DBT_SELECT_METADATA_KEY,
    DAGSTER_DBT_UNIQUE_ID_METADATA_KEY,
    get_asset_check_key_for_test,
    get_manifest_and_translator_from_dbt_assets,
)
from packaging import version

from orchestration import dbt_state
from orchestration.dbt_setup import (
    DBT_PROJECT_DIR,
    dbt_environment,
    keep_parse_state,
    prune_run_targets,
    reuse_parse_state,
    venv_dbt,
)
from orchestration.resources import ChorusResource

PREFLIGHT = AssetKey("preflight")
"""The preflight gate in orchestration/ingest_assets.py (named here, not imported: the
definitions import both modules)."""

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class ChorusDbtCli(DbtCliResource):
    """dagster-dbt's dbt resource without two start-up costs that no Chorus step uses:

    - before each `dbt` command it loaded dbt's adapter and macros into this process, only
      to fetch row counts or column metadata, which Chorus never asks for;
    - once a run it ran `dbt --version` to learn the version of the dbt it runs, and that
      command also asks pypi.org for dbt's latest release, a call to the network at run
      time. With the venv's own dbt (orchestration.dbt_setup.dbt_executable) the version
      is the installed dbt-core's; any other dbt is still asked.

    A small fresh run's two dbt steps took 41.8 s and 6.3 s with dagster-dbt's own resource,
    32.1 s and 5.2 s with this one (benchmarks/RESULTS.md, "Issue 19, sixth step")."""

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable) == venv_dbt():
            return version.parse(installed_version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


class ChorusDbtTranslator(DagsterDbtTranslator):
    """dbt folders become asset groups: staging, intermediate, indicators, marts, reference.

    Every dbt model and seed depends on the `preflight` gate (orchestration/ingest_assets.py),
    so dbt never starts on a run with nothing to publish or an unfinished indicator.
    """

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if unique_id.split(".")[0] in ("model", "seed"):
            return spec.merge_attributes(deps=[PREFLIGHT])
        return spec

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


PUBLISHED = "fct_indicator_values"
"""The model dbt builds after the statistics step (orchestration/statistics_asset.py): the
first dbt step builds everything else, the second this model and its tests."""


def is_whole(context: AssetExecutionContext) -> bool:
    """Whether the step runs all its assets and checks, not a subset chosen in the UI or a
    re-execution from a failure (the context's assets definition is the subset already)."""
    return not context.assets_def.is_subset


def _build(context: AssetExecutionContext, dbt: DbtCliResource, chorus: ChorusResource):
    """`dbt build` of this step's selection, in dependency order (holding the warehouse lock,
    through the chorus resource, like every step): only what changed since this home's last
    whole build of the step, when it kept one (orchestration/dbt_state.py)."""
    settings = chorus.settings()
    environment = dbt_environment(settings)
    os.environ.update(environment)
    name = context.op_execution_context.op.name
    # dagster-dbt's own naming of a run's target folder, with this home's last parse in it
    target_path = DBT_PROJECT_DIR / "target" / f"{name}-{context.run.run_id[:7]}-{uuid4().hex[:7]}"
    reuse_parse_state(settings, target_path)
    manifest, translator, _ = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    assets_def = context.assets_def
    whole = is_whole(context)
    tags = context.op_execution_context.op.tags
    scope = tags.get(DAGSTER_DBT_SELECT_METADATA_KEY)
    nodes = {spec.metadata[DAGSTER_DBT_UNIQUE_ID_METADATA_KEY] for spec in assets_def.specs}
    step = (
        dbt_state.plan(
            settings, name, manifest, nodes, None if scope == "fqn:*" else scope, environment
        )
        if whole and not settings.warehouse_url  # PostgreSQL: dbt builds everything
        else None
    )
    try:
        if step is not None and step.select is not None:
            yield from _build_changed(
                context, dbt, settings, step, target_path, (manifest, translator)
            )
        else:
            dbt_state.forget(settings, name)
            invocation = dbt.cli(["build"], context=context, target_path=target_path)
            yield from invocation.stream()
            if step is not None:
                results = json.loads((target_path / "run_results.json").read_text("utf-8"))
                dbt_state.keep(settings, name, target_path, results, step, context.run.run_id)
    finally:
        keep_parse_state(settings, target_path)
    prune_run_targets(target_path.parent, name)


def _build_changed(context, dbt, settings, step, target_path, project):
    """Build only what changed (`step.select`), or nothing; report every asset of the step,
    rebuilt or unchanged, parents first, and each test: dbt's result, or the one it had in
    the run that ran it (saying so, in Dagster and in the run's results)."""
    manifest, translator = project
    name = context.op_execution_context.op.name
    order = _Order(context, manifest, translator)
    checked: set[AssetCheckKey] = set()
    if step.nothing:
        context.log.info("dbt: nothing this step reads or builds changed; not started")
        target_path.mkdir(parents=True, exist_ok=True)
        kept = dbt_state.state_dir(settings, name) / "manifest.json"
        shutil.copyfile(kept, target_path / "manifest.json")
    else:
        context.log.info(f"dbt builds what changed: {' '.join(step.select)}")
        dbt_state.forget(settings, name)
        exclude = context.op_execution_context.op.tags.get(DAGSTER_DBT_EXCLUDE_METADATA_KEY)
        args = ["build", "--select", " ".join(step.select)]
        args += ["--exclude", exclude] if exclude else []
        invocation = dbt.cli(
            args, manifest=manifest, dagster_dbt_translator=translator, target_path=target_path
        )
        # dbt builds a node after its parents: a parent not reported yet is not rebuilt
        for event in invocation.stream():
            if isinstance(event, AssetMaterialization):
                yield from order.up_to(event.asset_key, event.metadata)
            elif isinstance(event, AssetCheckEvaluation):
                key = AssetCheckKey(event.asset_key, event.check_name)
                if key in context.selected_asset_check_keys:
                    yield from order.up_to(event.asset_key, None)
                    checked.add(key)
                    yield AssetCheckResult(
                        asset_key=event.asset_key,
                        check_name=event.check_name,
                        passed=event.passed,
                        severity=event.severity,
                        metadata=event.metadata,
                        description=event.description,
                    )
            else:
                yield event
    results = dbt_state.merged_results(target_path, step, manifest)
    carried = _carried_checks(context, manifest, translator, results, checked)
    (target_path / "run_results.json").write_text(json.dumps(results), encoding="utf-8")
    if not step.nothing:
        dbt_state.keep(settings, name, target_path, results, step, context.run.run_id)
    yield from order.rest()
    yield from carried


class _Order:
    """The step's outputs, each reported once and after every parent in the step: a parent
    dbt did not rebuild as unchanged."""

    def __init__(self, context, manifest: Mapping, translator) -> None:
        specs = context.assets_def.specs
        uids = {spec.key: spec.metadata[DAGSTER_DBT_UNIQUE_ID_METADATA_KEY] for spec in specs}
        nodes = set(uids.values())
        self.keys = {uid: key for key, uid in uids.items()}
        self.uids = uids
        self.parents = {
            uid: [
                p
                for p in manifest["nodes"][uid].get("depends_on", {}).get("nodes", [])
                if p in nodes
            ]
            for uid in nodes
        }
        self.order = list(TopologicalSorter(self.parents).static_order())
        self.selected = set(context.op_execution_context.selected_output_names)
        self.done: set[str] = set()

    def _emit(self, uid: str, metadata) -> Iterator[Output]:
        if uid in self.done:
            return
        self.done.add(uid)
        for parent in self.parents[uid]:
            yield from self._emit(parent, None)
        output = self.keys[uid].to_python_identifier()
        if output in self.selected:
            yield Output(None, output_name=output, metadata=metadata or _UNCHANGED)

    def up_to(self, key: AssetKey, metadata) -> Iterator[Output]:
        """The output of `key` (rebuilt when `metadata`), after its unreported parents."""
        if key in self.uids:
            yield from self._emit(self.uids[key], metadata)

    def rest(self) -> Iterator[Output]:
        for uid in self.order:
            yield from self._emit(uid, None)


_UNCHANGED = {"status": "unchanged"}


def _carried_checks(context, manifest, translator, results, checked) -> list[AssetCheckResult]:
    """Each selected test dbt did not run again, with the result it had in the run that ran
    it, on the same inputs (and saying so). Every selected test has a result, or the step
    fails before keeping anything: the kept state was not whole."""
    wanted = set(context.selected_asset_check_keys) - checked
    carried = []
    for result in results["results"]:
        if not result["unique_id"].startswith("test."):
            continue
        key = get_asset_check_key_for_test(
            manifest, translator, result["unique_id"], project=dbt_project
        )
        if key not in wanted:
            continue
        wanted.discard(key)
        ran_in = result.get("carried_from", "")
        carried.append(
            AssetCheckResult(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=result["status"] == "pass",
                severity=(
                    AssetCheckSeverity.WARN
                    if result["status"] == "warn"
                    else AssetCheckSeverity.ERROR
                ),
                metadata={"status": result["status"], "run": ran_in},
                description=f"Not run again: nothing it reads changed since run {ran_in}",
            )
        )
    if wanted:
        raise RuntimeError(f"dbt tests with no result: {sorted(k.name for k in wanted)}")
    return carried


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=ChorusDbtTranslator(),
    exclude=PUBLISHED,
)
def chorus_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, chorus: ChorusResource):
    """`dbt build`: seeds, models and their tests, up to the indicator statistics."""
    yield from _build(context, dbt, chorus)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=ChorusDbtTranslator(),
    select=PUBLISHED,
    name="chorus_dbt_published",
)
def chorus_dbt_published(
    context: AssetExecutionContext, dbt: DbtCliResource, chorus: ChorusResource
):
    """`dbt build` of marts.fct_indicator_values and its tests, after the statistics."""
    yield from _build(context, dbt, chorus)
