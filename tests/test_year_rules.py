"""Each landed year is checked and loaded by base.yml plus the year files up to its own year
(issue 13 review, item 1): a column a 2025-26.yml adds is not asked of a 2023-24 file, and a
range it widens does not widen 2023-24's. Through the real `chorus validate` path
(validate_paths) and the real ingest (load_stream)."""

import shutil
from pathlib import Path

import duckdb
import pytest

from indicators.config import ChorusSettings
from indicators.ingest.streams import STANDALONE, load_stream
from indicators.ingest.validate import validate_paths
from indicators.sources.load import forget_loaded_sources
from orchestration.new_source import scaffold_source

ROOT = Path(__file__).resolve().parents[1]

YEAR_FILE = """\
changes:
  - type: add
    description: the 2025/26 return adds the visit type
    after: outcome
    value: {name: visit_type, type: code, identifier: keep, show_rejected: true,
            codes: outcome}
  - type: modify
    column: score
    description: scored to 200 from 2025/26
    value: {range: {min: 0, max: 200, rule: score_range, message: the score must be 0 to 200}}
"""
OLD = """\
record_id,upn,surname,record_date,postcode,outcome,score
R001,Z35400010000A,Example,2023-10-01,XH1 1AB,Y,150
R002,M35400010001A,Example,2023-11-02,XH1 2AB,N,50
"""
NEW = """\
record_id,upn,surname,record_date,postcode,outcome,visit_type,score
R001,Z35400010000A,Example,2025-10-01,XH1 1AB,Y,N,150
R002,M35400010001A,Example,2025-11-02,XH1 2AB,N,X,50
R003,A35400010002A,Example,2025-12-03,XH1 3AB,Y,Y,250
"""


class Quiet:
    def info(self, msg: str) -> None: ...

    def warning(self, msg: str) -> None: ...

    def error(self, msg: str) -> None: ...


@pytest.fixture
def landed(tmp_path, monkeypatch):
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    dbt = tmp_path / "dbt"
    (dbt / "models" / "staging").mkdir(parents=True)
    spec, _, _ = scaffold_source("home_visits", sources, dbt, ROOT / "seeds")
    (spec.parent / "2025-26.yml").write_text(YEAR_FILE)
    landing = tmp_path / "home" / "landing"
    for year, text in (("2023-24", OLD), ("2025-26", NEW)):
        (landing / "home_visits" / year).mkdir(parents=True)
        (landing / "home_visits" / year / "visits.csv").write_text(text)
    monkeypatch.setenv("CHORUS_SOURCES", str(sources))
    forget_loaded_sources()
    yield tmp_path, landing
    forget_loaded_sources()


def test_validate_checks_each_year_by_its_own_rules(landed):
    _, landing = landed
    report = validate_paths([landing], ROOT / "seeds")
    assert report.format() == [
        "home_visits/2023-24/visits.csv: 2 rows read, 1 would load, 1 would be quarantined",
        "home_visits/2025-26/visits.csv: 3 rows read, 1 would load, 2 would be quarantined",
        "home_visits/2023-24/visits.csv, row 2, column score: score is '150': "
        "the score must be a number from 0 to 100 [score_range]",
        "home_visits/2025-26/visits.csv, row 3, column visit_type: visit_type is 'X': "
        "outcome must be Y (yes), N (no) [outcome_code]",
        "home_visits/2025-26/visits.csv, row 4, column score: score is '250': "
        "the score must be 0 to 200 [score_range]",
        "3 defect(s) in 2 file(s)",
    ]


def test_the_ingest_loads_each_year_by_its_own_rules(landed):
    tmp_path, _ = landed
    settings = ChorusSettings.from_env(
        {
            "CHORUS_HOME": str(tmp_path / "home"),
            "CHORUS_PSEUDONYM_KEY": "a test key, long enough and varied",
        }
    )
    results = load_stream(settings, STANDALONE, ["2023-24", "2025-26"], None, Quiet())
    assert {r.year: r.status for r in results} == {"2023/24": "loaded", "2025/26": "loaded"}
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select academic_year, record_id, visit_type, score from raw.home_visits_records "
            "order by academic_year, record_id"
        ).fetchall()
        quarantined = connection.execute(
            "select academic_year, row, rule, message from raw.quarantine "
            "where kind = 'home_visits' order by academic_year, row"
        ).fetchall()
    assert rows == [("2023/24", "R002", None, "50"), ("2025/26", "R001", "N", "150")]
    assert quarantined == [
        ("2023/24", 2, "score_range", "score is '150': the score must be a number from 0 to 100"),
        ("2025/26", 3, "outcome_code", "visit_type is 'X': outcome must be Y (yes), N (no)"),
        ("2025/26", 4, "score_range", "score is '250': the score must be 0 to 200"),
    ]
