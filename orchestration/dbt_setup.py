"""What dbt needs before Dagster can load the project: its environment, the union of the
indicator models written out, and a fresh manifest.

Kept apart from dbt_assets.py, which reads the manifest when it is imported.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from indicators.config import DUCKDB_MEMORY, PROJECT_ROOT, ChorusSettings
from indicators.declarations import Geographies

DBT_PROJECT_DIR = Path(
    os.environ.get("CHORUS_DBT_PROJECT") or PROJECT_ROOT / "dbt_project"
).resolve()
"""The dbt project (CHORUS_DBT_PROJECT overrides it, e.g. to try an indicator on a copy)."""
INDICATOR_MODELS_DIR = DBT_PROJECT_DIR / "models" / "indicators"
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
_PARSE_INPUTS = ("models", "macros", "tests", "dbt_project.yml", "profiles.yml")


def indicator_model_names(models_dir: Path = INDICATOR_MODELS_DIR) -> list[str]:
    """Every indicator model, found on disk: fct_indicator_values collects exactly these."""
    return sorted(path.stem for path in models_dir.rglob("*.sql"))


UNION_MODEL = Path("models") / "intermediate" / "int_indicator_values_collected.sql"
"""The union of every indicator model, generated (`collected_sql`) and committed, so that
plain `dbt build` and `dbt docs generate` work from dbt_project/."""


def collected_sql(names: list[str]) -> str:
    """int_indicator_values_collected.sql: each indicator model's rows, by an explicit ref.

    Each model is read in the standard columns (macro indicator_rows), so a model that has
    no time_identifier (a whole year: fct_indicator_values writes its period type's) gives
    null there, and one that is not a median null ordered_values: DuckDB's `union all by
    name`, spelt out so that the union runs on PostgreSQL too."""
    selects = "\n    union all\n".join(
        f"    {{{{ indicator_rows(ref('{name}')) }}}}" for name in names
    )
    return f"""-- Every indicator model's rows in one table, in the standard shape
-- (macros/indicators.sql). Generated from the models in models/indicators/ by `chorus
-- dbt-refresh` (`chorus new-indicator` runs it): do not edit. The build stops if a model is
-- missing here (macros/indicator_models.sql), and so does `chorus run`, before dbt starts.
-- Each model in the standard columns (macro indicator_rows): a model without
-- time_identifier (a whole year) gives null there; one that is not a median gives null
-- ordered_values (the sorted values of its interval).
{{{{ assert_all_indicators_collected() }}}}

with collected as (
{selects}
)

select {{{{ indicator_columns() }}}} from collected
"""


def stale_union_line(project_dir: Path | None = None) -> str | None:
    """The one line to show when the committed union does not collect exactly the indicator
    models on disk (None when it does)."""
    project_dir = project_dir or DBT_PROJECT_DIR
    path = project_dir / UNION_MODEL
    models_dir = project_dir / "models" / "indicators"
    names = indicator_model_names(models_dir)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if text == collected_sql(names):
        return None
    refs = set(re.findall(r"ref\('([^']+)'\)", text))
    differences = (
        [f"does not collect {', '.join(sorted(set(names) - refs))}"] if set(names) - refs else []
    )
    differences += (
        [f"collects {', '.join(sorted(refs - set(names)))}, not in {models_dir}"]
        if refs - set(names)
        else []
    )
    return (
        f"{path} {'; '.join(differences) or 'was edited by hand'}: it is generated from "
        f"the models in {models_dir}: run `chorus dbt-refresh` to write it again"
    )


def refresh_union(project_dir: Path | None = None) -> Path | None:
    """Write the union from the indicator models on disk; the path if it changed."""
    project_dir = project_dir or DBT_PROJECT_DIR
    path = project_dir / UNION_MODEL
    text = collected_sql(indicator_model_names(project_dir / "models" / "indicators"))
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return None
    path.write_text(text, encoding="utf-8")
    return path


GEOGRAPHY_MACRO = "macros/geography_columns.sql"


def refresh_from_specs(
    project_dir: Path | None = None,
    sources_dir: Path | None = None,
    inputs_doc: Path | None = None,
) -> list[Path]:
    """Write what the source specs generate: dbt's raw-zone `sources:` and the sections of
    docs/inputs.md (when the project has it), and the geographic levels' row columns
    (macros/geography_columns.sql, from metadata/geographies.yml). The paths that changed."""
    from indicators.declarations import parse_geographies
    from indicators.sources.generated import SOURCES_YML, sources_yml, with_generated_sections
    from indicators.sources.load import load_sources
    from indicators.sources.load import sources_dir as default_sources

    project_dir = project_dir or DBT_PROJECT_DIR
    sources_dir = sources_dir or default_sources()
    specs = load_sources(sources_dir)
    written = []
    wanted = {project_dir / SOURCES_YML: sources_yml(specs, sources_dir)}
    geographies = yaml.safe_load(
        (project_dir / "metadata" / "geographies.yml").read_text(encoding="utf-8")
    )
    wanted[project_dir / GEOGRAPHY_MACRO] = geography_columns_macro(parse_geographies(geographies))
    inputs_doc = inputs_doc or project_dir.parent / "docs" / "inputs.md"
    if inputs_doc.is_file():
        text = inputs_doc.read_text(encoding="utf-8")
        wanted[inputs_doc] = with_generated_sections(text, specs)
    for path, text in wanted.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


WAREHOUSE = "CHORUS_WAREHOUSE"
"""The variable naming the warehouse dbt builds in (profiles.yml): a DuckDB file's path or a
PostgreSQL server's URL."""


def dbt_environment(settings: ChorusSettings | None = None) -> dict[str, str]:
    """Environment variables every dbt invocation needs (set before parse and build)."""
    settings = settings or ChorusSettings.from_env()
    environment = {
        WAREHOUSE: str(settings.warehouse),
        "CHORUS_DBT_TARGET": "duckdb",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
        "DO_NOT_TRACK": "1",
        DUCKDB_MEMORY: settings.duckdb_memory,  # profiles.yml: DuckDB's limit
    }
    if settings.warehouse_url:
        from indicators.postgres import parse_url

        environment[WAREHOUSE] = settings.warehouse_url
        environment.update(parse_url(settings.warehouse_url).dbt_environment())
    return environment


def _newest_input_mtime() -> float:
    newest = 0.0
    for name in _PARSE_INPUTS:
        path = DBT_PROJECT_DIR / name
        paths = path.rglob("*") if path.is_dir() else [path]
        for item in paths:
            if item.is_file():
                newest = max(newest, item.stat().st_mtime)
    seeds = DBT_PROJECT_DIR.parent / "seeds"
    for item in seeds.glob("*.csv"):
        newest = max(newest, item.stat().st_mtime)
    return newest


def manifest_is_stale() -> bool:
    if not MANIFEST_PATH.is_file():
        return True
    return MANIFEST_PATH.stat().st_mtime < _newest_input_mtime()


def venv_dbt() -> Path:
    """The dbt installed beside this Python (the venv's, with its dbt-core)."""
    return Path(sys.executable).with_name("dbt")


def dbt_executable() -> str:
    candidate = venv_dbt()
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(
    args: list[str], settings: ChorusSettings | None = None, capture: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a dbt command in the project with Chorus's environment."""
    env = {**os.environ, **dbt_environment(settings)}
    return subprocess.run(
        [dbt_executable(), *args],
        cwd=DBT_PROJECT_DIR,
        env=env,
        text=True,
        capture_output=capture,
        check=False,
    )


def prepare_manifest(force: bool = False) -> None:
    """`dbt parse` when the manifest is missing or older than the project's files."""
    if not force and not manifest_is_stale():
        return
    result = run_dbt(["parse", "--quiet"])
    if result.returncode != 0:
        detail = (result.stdout + result.stderr).strip().splitlines()
        raise RuntimeError("dbt could not parse the project: " + " | ".join(detail[-8:]))


def indicator_reads(manifest_path: Path = MANIFEST_PATH) -> dict[str, frozenset[str]]:
    """Each indicator's raw tables (by its meta's indicator_id), from dbt's lineage in the
    manifest: the `raw` sources upstream of its model. The preflight asks whether every kind
    of return some indicator reads is loaded (indicators/ingest/preflight.py). The same walk
    as the mart dim_indicator_sources (dbt's graph in Jinja), which the preflight cannot read:
    it runs before dbt builds anything."""
    import json

    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    parents, sources = manifest["parent_map"], manifest["sources"]
    reads = {}
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] != "model" or not node["original_file_path"].startswith(
            "models/indicators/"
        ):
            continue
        seen, todo = set(), [uid]
        while todo:
            for parent in parents.get(todo.pop(), []):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        indicator = node["config"].get("meta", {}).get("indicator", {})
        reads[indicator.get("indicator_id") or node["name"]] = frozenset(
            sources[p]["name"] for p in seen if p in sources and sources[p]["source_name"] == "raw"
        )
    return reads


PARSE_STATE = "partial_parse.msgpack"
"""dbt's parse of the project, which a later invocation reuses when nothing it depends on
changed (dbt checks every file's hash, the profile and its environment, dbt's version)."""


def parse_state(settings: ChorusSettings) -> Path:
    """This CHORUS_HOME's copy of dbt's last parse of this dbt project. The profile names the
    warehouse, so a parse is only reusable by the same home: the project's own target/ copy
    was parsed for another warehouse and made dbt parse everything again (3-4 s) at each
    invocation. And one per project folder: dbt keeps each seed's absolute folder in its
    parse and reads an unchanged seed from there, so a parse of a copy of the project
    (CHORUS_DBT_PROJECT) would have the next run read the copy's seeds, or fail once the
    copy is gone."""
    folder = hashlib.sha256(str(DBT_PROJECT_DIR).encode("utf-8")).hexdigest()[:16]
    return settings.home / "dbt" / folder / PARSE_STATE


def reuse_parse_state(settings: ChorusSettings, target_path: Path) -> None:
    """Put this home's last parse in a new invocation's target folder (dagster-dbt then
    leaves it there rather than copying the project's)."""
    kept = parse_state(settings)
    if kept.is_file():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(kept, target_path / PARSE_STATE)


def keep_parse_state(settings: ChorusSettings, target_path: Path) -> None:
    """Keep the parse an invocation wrote, for the next one (replaced whole, never half)."""
    written = target_path / PARSE_STATE
    if not written.is_file():
        return
    kept = parse_state(settings)
    kept.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.with_name(f"{PARSE_STATE}.{os.getpid()}.part")
    shutil.copyfile(written, partial)
    os.replace(partial, kept)


RUN_TARGETS_KEPT = 3
"""dagster-dbt gives each `dbt build` its own target folder (manifest, run results, compiled
SQL: a few MB); the newest few are kept for inspection, older ones are removed so that a
scheduled deployment does not fill its disk."""


def prune_run_targets(target_root: Path, prefix: str, keep: int = RUN_TARGETS_KEPT) -> list[Path]:
    """Remove all but the `keep` newest `<prefix>-*` run folders under `target_root`."""
    runs = sorted(
        (p for p in target_root.glob(f"{prefix}-*") if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    removed = runs[keep:]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def geography_columns_macro(declared: Geographies) -> str:
    """dbt_project/macros/geography_columns.sql: each level's (code, name) row columns, for
    the indicator macros (dbt reads no YAML of ours, so `chorus dbt-refresh` writes it)."""
    entries = ",\n".join(
        f"        '{level.name}': ('{level.columns[0]}', '{level.columns[1]}')"
        for level in declared.levels
        if level.columns is not None
    )
    groups = ", ".join(f"'{name}'" for name in declared.of_authorities())
    return (
        "{#- Generated from dbt_project/metadata/geographies.yml (`columns:`) by `chorus\n"
        "    dbt-refresh`: edit the YAML, not this. Each level's row columns holding an area's\n"
        "    code and name, which indicator_over_rows (macros/indicators.sql) groups by. -#}\n"
        "{% macro geography_columns() -%}\n"
        "    {{ return({\n"
        f"{entries},\n"
        "    }) }}\n"
        "{%- endmacro %}\n"
        "\n"
        "{#- The levels whose areas are groups of whole authorities (`of: authorities`),\n"
        "    nearest the authority first: int_authority_areas keeps an authority's areas at\n"
        "    them, and indicator_over_rows adds their rows to every authority figure. -#}\n"
        "{% macro authority_group_levels() -%}\n"
        f"    {{{{ return([{groups}]) }}}}\n"
        "{%- endmacro %}\n"
    )
