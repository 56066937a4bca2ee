"""The README's walk-through for adding a source: scaffold, validate the fixture, land it,
run, and find its raw table and staging model built (identifiers replaced at the door)."""

import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.new_source import scaffold_source
from tests import RUN_CHILDREN
from tests.project_copy import ROOT, chorus, project_copy


def _project_copy(tmp_path: Path) -> tuple[Path, Path]:
    """sources/ and dbt_project/models/staging as the project has them."""
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    staging = tmp_path / "dbt" / "models" / "staging"
    shutil.copytree(ROOT / "dbt_project" / "models" / "staging", staging)
    return sources, tmp_path / "dbt"


def _files(*folders: Path) -> set[str]:
    return {str(path) for folder in folders for path in folder.rglob("*")}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Home Visits", "'Home Visits' is not a source name: lower case letters, digits and"),
        ("9visits", "'9visits' is not a source name"),
        ("home-visits", "'home-visits' is not a source name"),
        ("eyfsp", "'eyfsp' cannot be a new source's name: it is already a source"),
        ("voice", "'voice' cannot be a new source's name: it is already a source"),
        ("seeds", "'seeds' cannot be a new source's name: it is the landing area's folder for"),
        ("sources", "'sources' cannot be a new source's name: it is the folder of the source"),
        ("reference", "'reference' cannot be a new source's name: it is the kind of the"),
        ("statutory", "'statutory' cannot be a new source's name: it is the name of a stream"),
        ("standalone", "'standalone' cannot be a new source's name: it is the name of a stream"),
        ("school_census", "it is or would make raw.school_census, already a raw table"),
        ("quarantine", "it is or would make raw.quarantine, already a raw table"),
        ("load_log", "it is or would make raw.load_log, already a raw table"),
        ("neighbourhood_lookup", "would make raw.neighbourhood_lookup, already a raw table"),
    ],
)
def test_a_refused_name_writes_nothing_and_says_why_in_one_line(tmp_path, name, expected):
    sources, dbt = _project_copy(tmp_path)
    before = _files(sources, dbt)
    with pytest.raises(ValueError) as refused:
        scaffold_source(name, sources, dbt, ROOT / "seeds")
    message = str(refused.value)
    assert expected in message and "\n" not in message
    assert _files(sources, dbt) == before


def test_a_name_clashing_with_a_staging_model_is_refused(tmp_path):
    sources, dbt = _project_copy(tmp_path)
    (dbt / "models" / "staging" / "stg_visits__records.sql").write_text("select 1\n")
    before = _files(sources, dbt)
    with pytest.raises(ValueError) as refused:
        scaffold_source("visits", sources, dbt, ROOT / "seeds")
    assert str(refused.value) == (
        "'visits' cannot be a new source's name: it is the prefix of staging models "
        "(stg_visits__records.sql): choose another name"
    )
    assert _files(sources, dbt) == before


def test_a_broken_existing_spec_stops_the_scaffold_before_it_writes(tmp_path):
    sources, dbt = _project_copy(tmp_path)
    spec = sources / "census" / "base.yml"
    spec.write_text(spec.read_text().replace("landing_order: 2", "landing_order: two"))
    before = _files(sources, dbt)
    with pytest.raises(ValueError) as refused:
        scaffold_source("home_visits", sources, dbt, ROOT / "seeds")
    assert str(refused.value) == (
        "the source specs have problems, correct them first: sources/census/base.yml: "
        "landing_order: must be a whole number, not text 'two'"
    )
    assert _files(sources, dbt) == before


def test_the_cli_refuses_a_reserved_name_in_one_line_and_writes_nothing(tmp_path):
    sources, dbt = _project_copy(tmp_path)
    before = _files(sources, dbt)
    env = {**os.environ, "CHORUS_SOURCES": str(sources), "CHORUS_DBT_PROJECT": str(dbt)}
    done = chorus("new-source", "seeds", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "chorus: 'seeds' cannot be a new source's name: it is the landing area's folder for "
        "the reference files: choose another name"
    ]
    assert _files(sources, dbt) == before


@pytest.mark.pipeline
def test_walk_through_from_scaffold_to_raw_table_and_staging_model(tmp_path):
    project, env = project_copy(tmp_path, "a walk-through key, long enough and varied")
    home = tmp_path / "home"

    # 1. Scaffold: the spec, the staging model, the fixture; dbt's sources and the docs follow.
    made = chorus("new-source", "home_visits", env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    spec = project / "sources" / "home_visits" / "base.yml"
    staging = project / "dbt_project" / "models" / "staging" / "stg_home_visits__records.sql"
    fixture = project / "sources" / "home_visits" / "fixture" / "home_visits" / "2023-24"
    assert spec.is_file() and staging.is_file() and (fixture / "home_visits.csv").is_file()
    sources_yml = (project / "dbt_project" / "models" / "staging" / "_sources.yml").read_text()
    assert "- name: home_visits_records" in sources_yml
    assert "## `home_visits/<YYYY-YY>/*.csv|xlsx`" in (project / "docs" / "inputs.md").read_text()
    again = chorus("new-source", "home_visits", env=env, cwd=tmp_path)
    assert again.returncode == 1 and "it is already a source" in again.stderr

    # 2. The fixture alone publishes nothing (the README says why the borough is landed too).
    alone = tmp_path / "alone"
    shutil.copytree(fixture, alone / "home_visits" / "2023-24")
    stopped = chorus(
        "run",
        "--landing",
        str(alone),
        "--out",
        str(tmp_path / "alone-output"),
        env={**env, "CHORUS_HOME": str(tmp_path / "alone-home")},
        cwd=tmp_path,
    )
    assert stopped.returncode != 0
    assert "nothing can be published: no indicator has every kind of return it reads" in (
        stopped.stderr
    )
    assert "the headline indicator, gld, reads EYFSP (eyfsp/) and census (census/)" in (
        stopped.stderr
    )

    # Land the fixture beside a synthetic borough's returns, and validate it first.
    landing = tmp_path / "landing"
    synth = chorus(
        "synth",
        "--out",
        str(landing),
        "--children-per-year",
        str(RUN_CHILDREN),
        "--years",
        "2023/24",
        env=env,
        cwd=tmp_path,
    )
    assert synth.returncode == 0, synth.stderr
    shutil.copytree(fixture, landing / "home_visits" / "2023-24")
    checked = chorus("validate", str(landing / "home_visits"), env=env, cwd=tmp_path)
    assert checked.returncode == 1
    assert (
        "home_visits/2023-24/home_visits.csv, row 7, column outcome: outcome is 'X': outcome "
        "must be Y (yes), N (no) [outcome_code]"
    ) in checked.stdout
    assert "6 rows read, 5 would load, 1 would be quarantined" in checked.stdout

    # 3. Run: the other rows load and everything publishes.
    output = tmp_path / "output"
    run = chorus("run", "--landing", str(landing), "--out", str(output), env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr + run.stdout

    # 4. The raw table and the staging model hold the five good records, no identifier.
    with duckdb.connect(str(home / "chorus.duckdb"), read_only=True) as connection:
        raw = connection.execute("select * from raw.home_visits_records").df()
        staged = connection.execute("select * from staging.stg_home_visits__records").df()
    assert sorted(raw["record_id"]) == ["R001", "R002", "R003", "R004", "R005"]
    assert {"upn", "surname", "postcode", "record_date"}.isdisjoint(raw.columns)
    assert set(raw["record_month"]) == {"2023-10", "2023-11", "2023-12"}
    assert set(raw["postcode_sector"]) <= {"XH1 1", "XH1 2", "XH1 3", "XH2 1", "XH2 2"}
    assert raw["child_id"].str.fullmatch(r"[0-9a-f]{16,}").all()
    assert sorted(staged["score"].tolist()) == [40, 50, 60, 70, 80]
    rejections = pd.read_csv(output / "quality" / "rejections.csv", dtype=str)
    mine = rejections[rejections["file"] == "home_visits/2023-24/home_visits.csv"]
    assert mine[["row", "column", "rule"]].values.tolist() == [["7", "outcome", "outcome_code"]]
    summary = pd.read_csv(output / "quality" / "load_summary.csv", dtype=str)
    account = summary[summary["file"] == "home_visits/2023-24/home_visits.csv"]
    assert account[["rows_read", "rows_loaded", "rows_quarantined"]].values.tolist() == [
        ["6", "5", "1"]
    ]


def test_the_scaffolded_spec_loads_as_every_example_in_it_says(tmp_path):
    from indicators.sources.load import load_spec

    spec_path, _, _ = scaffold_source("home_visits", tmp_path / "sources", tmp_path, ROOT / "seeds")
    spec = load_spec(spec_path.parent)
    assert spec.required == ("record_id", "upn", "record_date", "postcode", "outcome", "score")
    assert spec.raw_columns == (
        "academic_year",
        "time_period",
        "record_id",
        "child_id",
        "record_month",
        "postcode_sector",
        "outcome",
        "score",
        "_source_file",
        "_source_row",
    )
    assert spec.key_message == (
        "the same record_id '{value}' also appears at {places}: keep one, land again"
    )


def test_specs_copied_outside_the_project_need_a_dbt_project_copy_too(tmp_path):
    sources, dbt = _project_copy(tmp_path)
    project_files = _files(ROOT / "dbt_project" / "models", ROOT / "docs")
    before = _files(sources)
    env = {**os.environ, "CHORUS_SOURCES": str(sources)}
    env.pop("CHORUS_DBT_PROJECT", None)
    done = chorus("new-source", "foo_try", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"chorus: CHORUS_SOURCES ({sources}) is outside the project but the dbt project is "
        f"the project's own ({ROOT / 'dbt_project'}): set CHORUS_DBT_PROJECT to a copy of "
        "dbt_project too, so the staging model, dbt's sources and docs/inputs.md are written "
        "beside the copy, not into the project"
    ]
    assert _files(sources) == before
    assert _files(ROOT / "dbt_project" / "models", ROOT / "docs") == project_files
