"""The dbt project as Dagster assets: one asset per dbt model and seed, dbt tests as checks.

Two dbt steps: the first builds every model but marts.fct_indicator_values; the statistics
step (orchestration/statistics_asset.py) computes in Python between them; the second builds
fct_indicator_values and its tests."""

import os
from collections.abc import Mapping
from typing import Any
from uuid import uuid4

from dagster import AssetExecutionContext, AssetKey, AssetSpec
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.dbt_setup import (
    DBT_PROJECT_DIR,
    dbt_environment,
    keep_parse_state,
    prune_run_targets,
    reuse_parse_state,
)
from orchestration.resources import ChorusResource

PREFLIGHT = AssetKey("preflight")
"""The preflight gate in orchestration/ingest_assets.py (named here, not imported: the
definitions import both modules)."""

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


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


def _build(context: AssetExecutionContext, dbt: DbtCliResource, chorus: ChorusResource):
    """`dbt build` of this step's selection, in dependency order (holding the warehouse lock,
    through the chorus resource, like every step)."""
    settings = chorus.settings()
    os.environ.update(dbt_environment(settings))
    name = context.op_execution_context.op.name
    # dagster-dbt's own naming of a run's target folder, with this home's last parse in it
    target_path = DBT_PROJECT_DIR / "target" / f"{name}-{context.run.run_id[:7]}-{uuid4().hex[:7]}"
    reuse_parse_state(settings, target_path)
    try:
        invocation = dbt.cli(["build"], context=context, target_path=target_path)
        yield from invocation.stream()
    finally:
        keep_parse_state(settings, target_path)
    prune_run_targets(target_path.parent, name)


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
