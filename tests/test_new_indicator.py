"""The README's walk-through for analysts: scaffold, fill, run, see it published."""

import pandas as pd
import pytest
import yaml

from indicators.publish.register import load_register, metadata_problems
from orchestration.scaffold import scaffold_indicator
from tests import RUN_CHILDREN
from tests.console import one_line_and_the_log
from tests.project_copy import chorus, fill_scaffolded_yaml, project_copy


def test_a_scaffold_left_unfilled_is_reported_field_by_field(tmp_path):
    sql, yml = scaffold_indicator("school_readiness__example", tmp_path)
    meta = yaml.safe_load(yml.read_text())["models"][0]["config"]["meta"]["indicator"]
    register = pd.DataFrame([{"model": "ind_school_readiness__example", **meta}])
    problems = metadata_problems(register)
    assert any("meta.indicator.title still says" in p for p in problems)
    still_todo = [p for p in problems if "still says" in p]
    # every field but the id, the relations, and the levels and period type, which the
    # scaffold declares as the children's macro produces them
    assert len(still_todo) == len(meta) - 4
    assert meta["levels"] == ["Local authority", "Neighbourhood"]
    assert meta["period_type"] == "academic_year"
    # The relations come with the areas and breakdowns of the macro; the rules are to do.
    assert meta["relations"]["breakdowns"]["Sex"] == {
        "kind": "partition",
        "groups": ["Female", "Male"],
    }
    # every child breakdown of the macro, ethnicity with DfE's major groups
    assert list(meta["relations"]["breakdowns"]) == [
        "All",
        "Sex",
        "FSM eligibility",
        "First language",
        "SEN provision",
        "Season of birth",
        "Ethnicity",
    ]
    assert meta["relations"]["breakdowns"]["Ethnicity"]["groups"][-1] == "Unclassified"
    assert [p for p in problems if "meta.indicator.relations.rules must be a list" in p]
    assert "TODO_condition" in sql.read_text()


@pytest.mark.pipeline
def test_walk_through_from_scaffold_to_published_tables(tmp_path):
    project, env = project_copy(tmp_path, "walk-through", sources=False)

    # 1. Scaffold.
    made = chorus(
        "new-indicator", "school_readiness__most_goals_expected", env=env, cwd=tmp_path, timeout=600
    )
    assert made.returncode == 0, made.stderr
    models = project / "dbt_project" / "models" / "indicators"
    sql = models / "ind_school_readiness__most_goals_expected.sql"
    yml = models / "ind_school_readiness__most_goals_expected.yml"
    assert sql.exists() and yml.exists()
    union = models.parent / "intermediate" / "int_indicator_values_collected.sql"
    assert "ref('ind_school_readiness__most_goals_expected')" in union.read_text()

    # 2. Run it unfilled: stopped before dbt, each file and field named on one line.
    landing, output = tmp_path / "landing", tmp_path / "output"
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
    early = chorus(
        "run", "--landing", str(landing), "--out", str(output), env=env, cwd=tmp_path, timeout=600
    )
    assert early.returncode == 1
    last, _ = one_line_and_the_log(early.stderr, early.stdout)
    assert f"{yml}: still TODO: description, title, definition, rationale" in last
    assert f"{sql}: still TODO: line 1, line 5 (TODO_condition)" in last
    assert "Binder Error" not in early.stderr + early.stdout and not output.exists()
    assert not list((project / "dbt_project" / "target").glob("chorus_dbt_models-*"))

    # 3. Fill in the condition and every metadata field, as an analyst would.
    sql.write_text(
        sql.read_text()
        .replace(
            "-- TODO: one line", "-- Children at expected in at least 14 of the 17 goals. One line"
        )
        .replace("count_where('TODO_condition')", "count_where('elgs_at_expected >= 14')")
    )
    document, meta = fill_scaffolded_yaml(
        yml,
        description="Children at the expected level in at least 14 of the 17 goals.",
        title="Children at expected in most early learning goals",
        co_designed_on="2026-11-25",
        note="the walk-through",
    )
    meta["relations"]["rules"] = [  # the same children as GLD; all 17 goals is at least 14
        {"kind": "equal", "left": "denominator", "right": "gld.denominator"},
        {"kind": "at_most", "left": "all_elgs_expected.numerator", "right": "numerator"},
    ]
    yml.write_text(yaml.safe_dump(document, sort_keys=False))

    # 4. Run.
    run = chorus(
        "run", "--landing", str(landing), "--out", str(output), env=env, cwd=tmp_path, timeout=600
    )
    assert run.returncode == 0, run.stderr + run.stdout

    # 5. The indicator is in the register and the published values.
    register = pd.read_csv(output / "register" / "indicators.csv", dtype=str)
    row = register[register["indicator_id"] == "most_goals_expected"]
    assert row["title"].tolist() == ["Children at expected in most early learning goals"]
    values = pd.read_csv(output / "indicators" / "indicator_values.csv", dtype=str)
    mine = values[values["indicator_id"] == "most_goals_expected"]
    assert set(mine["geographic_level"]) == {"Local authority", "Neighbourhood"}
    assert "most_goals_expected" in (output / "register" / "index.html").read_text()
    manifest_register = load_register(project / "dbt_project" / "target" / "manifest.json")
    assert "most_goals_expected" in set(manifest_register["indicator_id"])

    # 6. dbt's documentation builds and carries the metadata.
    docs = chorus("dbt", "--", "docs", "generate", env=env, cwd=tmp_path, timeout=600)
    assert docs.returncode == 0, docs.stdout + docs.stderr
    target = project / "dbt_project" / "target"
    assert (target / "index.html").exists() and (target / "catalog.json").exists()
    documented = load_register(target / "manifest.json")
    row = documented[documented["indicator_id"] == "most_goals_expected"]
    assert row["title"].tolist() == ["Children at expected in most early learning goals"]
