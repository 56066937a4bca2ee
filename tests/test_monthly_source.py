"""A source counted by month (issue 13), end to end through the real ingest: scaffolded with
`chorus new-source`'s scaffold, its spec set to `period: month`, two months and a wrongly
named folder landed, loaded by the standalone stream as `chorus run` loads it, then loaded
again unchanged, then with one month landed again. Every expected value is written out."""

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from indicators.config import ChorusSettings
from indicators.ingest.freshness import changed_years, loaded_fingerprints
from indicators.ingest.keys import run_key
from indicators.ingest.landing import discover
from indicators.ingest.streams import STANDALONE, expected_fingerprints, load_stream
from indicators.ingest.validate import validate_paths
from indicators.sources.load import SpecInvalid, load_spec
from orchestration.new_source import scaffold_source
from tests import RUN_CHILDREN
from tests.project_copy import ROOT, chorus, project_copy, scaffolded_sources, settings_for

HEADER = "record_id,upn,surname,record_date,postcode,outcome,score\n"


class Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, msg: str) -> None:
        self.lines.append(msg)

    warning = error = info


def _land(landing: Path, folder: str, rows: str) -> None:
    path = landing / "home_visits" / folder / "visits.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + rows, encoding="utf-8")


def _monthly(text: str) -> str:
    assert "period: academic_year" in text and "to: {years: 1, days: -1}" in text
    return text.replace("period: academic_year", "period: month").replace(
        "to: {years: 1, days: -1}", "to: {months: 1, days: -1}"
    )


@pytest.fixture
def monthly(tmp_path, monkeypatch):
    spec = scaffolded_sources(tmp_path, _monthly)
    key = "a monthly test key, long enough and varied"
    settings = settings_for(monkeypatch, tmp_path, spec.parent.parent, key)
    landing = settings.landing
    _land(
        landing,
        "2024-04",
        "R001,Z35400010000A,Example,2024-04-01,XH1 1AB,Y,40\n"
        "R002,M35400010001A,Example,30/04/2024,XH1 2AB,N,50\n"
        "R003,A35400010002A,Example,2024-05-01,XH1 3AB,Y,60\n",
    )
    _land(
        landing,
        "2024-05",
        "R004,N35400010003A,Example,2024-05-04,XH2 1AB,N,70\n"
        "R005,B35400010004A,Example,2024-05-31,XH2 2AB,Y,80\n",
    )
    _land(landing, "April", "R009,P35400010005A,Example,2024-04-06,XH1 1AB,Y,90\n")
    (landing / "home_visits" / "loose.csv").write_text(HEADER, encoding="utf-8")
    return settings


def _run(settings: ChorusSettings) -> tuple[dict[str, str], list[str]]:
    log = Lines()
    results = load_stream(settings, STANDALONE, ["2023-24"], None, log)
    return {result.year: result.status for result in results}, log.lines


def _changed(settings: ChorusSettings) -> list[str]:
    files, _ = discover(settings.landing)
    expected = expected_fingerprints(settings, run_key(settings, files), files)
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        return changed_years(loaded_fingerprints(connection), expected)


def test_chorus_validate_checks_each_month_against_its_own_dates(monthly):
    report = validate_paths([monthly.landing], monthly.seeds)
    lines = report.format()
    assert any(
        "home_visits/2024-04/visits.csv, row 4, column record_date" in line
        and "a record in April 2024 is dated between 01 April 2024 and 30 April 2024" in line
        for line in lines
    ), lines
    assert any(
        "home_visits/April/visits.csv" in line and "the folder 'April' is not a month" in line
        for line in lines
    ), lines
    assert not any("2024-05/visits.csv, row" in line for line in lines), lines


def test_a_monthly_source_loads_month_by_month(monthly):
    settings = monthly
    statuses, lines = _run(settings)
    assert statuses == {"2023/24": "empty", "April 2024": "loaded", "May 2024": "loaded"}
    assert (
        "not loaded: home_visits/April/visits.csv: the folder 'April' is not a month: "
        "name it YYYY-MM (e.g. 2024-01) and run again"
    ) in lines
    assert (
        "not loaded: home_visits/loose.csv: not in a period folder: move it to "
        "home_visits/<YYYY-MM>/ (e.g. home_visits/2024-01/loose.csv) and run again"
    ) in lines

    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select academic_year, time_period, time_identifier, record_id, record_month "
            "from raw.home_visits_records order by record_id"
        ).fetchall()
        quarantined = connection.execute(
            "select academic_year, file, row, column_name, message from raw.quarantine "
            "where kind = 'home_visits'"
        ).fetchall()
        log = connection.execute(
            "select academic_year, file, rows_read, rows_loaded, rows_quarantined "
            "from raw.load_log where kind = 'home_visits' order by file"
        ).fetchall()
    assert rows == [
        ("April 2024", 2024, "April", "R001", "2024-04"),
        ("April 2024", 2024, "April", "R002", "2024-04"),
        ("May 2024", 2024, "May", "R004", "2024-05"),
        ("May 2024", 2024, "May", "R005", "2024-05"),
    ]
    assert quarantined == [
        (
            "April 2024",
            "home_visits/2024-04/visits.csv",
            4,
            "record_date",
            "record_date is (withheld: identifier): a record in April 2024 is dated between "
            "01 April 2024 and 30 April 2024",
        )
    ]
    assert log == [
        ("April 2024", "home_visits/2024-04/visits.csv", 3, 2, 1),
        ("May 2024", "home_visits/2024-05/visits.csv", 2, 2, 0),
    ]
    assert _changed(settings) == []

    # Nothing changed: nothing reloads.
    statuses, _ = _run(settings)
    assert statuses == {"2023/24": "empty", "April 2024": "unchanged", "May 2024": "unchanged"}

    # May landed again with a row more: only May reloads, and the sensor sees its year.
    _land(
        settings.landing,
        "2024-05",
        "R004,N35400010003A,Example,2024-05-04,XH2 1AB,N,70\n"
        "R005,B35400010004A,Example,2024-05-31,XH2 2AB,Y,80\n"
        "R006,P35400010005A,Example,2024-05-15,XH1 1AB,Y,90\n",
    )
    assert _changed(settings) == ["2023-24"]
    statuses, _ = _run(settings)
    assert statuses == {"2023/24": "empty", "April 2024": "unchanged", "May 2024": "loaded"}
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        by_month = connection.execute(
            "select time_identifier, count(*) from raw.home_visits_records group by 1 order by 1"
        ).fetchall()
    assert by_month == [("April", 2), ("May", 3)]

    # A month taken out of the landing area is emptied.
    shutil.rmtree(settings.landing / "home_visits" / "2024-04")
    statuses, _ = _run(settings)
    assert statuses == {"2023/24": "empty", "April 2024": "removed", "May 2024": "unchanged"}


CHANGE = """changes:
  - {type: add, column: visit_note, description: newly collected,
     value: {name: visit_note, type: text, required: false, identifier: keep}}
"""


def _scaffolded(tmp_path: Path, period: str) -> Path:
    sources = tmp_path / "sources"
    spec, _, _ = scaffold_source("home_visits", sources, tmp_path / "dbt", ROOT / "seeds")
    text = spec.read_text(encoding="utf-8").replace("period: academic_year", f"period: {period}")
    spec.write_text(text, encoding="utf-8")
    return spec.parent


def test_a_monthly_source_year_change_file_is_named_by_calendar_year(tmp_path):
    folder = _scaffolded(tmp_path, "month")
    (folder / "2025.yml").write_text(CHANGE, encoding="utf-8")
    assert "visit_note" not in load_spec(folder, "2024").names  # months of 2024: before it
    assert "visit_note" in load_spec(folder, "2025").names  # from January 2025
    (folder / "2025-26.yml").write_text(CHANGE, encoding="utf-8")
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert refused.value.problems == [
        "sources/home_visits/2025-26.yml: the source is counted by month: name its year "
        "change files YYYY.yml (the year they apply from, e.g. 2025.yml)"
    ]


def test_a_financial_quarter_source_year_change_file_is_named_by_financial_year(tmp_path):
    folder = _scaffolded(tmp_path, "financial_quarter")
    (folder / "2025-26.yml").write_text(CHANGE, encoding="utf-8")
    assert "visit_note" not in load_spec(folder, "2024-25").names
    assert "visit_note" in load_spec(folder, "2025-26").names
    (folder / "2025.yml").write_text(CHANGE, encoding="utf-8")
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert refused.value.problems == [
        "sources/home_visits/2025.yml: the source is counted by quarter of the financial "
        "year: name its year change files YYYY-YY.yml (the year they apply from, e.g. "
        "2025-26.yml)"
    ]


@pytest.mark.pipeline
def test_chorus_run_loads_a_monthly_source_and_reloads_only_a_month_landed_again(tmp_path):
    project, env = project_copy(tmp_path, "a monthly run key, long enough and varied")
    home = tmp_path / "home"
    made = chorus("new-source", "home_visits", env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    spec = project / "sources" / "home_visits" / "base.yml"
    spec.write_text(
        spec.read_text(encoding="utf-8")
        .replace("period: academic_year", "period: month")
        .replace("to: {years: 1, days: -1}", "to: {months: 1, days: -1}"),
        encoding="utf-8",
    )
    shutil.rmtree(project / "sources" / "home_visits" / "fixture")
    refreshed = chorus("dbt-refresh", env=env, cwd=tmp_path)
    assert refreshed.returncode == 0, refreshed.stderr
    assert "## `home_visits/<YYYY-MM>/*.csv|xlsx`" in (project / "docs" / "inputs.md").read_text()
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
    _land(
        landing,
        "2024-04",
        "R001,Z35400010000A,Example,2024-04-01,XH1 1AB,Y,40\n"
        "R003,A35400010002A,Example,2024-05-01,XH1 3AB,Y,60\n",
    )
    _land(landing, "2024-05", "R004,N35400010003A,Example,2024-05-04,XH2 1AB,N,70\n")
    # September 2024 starts 2024/25, a year with no other return: its own partition.
    _land(landing, "2024-09", "R010,Z35400010000A,Example,2024-09-02,XH1 1AB,Y,30\n")
    _land(landing, "2024-4", "R009,P35400010005A,Example,2024-04-06,XH1 1AB,Y,90\n")

    output = tmp_path / "output"
    run = chorus("run", "--landing", str(landing), "--out", str(output), env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr + run.stdout
    query = (
        "select academic_year, time_period, time_identifier, record_id "
        "from raw.home_visits_records order by record_id"
    )
    loaded_at = (
        "select file, max(_loaded_at) from raw.load_log where kind = 'home_visits' "
        "group by file order by file"
    )
    with duckdb.connect(str(home / "chorus.duckdb"), read_only=True) as connection:
        rows = connection.execute(query).fetchall()
        first = dict(connection.execute(loaded_at).fetchall())
    assert rows == [
        ("April 2024", 2024, "April", "R001"),
        ("May 2024", 2024, "May", "R004"),
        ("September 2024", 2024, "September", "R010"),
    ]
    rejections = pd.read_csv(output / "quality" / "rejections.csv", dtype=str)
    mine = rejections[rejections["kind"] == "home_visits"]
    assert sorted(mine[["file", "row", "column", "rule"]].fillna("").values.tolist()) == [
        ["home_visits/2024-04/visits.csv", "3", "record_date", "record_date_in_year"],
        ["home_visits/2024-4/visits.csv", "", "", "year_folder_name"],
    ]
    bad = mine[mine["file"] == "home_visits/2024-4/visits.csv"]["message"].tolist()
    assert bad == [
        "not loaded: the folder '2024-4' is not a month: name it YYYY-MM (e.g. 2024-01) "
        "and run again"
    ]

    # May landed again: only May reloads.
    _land(
        landing,
        "2024-05",
        "R004,N35400010003A,Example,2024-05-04,XH2 1AB,N,70\n"
        "R005,B35400010004A,Example,2024-05-31,XH2 2AB,Y,80\n",
    )
    again = chorus("run", "--landing", str(landing), "--out", str(output), env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr + again.stdout
    with duckdb.connect(str(home / "chorus.duckdb"), read_only=True) as connection:
        rows = connection.execute(query).fetchall()
        second = dict(connection.execute(loaded_at).fetchall())
    assert rows[1:3] == [("May 2024", 2024, "May", "R004"), ("May 2024", 2024, "May", "R005")]
    assert second["home_visits/2024-04/visits.csv"] == first["home_visits/2024-04/visits.csv"]
    assert second["home_visits/2024-05/visits.csv"] > first["home_visits/2024-05/visits.csv"]
    assert second["home_visits/2024-09/visits.csv"] == first["home_visits/2024-09/visits.csv"]
