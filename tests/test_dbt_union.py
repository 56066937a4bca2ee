"""The union of indicator models (int_indicator_values_collected) is written out with explicit
refs and committed, so plain `dbt build` and `dbt docs generate` work from dbt_project/; it
is generated from models/indicators/, and a model added without regenerating it is caught."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.dbt_setup import UNION_MODEL, refresh_union, stale_union_line
from tests.console import one_line_and_the_log

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "dbt_project" / "models" / "indicators"


def _refs(path: Path) -> set[str]:
    return set(re.findall(r"ref\('([^']+)'\)", path.read_text(encoding="utf-8")))


def _copy_project(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "dbt_project",
        tmp_path / "dbt_project",
        ignore=shutil.ignore_patterns("target", "logs"),
    )
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path / "dbt_project"


def _add_model(project: Path, name: str) -> None:
    models = project / "models" / "indicators"
    (models / f"{name}.sql").write_text(
        (models / "ind_school_readiness__gld.sql")
        .read_text(encoding="utf-8")
        .replace("indicator_id='gld'", "indicator_id='gld_copy'"),
        encoding="utf-8",
    )


def _plain_env(project: Path) -> dict[str, str]:
    """No Chorus variable at all: dbt as anyone would run it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHORUS_", "DBT_"))}
    return {
        **env,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "CHORUS_WAREHOUSE": str(project.parent / "plain.duckdb"),
    }


def _dbt(project: Path, *args: str) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [str(dbt), *args],
        cwd=project,
        env=_plain_env(project),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_the_committed_union_refs_exactly_the_indicator_models_on_disk():
    on_disk = {path.stem for path in MODELS.glob("*.sql")}
    assert len(on_disk) >= 10
    assert _refs(ROOT / "dbt_project" / UNION_MODEL) == on_disk
    assert stale_union_line() is None  # and is byte for byte what `chorus dbt-refresh` writes


@pytest.mark.slow
def test_a_model_added_without_regenerating_is_named_then_refreshed(tmp_path):
    project = _copy_project(tmp_path)
    _add_model(project, "ind_school_readiness__gld_copy")
    line = stale_union_line(project)
    assert line and "does not collect ind_school_readiness__gld_copy" in line
    assert "chorus dbt-refresh" in line
    # Plain dbt stops on it too, naming the model and the fix.
    compiled = _dbt(project, "compile", "--select", "int_indicator_values_collected")
    assert compiled.returncode != 0
    assert (
        "int_indicator_values_collected does not collect ind_school_readiness__gld_copy"
        in compiled.stdout
    )
    assert refresh_union(project) == project / UNION_MODEL
    assert "ind_school_readiness__gld_copy" in _refs(project / UNION_MODEL)
    assert stale_union_line(project) is None
    assert refresh_union(project) is None  # nothing to write the second time
    # A model removed by hand is named too.
    (project / "models" / "indicators" / "ind_school_readiness__gld_copy.sql").unlink()
    line = stale_union_line(project)
    assert line and "collects ind_school_readiness__gld_copy, not in" in line


@pytest.mark.slow
def test_plain_dbt_parses_and_documents_the_project_without_chorus(tmp_path):
    project = _copy_project(tmp_path)
    parsed = _dbt(project, "parse")
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    union = manifest["nodes"]["model.chorus.int_indicator_values_collected"]
    collected = {node.split(".")[-1] for node in union["depends_on"]["nodes"]}
    assert collected == {path.stem for path in MODELS.glob("*.sql")}


@pytest.mark.slow
def test_chorus_run_stops_before_dbt_on_a_stale_union(tmp_path):
    project = _copy_project(tmp_path)
    _add_model(project, "ind_school_readiness__gld_copy")
    shutil.copy(
        MODELS / "ind_school_readiness__gld.yml",
        project / "models" / "indicators" / "ind_school_readiness__gld_copy.yml",
    )
    yml = project / "models" / "indicators" / "ind_school_readiness__gld_copy.yml"
    yml.write_text(
        yml.read_text()
        .replace("name: ind_school_readiness__gld", "name: ind_school_readiness__gld_copy")
        .replace("indicator_id: gld", "indicator_id: gld_copy")
    )
    env = {
        **os.environ,
        "CHORUS_DBT_PROJECT": str(project),
        "CHORUS_HOME": str(tmp_path / "h"),
        "CHORUS_PACKS": "none",
    }
    chorus = [sys.executable, "-m", "orchestration.cli"]
    landing = tmp_path / "landing"
    synth = subprocess.run(
        [
            *chorus,
            "synth",
            "--out",
            str(landing),
            "--children-per-year",
            "200",
            "--years",
            "2023/24",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert synth.returncode == 0, synth.stderr
    run = subprocess.run(
        [*chorus, "run", "--landing", str(landing), "--out", str(tmp_path / "out")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert run.returncode == 1
    line, _ = one_line_and_the_log(run.stderr, run.stdout)
    assert "does not collect ind_school_readiness__gld_copy" in line
    assert "chorus dbt-refresh" in line
    assert not (project / "target").exists() and not (tmp_path / "out").exists()
