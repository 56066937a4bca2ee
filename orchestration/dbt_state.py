"""dbt builds only what changed since this home's last whole, successful build of a step.

A step's inputs are what its nodes read and it does not build: the raw zone's tables for the
first step; the computed statistics (and any model of the first step) for the second. Each
is fingerprinted in the warehouse (its columns, row count and the sum of its rows' hashes,
leaving out when the rows were loaded). After a step's `dbt build` succeeds with everything
selected, this home keeps (under `$CHORUS_HOME/dbt/<project folder>/build/<step>/`) its
manifest, every test's result, the fingerprints and a fingerprint of the project, and marks
the warehouse with the same build id. The next run of the step builds only the descendants
of each input whose fingerprint changed (`source:raw.<table>+`), and when none did, starts
no dbt. What is not built again is reported to Dagster as unchanged, and a test not run
again with the result it had in the run that ran it, saying so (in Dagster and in the run's
results, which the quality report reads).

Everything is built, as before, with: no kept state; a subset chosen in the UI; a PostgreSQL
warehouse; a changed project (any file of dbt_project/ or seeds/, dbt's environment, or the
version of dbt, its adapter, DuckDB or dagster-dbt: some models read dbt's graph rather than
refs, and dbt cannot tell whether a seed over 1 MiB changed; but not the DuckDB file's path,
as its mark says which warehouse it is, so a home moved or copied whole between runs builds
nothing again); an ephemeral model (no asset
of its own, so what it reads would not be fingerprinted); or a warehouse whose mark is not
the kept build's (a new warehouse, derived tables dropped by retention or a purge, a build
of another project folder, dbt by hand: `chorus dbt`, or plain dbt, whose on-run-start hook
in dbt_project.yml drops the marks). The kept state and the warehouse's
mark are removed before dbt starts and written again only when it succeeds, so a failed or
interrupted build is never the base of the next.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from uuid import uuid4

from indicators.config import DUCKDB_MEMORY, ChorusSettings
from indicators.warehouse import build_mark, clear_build_marks, connect, fingerprint, mark_build
from orchestration.dbt_setup import DBT_PROJECT_DIR, WAREHOUSE, parse_state, run_dbt


def state_dir(settings: ChorusSettings, step: str) -> Path:
    return parse_state(settings).parent / "build" / step


@dataclass
class Plan:
    """What a step's `dbt build` needs to do: `select` (dbt selection arguments), or None
    for everything; the inputs' fingerprints and the project's, to keep after it."""

    select: list[str] | None
    fingerprints: dict[str, str]
    project: str
    run: str = ""
    results: dict | None = None

    @property
    def nothing(self) -> bool:
        return self.select == []


def _node(manifest: dict, unique_id: str) -> dict:
    return manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}


def step_inputs(manifest: dict, step_nodes: set[str]) -> dict[str, tuple[str, str]]:
    """The relations a step's nodes read and do not build: unique id -> (schema, table)."""
    inputs = {}
    for unique_id in step_nodes:
        for parent in _node(manifest, unique_id).get("depends_on", {}).get("nodes", []):
            if parent in step_nodes or parent.split(".")[0] not in ("source", "model", "seed"):
                continue
            node = _node(manifest, parent)
            table = node.get("identifier") or node.get("alias") or node.get("name")
            inputs[parent] = (node["schema"], table)
    return inputs


def _ephemeral(node: dict) -> bool:
    return (node.get("config") or {}).get("materialized") == "ephemeral"


def _selection(unique_id: str, manifest: dict) -> str:
    node = _node(manifest, unique_id)
    if unique_id.startswith("source."):
        return f"source:{node['source_name']}.{node['name']}+"
    return f"{node['name']}+"


NOT_PARSED = ("target", "logs", "dbt_packages")


def project_fingerprint(environment: dict[str, str]) -> str:
    """Every file of the dbt project (models, macros, tests, seeds, its YAML and metadata),
    the environment dbt runs with, and the versions of what runs it."""
    digest = hashlib.sha256(json.dumps(sorted(environment.items())).encode("utf-8"))
    digest.update(json.dumps(_versions()).encode("utf-8"))
    roots = [path for path in DBT_PROJECT_DIR.iterdir() if path.name not in NOT_PARSED]
    for root in sorted(roots) + [DBT_PROJECT_DIR.parent / "seeds"]:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file():
                digest.update(str(path.relative_to(DBT_PROJECT_DIR.parent)).encode("utf-8"))
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in RUNNERS}


RUNNERS = ("dbt-core", "dbt-adapters", "dbt-common", "dbt-duckdb", "duckdb", "dagster-dbt")
"""What builds the tables: another version of any of them builds everything again."""


def plan(
    settings: ChorusSettings,
    step: str,
    manifest: dict,
    step_nodes: set[str],
    scope: str | None,
    environment: dict[str, str],
) -> Plan:
    """Fingerprint the step's inputs and decide what to build (see the module)."""
    # the DuckDB file's path is not the project: which warehouse it is, is its mark (below);
    # nor is DuckDB's memory limit, which changes how a table is built, never what it holds
    project = project_fingerprint(
        {k: v for k, v in environment.items() if k not in (WAREHOUSE, DUCKDB_MEMORY)}
    )
    if settings.warehouse_url:
        return Plan(None, {}, project)
    inputs = step_inputs(manifest, step_nodes)
    with connect(settings.warehouse, read_only=True) as connection:
        prints = {uid: fingerprint(connection, *relation) for uid, relation in inputs.items()}
        mark = build_mark(connection, step)
    folder = state_dir(settings, step)
    try:
        kept = json.loads((folder / "inputs.json").read_text(encoding="utf-8"))
        results = json.loads((folder / "run_results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Plan(None, prints, project)
    # A changed project builds everything: some models read dbt's graph rather than refs
    # (marts.dim_indicators), and dbt cannot tell whether a seed over 1 MiB changed.
    if mark is None or kept.get("build") != mark or kept.get("project") != project:
        return Plan(None, prints, project)
    if any(_ephemeral(node) for node in manifest["nodes"].values()):
        return Plan(None, prints, project)
    changed = sorted(uid for uid, value in prints.items() if kept["inputs"].get(uid) != value)
    criteria = [_selection(uid, manifest) for uid in changed]
    if scope:  # the step's own selection (the second step: one model)
        criteria = [f"{criterion},{scope}" for criterion in criteria]
    return Plan(criteria, prints, project, kept["run"], results)


def forget(settings: ChorusSettings, step: str) -> None:
    """Before dbt changes anything: remove the step's kept state, and its mark from the
    warehouse, so that no kept state (this project folder's or another's) matches it."""
    shutil.rmtree(state_dir(settings, step), ignore_errors=True)
    _clear_marks(settings, step)


def run_dbt_by_hand(args: list[str]):
    """`chorus dbt`: dbt may change what the steps built, so the next run builds everything."""
    settings = ChorusSettings.from_env()
    for folder in (settings.home / "dbt").glob("*/build"):
        shutil.rmtree(folder, ignore_errors=True)
    _clear_marks(settings)
    return run_dbt(args, settings, capture=False)


def _clear_marks(settings: ChorusSettings, step: str | None = None) -> None:
    """Unmark the warehouse for `step` (None: every step), when it is a DuckDB file."""
    if not settings.warehouse_url and settings.warehouse.is_file():
        with connect(settings.warehouse) as connection:
            clear_build_marks(connection, step)


def merged_results(target_path: Path, kept: Plan, manifest: dict) -> dict:
    """This build's results, with each node it did not build again carried from the kept
    results (marked with the run that ran it), for every node of the current manifest."""
    written = target_path / "run_results.json"
    fresh = json.loads(written.read_text(encoding="utf-8")) if written.is_file() else None
    known = set(manifest["nodes"]) | set(manifest.get("unit_tests", {}))
    ran = {result["unique_id"]: result for result in (fresh or {}).get("results", [])}
    results = []
    for result in kept.results["results"]:
        unique_id = result["unique_id"]
        if unique_id in ran:
            results.append(ran.pop(unique_id))
        elif unique_id in known:
            results.append({**result, "carried_from": result.get("carried_from") or kept.run})
    results.extend(ran.values())
    base = fresh or {k: v for k, v in kept.results.items() if k != "results"}
    return {**base, "results": results}


def keep(
    settings: ChorusSettings,
    step: str,
    target_path: Path,
    results: dict,
    built: Plan,
    run_id: str,
) -> None:
    """Keep a successful build's manifest, results and fingerprints, and mark the warehouse
    with the same new build id (the state is whole or absent: written aside, then renamed)."""
    final = state_dir(settings, step)
    partial = final.with_name(f"{step}.{os.getpid()}.part")
    for leftover in final.parent.glob(f"{step}.*.part"):  # a killed keep's, or this one's
        shutil.rmtree(leftover, ignore_errors=True)
    partial.mkdir(parents=True)
    shutil.copyfile(target_path / "manifest.json", partial / "manifest.json")
    (partial / "run_results.json").write_text(json.dumps(results), encoding="utf-8")
    build = uuid4().hex
    record = {
        "build": build,
        "run": run_id,
        "project": built.project,
        "inputs": built.fingerprints,
    }
    (partial / "inputs.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    with connect(settings.warehouse) as connection:
        mark_build(connection, step, build)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(partial, final)
