"""The Chorus code location: every asset, check, job and resource.

Loading this module reads the dbt manifest (run `chorus` or `make` once to create it) and
never opens the warehouse: the UI's code server imports it while runs may be writing.
"""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from orchestration.asset_checks import gx_asset_checks, indicator_register_complete
from orchestration.automation import PIPELINE_JOB, eyfsp_return_window, landing_sensor
from orchestration.dbt_assets import (
    ChorusDbtCli,
    chorus_dbt_models,
    chorus_dbt_published,
    dbt_project,
)
from orchestration.dbt_setup import dbt_executable
from orchestration.ingest_assets import (
    local_authorities,
    neighbourhood_lookup,
    preflight,
    standalone_sources,
    statutory_returns,
    voice_responses,
)
from orchestration.publish_assets import board_packs, indicator_tables, publication
from orchestration.resources import ChorusResource
from orchestration.statistics_asset import indicator_statistics

chorus_pipeline = define_asset_job(
    PIPELINE_JOB,
    selection=AssetSelection.all(),
    description="Landing files -> raw tables -> dbt models and tests -> checks -> publication.",
    executor_def=in_process_executor,
)

defs = Definitions(
    assets=[
        neighbourhood_lookup,
        local_authorities,
        statutory_returns,
        voice_responses,
        standalone_sources,
        preflight,
        chorus_dbt_models,
        indicator_statistics,
        chorus_dbt_published,
        indicator_tables,
        board_packs,
        publication,
    ],
    asset_checks=[*gx_asset_checks(), indicator_register_complete],
    jobs=[chorus_pipeline],
    sensors=[landing_sensor],
    schedules=[eyfsp_return_window],
    resources={
        "chorus": ChorusResource(),
        "dbt": ChorusDbtCli(project_dir=dbt_project, dbt_executable=dbt_executable()),
    },
    executor=in_process_executor,
)
