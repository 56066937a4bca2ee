"""Rows placed by team, by district or LA-wide (issue 13, geographies): the spec check's
words for a bad placement block, and the real ingest path (the standalone stream, as
`chorus run` loads it) quarantining a row whose team is not in the LA's list of teams while
the rest load. Every expected message and value is written out by hand."""

import shutil
from pathlib import Path

import duckdb
import pytest

from indicators.config import ChorusSettings
from indicators.ingest.streams import STANDALONE, load_stream
from indicators.ingest.validate import validate_paths
from indicators.sources.load import SpecInvalid, load_spec
from orchestration.new_source import scaffold_source

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
    """A scaffolded source placed by team, in a copy of sources/, and a landing area that
    brings its own seeds/teams.csv (two teams, and a third whose name is blank)."""
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
    for name in ("CHORUS_LANDING", "CHORUS_SEEDS", "CHORUS_ALLOW_DEMO_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = ChorusSettings.from_env()
    (settings.landing / "seeds").mkdir(parents=True)
    (settings.landing / "seeds" / "teams.csv").write_text(TEAMS, encoding="utf-8")
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
