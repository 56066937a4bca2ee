"""A standalone source's `consent: {aggregate: <column>}` is honoured (issue 13 review,
item 2): rows whose column is not Y are not loaded, and are counted on their file's account,
as the voice survey sets aside responses without aggregate consent."""

import shutil
from pathlib import Path

import duckdb
import pytest

from indicators.config import ChorusSettings
from indicators.ingest.streams import STANDALONE, load_stream
from indicators.sources.load import SpecInvalid, forget_loaded_sources, load_spec
from orchestration.new_source import scaffold_source

ROOT = Path(__file__).resolve().parents[1]
ROWS = """\
record_id,upn,surname,record_date,postcode,outcome,score,consent_aggregate
R001,Z35400010000A,Example,2023-10-01,XH1 1AB,Y,40,Y
R002,M35400010001A,Example,2023-11-02,XH1 2AB,N,50,N
R003,A35400010002A,Example,2023-12-03,XH1 3AB,Y,60,
R004,N35400010003A,Example,2023-10-04,XH2 1AB,N,70,y
R005,B35400010004A,Example,2023-11-05,XH2 2AB,Y,800,Y
"""


class Quiet:
    def info(self, msg: str) -> None: ...

    def warning(self, msg: str) -> None: ...

    def error(self, msg: str) -> None: ...


def _with_consent(tmp_path: Path, consent: str) -> tuple[Path, Path]:
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    dbt = tmp_path / "dbt"
    (dbt / "models" / "staging").mkdir(parents=True)
    spec, _, _ = scaffold_source("home_calls", sources, dbt, ROOT / "seeds")
    text = spec.read_text().replace("code_lists:", consent + "\ncode_lists:", 1)
    text += "  - {name: consent_aggregate, type: code, identifier: keep, required: false}\n"
    spec.write_text(text)
    return sources, spec


def test_rows_without_aggregate_consent_are_counted_and_not_loaded(tmp_path, monkeypatch):
    sources, _ = _with_consent(tmp_path, "consent:\n  aggregate: consent_aggregate")
    landing = tmp_path / "home" / "landing" / "home_calls" / "2023-24"
    landing.mkdir(parents=True)
    (landing / "calls.csv").write_text(ROWS)
    monkeypatch.setenv("CHORUS_SOURCES", str(sources))
    forget_loaded_sources()
    settings = ChorusSettings.from_env(
        {
            "CHORUS_HOME": str(tmp_path / "home"),
            "CHORUS_PSEUDONYM_KEY": "a test key, long enough and varied",
        }
    )
    try:
        load_stream(settings, STANDALONE, ["2023-24"], None, Quiet())
    finally:
        forget_loaded_sources()
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        kept = connection.execute(
            "select record_id from raw.home_calls_records order by record_id"
        ).fetchall()
        log = connection.execute(
            "select rows_read, rows_loaded, rows_quarantined, message from raw.load_log "
            "where kind = 'home_calls'"
        ).fetchall()
    # R002 (N) and R003 (blank) have no consent; R005's score is out of range.
    assert kept == [("R001",), ("R004",)]
    assert log == [
        (
            5,
            4,
            1,
            "2 row(s) without consent to aggregate use (consent_aggregate not Y) set aside: "
            "counted as loaded, not kept",
        )
    ]


def test_a_consent_role_other_than_aggregate_is_refused_on_a_standalone_source(tmp_path):
    _, spec = _with_consent(tmp_path, "consent:\n  lnk: consent_aggregate")
    with pytest.raises(SpecInvalid) as refused:
        load_spec(spec.parent)
    assert str(refused.value) == (
        "sources/home_calls/base.yml: consent.lnk: not a consent role; a source without "
        "items: takes only aggregate (rows without its Y are not loaded)"
    )
