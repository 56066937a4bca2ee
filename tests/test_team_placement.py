"""Rows placed by team, by district or LA-wide (issue 13, geographies): the spec check's
words for a bad placement block, and the real ingest path (the standalone stream, as
`chorus run` loads it) quarantining a row whose team is not in the LA's list of teams while
the rest load. Every expected message and value is written out by hand."""

import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from indicators.config import ChorusSettings
from indicators.ingest.streams import STANDALONE, load_stream
from indicators.ingest.validate import validate_paths
from indicators.sources.load import SpecInvalid, load_spec
from orchestration.new_source import scaffold_source
from tests import RUN_CHILDREN
from tests.project_copy import chorus, fill_scaffolded_yaml, upn_of

ROOT = Path(__file__).resolve().parents[1]

SPEC = """\
source: visits
title: family visits
description: One row per family visit.
period: academic_year
stream: standalone
raw_table: {name: family_visits, description: One row per visit.}
columns:
  - {name: visit_id, type: text, identifier: keep}
  - {name: team, type: code, identifier: keep}
  - {name: district, type: code, identifier: keep}
  - {name: la, type: code, identifier: keep}
"""


def _refusal(tmp_path: Path, text: str) -> list[str]:
    folder = tmp_path / "sources" / "visits"
    folder.mkdir(parents=True)
    (folder / "base.yml").write_text(text, encoding="utf-8")
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    return refused.value.problems


@pytest.mark.parametrize(
    ("placement", "expected"),
    [
        (
            "{method: parish, column: team}",
            "sources/visits/base.yml: placement.method: 'parish' must be one of "
            "postcode_sector, team, district, la_wide",
        ),
        (
            "{method: team}",
            "sources/visits/base.yml: placement.column: missing: name the column holding the "
            "team code",
        ),
        (
            "{method: district, column: ward}",
            "sources/visits/base.yml: placement.column: 'ward' is not a column",
        ),
        (
            "{method: la_wide, column: la}",
            "sources/visits/base.yml: placement.authority: missing: name the column holding "
            "the LA number",
        ),
        (
            "{method: la_wide, authority: la_number}",
            "sources/visits/base.yml: placement.authority: 'la_number' is not a column",
        ),
        (
            "{method: team, column: team, authority: la}",
            "sources/visits/base.yml: placement.authority: not used by method team (it takes "
            "only column: and within:)",
        ),
        (
            "{method: team, column: team, within: district}",
            "sources/visits/base.yml: placement.within: 'district' must be authority (the "
            "teams are counted directly in their authority, never in a district), or left out",
        ),
        (
            "{method: postcode_sector, column: team, within: authority}",
            "sources/visits/base.yml: placement.within: not used by method postcode_sector "
            "(only by team)",
        ),
        (
            "{method: district, column: district, within: authority}",
            "sources/visits/base.yml: placement.within: not used by method district (it takes "
            "only column:)",
        ),
    ],
)
def test_a_bad_placement_block_is_refused_in_one_line(tmp_path, placement, expected):
    assert _refusal(tmp_path, SPEC + f"placement: {placement}\n") == [expected]


def test_only_a_standalone_source_is_placed_by_team(tmp_path):
    text = SPEC.replace("stream: standalone", "stream: statutory")
    assert _refusal(tmp_path, text + "placement: {method: team, column: team}\n") == [
        "sources/visits/base.yml: placement.method: 'team' places rows of a standalone source "
        "only (stream: standalone); this one is loaded by its own stream"
    ]


@pytest.mark.parametrize(
    "placement",
    [
        "{method: team, column: team}",
        "{method: team, column: team, within: authority}",
        "{method: district, column: district}",
        "{method: la_wide, authority: la}",
    ],
)
def test_a_good_placement_block_reads_as_written(tmp_path, placement):
    folder = tmp_path / "sources" / "visits"
    folder.mkdir(parents=True)
    (folder / "base.yml").write_text(SPEC + f"placement: {placement}\n", encoding="utf-8")
    spec = load_spec(folder)
    assert spec.placement["method"] in placement
    assert "team" in spec.raw_columns and "district" in spec.raw_columns


HEADER = "record_id,upn,surname,record_date,postcode,outcome,score,team\n"
TEAMS = (
    "team_code,team_name,new_la_code\n"
    "EH-N,Early Help North,E08000005\n"
    "EH-S,Early Help South,E08000005\n"
    "EH-X,,E08000005\n"
)


class Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, msg: str) -> None:
        self.lines.append(msg)

    warning = error = info


@pytest.fixture
def by_team(tmp_path, monkeypatch):
    """A scaffolded source placed by team, in a copy of sources/, with a copy of seeds/
    (CHORUS_SEEDS) whose teams.csv lists two teams, and a third whose name is blank."""
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    spec, _, _ = scaffold_source("home_visits", sources, tmp_path / "dbt", ROOT / "seeds")
    text = spec.read_text(encoding="utf-8")
    placed = (
        "placement:                     # how a row is placed in an area (docs/inputs.md)\n"
        "  method: postcode_sector      # in a neighbourhood, by its sector in the lookup below\n"
        "  column: postcode\n"
        "  lookup: seeds/neighbourhood_lookup.csv\n"
    )
    assert placed in text
    text = text.replace(placed, "placement: {method: team, column: team}\n")
    text += "  - {name: team, type: code, identifier: keep, show_rejected: true}\n"
    spec.write_text(text, encoding="utf-8")
    monkeypatch.setenv("CHORUS_SOURCES", str(sources))
    monkeypatch.setenv("CHORUS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CHORUS_PSEUDONYM_KEY", "a team placement test key, long and varied")
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    (seeds / "teams.csv").write_text(TEAMS, encoding="utf-8")
    monkeypatch.setenv("CHORUS_SEEDS", str(seeds))
    for name in ("CHORUS_LANDING", "CHORUS_ALLOW_DEMO_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = ChorusSettings.from_env()
    path = settings.landing / "home_visits" / "2023-24" / "visits.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        HEADER + "R001,Z35400010000A,Example,2023-10-01,XH1 1AB,Y,40,EH-N\n"
        "R002,M35400010001A,Example,2023-11-02,XH1 2AB,N,50,EH-S\n"
        "R003,A35400010002A,Example,2023-12-03,XH1 3AB,Y,60,EH-Q\n"
        "R004,N35400010003A,Example,2024-01-04,XH2 1AB,N,70, EH-N \n"
        "R005,B35400010004A,Example,2024-02-05,XH2 2AB,Y,80,EH-X\n",
        encoding="utf-8",
    )
    return settings


def test_a_row_whose_team_is_not_listed_is_quarantined_and_the_rest_load(by_team):
    settings = by_team
    results = load_stream(settings, STANDALONE, ["2023-24"], None, Lines())
    assert {result.year: result.status for result in results} == {"2023/24": "loaded"}
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select record_id, team from raw.home_visits_records order by record_id"
        ).fetchall()
        quarantined = connection.execute(
            "select file, row, column_name, rule, message from raw.quarantine "
            "where kind = 'home_visits' order by row"
        ).fetchall()
        log = connection.execute(
            "select file, rows_read, rows_loaded, rows_quarantined from raw.load_log "
            "where kind = 'home_visits'"
        ).fetchall()
    assert rows == [("R001", "EH-N"), ("R002", "EH-S"), ("R004", "EH-N")]
    assert quarantined == [
        (
            "home_visits/2023-24/visits.csv",
            4,
            "team",
            "team_unknown",
            "team 'EH-Q' is not in seeds/teams.csv: add it there or correct the team",
        ),
        (
            "home_visits/2023-24/visits.csv",
            6,
            "team",
            "team_unknown",
            "team 'EH-X' has its row in seeds/teams.csv set aside: row 4 has no team_name; "
            "correct seeds/teams.csv and run again",
        ),
    ]
    assert log == [("home_visits/2023-24/visits.csv", 5, 3, 2)]


def test_chorus_validate_names_the_unlisted_team_and_the_teams_row_set_aside(by_team):
    lines = validate_paths([by_team.landing], by_team.seeds).format()
    assert any(
        "home_visits/2023-24/visits.csv, row 4, column team: team 'EH-Q' is not in "
        "seeds/teams.csv: add it there or correct the team [team_unknown]" in line
        for line in lines
    ), lines
    assert any(
        "seeds/teams.csv, row 4, column team_name: team_name is blank: every team needs its "
        "team_code, team_name, new_la_code; the row is set aside [team_list_blank]" in line
        for line in lines
    ), lines


def test_a_team_in_a_district_is_quarantined_where_teams_are_directly_in_their_authority(
    by_team,
):
    """`within: authority` (the care leavers' sources: their indicators publish teams and
    the authority, never districts): a row of a team teams.csv puts in a district is
    quarantined, saying what to do; a team whose district_code names no district of its
    authority is counted directly in it (team_district_unknown names the list's row), so its
    rows load, as do those of the teams without a district."""
    spec = Path(os.environ["CHORUS_SOURCES"]) / "home_visits" / "base.yml"
    text = spec.read_text(encoding="utf-8")
    placed = "placement: {method: team, column: team}\n"
    spec.write_text(
        text.replace(placed, "placement: {method: team, column: team, within: authority}\n"),
        encoding="utf-8",
    )
    (by_team.seeds / "teams.csv").write_text(
        "team_code,team_name,new_la_code,district_code\n"
        "EH-N,Early Help North,E08000005,E07000901\n"  # in a district
        "EH-S,Early Help South,E08000005,\n"
        "EH-X,Early Help X,E08000005,E07000999\n",  # no such district: in the authority
        encoding="utf-8",
    )
    (by_team.seeds / "districts.csv").write_text(
        "district_code,district_name,new_la_code\nE07000901,North District,E08000005\n",
        encoding="utf-8",
    )
    message = (
        "team 'EH-N' is in district E07000901 (its district_code in seeds/teams.csv), but a "
        "team of the home visits is counted directly in its authority: correct the team to a "
        "team that is in no district, or blank that team's district_code"
    )
    lines = validate_paths([by_team.landing], by_team.seeds).format()
    for row in (2, 5):
        line = f"home_visits/2023-24/visits.csv, row {row}, column team: {message} "
        assert line + "[team_in_district]" in lines, lines
    load_stream(by_team, STANDALONE, ["2023-24"], None, Lines())
    with duckdb.connect(str(by_team.warehouse), read_only=True) as connection:
        loaded = connection.execute(
            "select record_id, team from raw.home_visits_records order by record_id"
        ).fetchall()
        quarantined = connection.execute(
            "select row, column_name, rule, message from raw.quarantine "
            "where kind = 'home_visits' order by row"
        ).fetchall()
    assert loaded == [("R002", "EH-S"), ("R005", "EH-X")]
    assert quarantined == [
        (2, "team", "team_in_district", message),
        (4, "team", "team_unknown", "team 'EH-Q' is not in seeds/teams.csv: add it there or "
         "correct the team"),
        (5, "team", "team_in_district", message),
    ]  # fmt: skip


def test_a_team_of_an_unknown_authority_or_with_a_taken_code_is_set_aside(by_team):
    """A team whose authority is not in the LA list could be counted nowhere (dbt joins it to
    its authority), and a team coded like a neighbourhood would be two areas under one code:
    both rows of teams.csv are set aside, and the visits placed in them are quarantined."""
    (by_team.seeds / "teams.csv").write_text(
        TEAMS + "EH-Z,Early Help Elsewhere,E99999998\nHD01,Central Team,E08000005\n",
        encoding="utf-8",
    )
    visits = by_team.landing / "home_visits" / "2023-24" / "visits.csv"
    visits.write_text(
        visits.read_text(encoding="utf-8")
        + f"R006,{upn_of(900)},Example,2024-02-06,XH2 2AB,Y,80,EH-Z\n"
        f"R007,{upn_of(901)},Example,2024-02-07,XH2 2AB,Y,80,HD01\n",
        encoding="utf-8",
    )
    lines = validate_paths([by_team.landing], by_team.seeds).format()
    for expected in (
        "seeds/teams.csv, row 5, column new_la_code: its new_la_code E99999998 is not in "
        "seeds/local_authorities.csv: the row is set aside [team_authority_unknown]",
        "seeds/teams.csv, row 6, column team_code: its code HD01 is already used by "
        "neighbourhood Harrowdale Central: the row is set aside [team_code_taken]",
    ):
        assert any(expected in line for line in lines), lines
    load_stream(by_team, STANDALONE, ["2023-24"], None, Lines())
    with duckdb.connect(str(by_team.warehouse), read_only=True) as connection:
        loaded = connection.execute(
            "select record_id from raw.home_visits_records order by record_id"
        ).fetchall()
        quarantined = connection.execute(
            "select row, message from raw.quarantine where kind = 'home_visits' and row >= 7 "
            "order by row"
        ).fetchall()
    assert loaded == [("R001",), ("R002",), ("R004",)]
    assert quarantined == [
        (
            7,
            "team 'EH-Z' has its row in seeds/teams.csv set aside: row 5: its new_la_code "
            "E99999998 is not in seeds/local_authorities.csv; correct seeds/teams.csv and run "
            "again",
        ),
        (
            8,
            "team 'HD01' has its row in seeds/teams.csv set aside: row 6: its code HD01 is "
            "already used by neighbourhood Harrowdale Central; correct seeds/teams.csv and run "
            "again",
        ),
    ]


def test_a_row_whose_la_number_is_not_listed_is_quarantined_when_placed_la_wide(
    tmp_path, monkeypatch
):
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    spec, _, _ = scaffold_source("home_visits", sources, tmp_path / "dbt", ROOT / "seeds")
    text = spec.read_text(encoding="utf-8")
    start, end = text.index("placement:"), text.index("# matching:")
    text = text[:start] + "placement: {method: la_wide, authority: la_code}\n" + text[end:]
    text += "  - {name: la_code, type: code, identifier: keep, show_rejected: true}\n"
    spec.write_text(text, encoding="utf-8")
    monkeypatch.setenv("CHORUS_SOURCES", str(sources))
    monkeypatch.setenv("CHORUS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CHORUS_PSEUDONYM_KEY", "an LA-wide placement test key, long and varied")
    for name in ("CHORUS_LANDING", "CHORUS_SEEDS", "CHORUS_ALLOW_DEMO_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = ChorusSettings.from_env()
    path = settings.landing / "home_visits" / "2023-24" / "visits.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        HEADER.replace(",team", ",la_code")
        + "R001,Z35400010000A,Example,2023-10-01,XH1 1AB,Y,40,354\n"
        "R002,M35400010001A,Example,2023-11-02,XH1 2AB,N,50,998\n",
        encoding="utf-8",
    )
    load_stream(settings, STANDALONE, ["2023-24"], None, Lines())
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select record_id, la_code from raw.home_visits_records"
        ).fetchall()
        quarantined = connection.execute(
            "select row, column_name, rule, message from raw.quarantine where kind = 'home_visits'"
        ).fetchall()
    assert rows == [("R001", "354")], quarantined
    assert quarantined == [
        (
            3,
            "la_code",
            "la_code_unknown",
            "LA number '998' is not in seeds/local_authorities.csv: add it there or correct "
            "the la_code",
        )
    ]


# End to end: a scaffolded source placed by team, an indicator over it by team and for the
# authority, `chorus run`, the published table. ------------------------------------------

LA_CODE = "E99000999"  # `chorus synth`'s authority (its landing seeds/local_authorities.csv)
E2E_TEAMS = (
    "team_code,team_name,new_la_code\n"
    f"EH-N,Early Help North,{LA_CODE}\n"
    f"EH-S,Early Help South,{LA_CODE}\n"
    f"EH-W,Early Help West,{LA_CODE}\n"
    "EH-Z,Early Help Elsewhere,E99999998\n"  # no such authority: set aside
    f"HD01,Central Team,{LA_CODE}\n"  # a neighbourhood's code: set aside
)
# team -> (records, of which outcome Y)
VISITS = {"EH-N": (30, 12), "EH-S": (25, 3), "EH-W": (40, 20)}

INDICATOR_SQL = """-- Visits with outcome Y, by team and for the authority.
{{ indicator_over_rows(
    indicator_id='visit_outcome',
    value_type='proportion',
    rows=ref('stg_home_visits__records'),
    numerator=count_where("outcome = 'Y'"),
    total_group='All visits',
    levels=('Team', 'Local authority'),
) }}
"""


def _visits_file() -> str:
    lines = [HEADER]
    number = 0
    for team, (records, yes) in VISITS.items():
        for index in range(records):
            number += 1
            outcome = "Y" if index < yes else "N"
            lines.append(
                f"R{number:03d},{upn_of(20_000 + number)},Example,2023-10-{1 + index % 28:02d},"
                f"XH1 1AB,{outcome},50,{team}\n"
            )
    return "".join(lines)


@pytest.mark.pipeline
def test_a_source_placed_by_team_is_published_by_team_and_for_the_authority(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(
        ROOT / "dbt_project",
        project / "dbt_project",
        ignore=shutil.ignore_patterns("target", "logs"),
    )
    shutil.copytree(ROOT / "seeds", project / "seeds")
    shutil.copytree(ROOT / "sources", project / "sources")
    (project / "seeds" / "teams.csv").write_text(E2E_TEAMS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHORUS_")}
    env.update(
        CHORUS_DBT_PROJECT=str(project / "dbt_project"),
        CHORUS_SOURCES=str(project / "sources"),
        CHORUS_SEEDS=str(project / "seeds"),
        CHORUS_HOME=str(tmp_path / "home"),
        CHORUS_PSEUDONYM_KEY="a team walk-through key, long enough and varied",
        CHORUS_PACKS="none",
    )

    # The source: scaffolded, placed by team, its staging model ending with the rows placed.
    made = chorus("new-source", "home_visits", env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stdout + made.stderr
    spec = project / "sources" / "home_visits" / "base.yml"
    text = spec.read_text(encoding="utf-8")
    start = text.index("placement:")
    end = text.index("# matching:")
    text = text[:start] + "placement: {method: team, column: team}\n" + text[end:]
    text += "  - {name: team, type: code, identifier: keep, show_rejected: true}\n"
    spec.write_text(text, encoding="utf-8")
    staging = project / "dbt_project" / "models" / "staging" / "stg_home_visits__records.sql"
    sql = staging.read_text(encoding="utf-8")
    assert "        outcome,\n" in sql and sql.endswith("select * from renamed\n")
    sql = sql.replace("        outcome,\n", "        outcome,\n        team,\n")
    sql = sql.removesuffix("select * from renamed\n") + (
        "{{ placed_rows('renamed', 'team', 'team') }}\n"
    )
    staging.write_text(sql, encoding="utf-8")
    refreshed = chorus("dbt-refresh", env=env, cwd=tmp_path)
    assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr

    # The indicator: by team and for the authority.
    scaffolded = chorus("new-indicator", "early_help__visit_outcome", env=env, cwd=tmp_path)
    assert scaffolded.returncode == 0, scaffolded.stdout + scaffolded.stderr
    models = project / "dbt_project" / "models" / "indicators"
    (models / "ind_early_help__visit_outcome.sql").write_text(INDICATOR_SQL, encoding="utf-8")
    yml = models / "ind_early_help__visit_outcome.yml"
    document, meta = fill_scaffolded_yaml(
        yml,
        description="Visits whose outcome was Y, by Early Help team.",
        title="Visits with a good outcome",
        co_designed_on="2026-11-25",
        note="the walk-through",
    )
    meta["levels"] = ["Local authority", "Team"]
    meta["relations"] = {
        "areas": "add_up",
        "absent_cells": "zero",
        "breakdowns": {"All": {"kind": "total", "groups": ["All visits"]}},
        "rules": [],
    }
    yml.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")

    # The demo borough's returns, and the visits.
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
    authorities = (landing / "seeds" / "local_authorities.csv").read_text(encoding="utf-8")
    assert f"999,{LA_CODE},Harrowdale (synthetic)" in authorities
    # synth lists the borough's personal adviser teams in the landing area's seeds/teams.csv,
    # which overrides the project's: the LA's Early Help teams join them there.
    landed_teams = landing / "seeds" / "teams.csv"
    listed = landed_teams.read_text(encoding="utf-8")
    landed_teams.write_text(listed + E2E_TEAMS.split("\n", 1)[1], encoding="utf-8")
    visits = landing / "home_visits" / "2023-24" / "visits.csv"
    visits.parent.mkdir(parents=True)
    visits.write_text(_visits_file(), encoding="utf-8")

    run = chorus("run", "--landing", str(landing), "--out", str(output), env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    values = pd.read_csv(output / "indicators" / "indicator_values.csv", dtype=str)
    mine = values[values["indicator_id"] == "visit_outcome"]
    published = {
        (row.geographic_level, row.area_code, row.area_name): (
            row.numerator,
            row.denominator,
            row.value,
        )
        for row in mine.itertuples()
    }
    # 35 of 95 visits had outcome Y (12 + 3 + 20): 36.8%. Early Help South's 3 of 25 is
    # below the threshold (10), so it is `c`, and so is one more team (else South's count
    # would be the authority's less the other two).
    assert published[("Local authority", LA_CODE, "Harrowdale (synthetic)")] == ("35", "95", "36.8")
    assert {key for key in published if key[0] == "Team"} == {
        ("Team", "EH-N", "Early Help North"),
        ("Team", "EH-S", "Early Help South"),
        ("Team", "EH-W", "Early Help West"),
    }
    assert published[("Team", "EH-S", "Early Help South")][0] == "c"
    north = published[("Team", "EH-N", "Early Help North")]
    west = published[("Team", "EH-W", "Early Help West")]
    assert sorted([north[0], west[0]]) in (["12", "c"], ["20", "c"])
    if north[0] == "12":
        assert north == ("12", "30", "40.0")
    else:
        assert west == ("20", "40", "50.0")
    assert set(mine["geographic_level"]) == {"Local authority", "Team"}


def test_the_levels_row_columns_are_declared_and_the_macro_is_current():
    from indicators.declarations import geographies
    from orchestration.dbt_setup import geography_columns_macro

    macro = (ROOT / "dbt_project" / "macros" / "geography_columns.sql").read_text(encoding="utf-8")
    for entry in (
        "'Team': ('team_code', 'team_name')",
        "'Local authority district': ('district_code', 'district_name')",
        "'Neighbourhood': ('neighbourhood_code', 'neighbourhood_name')",
        "'Local authority': ('new_la_code', 'la_name')",
    ):
        assert entry in macro
    assert macro == geography_columns_macro(geographies()), "run `chorus dbt-refresh`"


def test_a_levels_columns_must_name_a_code_and_a_name_column():
    from indicators.declarations import DeclarationError, parse_geographies

    document = {
        "levels": [
            {"name": "National"},
            {"name": "Team", "within": "National", "columns": {"code": "team_code"}},
        ]
    }
    with pytest.raises(DeclarationError) as refused:
        parse_geographies(document)
    assert str(refused.value) == (
        "geographies: level 'Team': columns: must be {code: <column>, name: <column>} "
        "(lower-case column names), got {'code': 'team_code'}"
    )
