"""DuckDB's memory limit (CHORUS_DUCKDB_MEMORY): what the warehouse's connections and dbt's
runs hold at most. DuckDB's own default is 80% of the machine (at national, dbt held 6 GiB)."""

import duckdb
import pytest

from indicators.config import ChorusSettings, SettingsError, duckdb_memory_limit
from indicators.warehouse import connect
from orchestration.dbt_setup import run_dbt


def _limit_mib(connection) -> float:
    text = connection.execute("select current_setting('memory_limit')").fetchone()[0]
    number, unit = text.split()
    assert unit == "MiB", text
    return float(number)


def test_one_gigabyte_unless_set():
    assert duckdb_memory_limit({}) == "1GB"
    assert duckdb_memory_limit({"CHORUS_DUCKDB_MEMORY": " 512 MB "}) == "512MB"
    assert ChorusSettings.from_env({"CHORUS_DUCKDB_MEMORY": "3GiB"}).duckdb_memory == "3GiB"


@pytest.mark.parametrize("value", ["lots", "80%", "1 GB please", "-1GB", "0GB", "100MB", "1KB"])
def test_an_amount_duckdb_cannot_read_is_named_before_anything_runs(value):
    with pytest.raises(SettingsError, match=f"CHORUS_DUCKDB_MEMORY is '{value}': set an amount"):
        ChorusSettings.from_env({"CHORUS_DUCKDB_MEMORY": value})


def test_the_warehouse_connections_hold_at_most_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "chorus.duckdb"
    with connect(path) as connection:
        assert _limit_mib(connection) == pytest.approx(10**9 / 2**20, abs=0.15)  # 1GB: 953.67
        plain = duckdb.connect(str(path))  # another connection to the file, as dbt's or a test's
        assert _limit_mib(plain) == pytest.approx(953.67, abs=0.15)  # the database's setting
        plain.close()
    monkeypatch.setenv("CHORUS_DUCKDB_MEMORY", "256MB")
    with connect(path, read_only=True) as connection:
        assert _limit_mib(connection) == pytest.approx(256 * 10**6 / 2**20, abs=0.15)  # 244.14


@pytest.mark.slow
def test_dbt_is_given_the_limit_and_its_profile_applies_it(tmp_path):
    settings = ChorusSettings.from_env(
        {"CHORUS_HOME": str(tmp_path), "CHORUS_DUCKDB_MEMORY": "300MB"}
    )
    # dbt's own connection to the warehouse, asked what it may hold
    shown = run_dbt(
        [
            "show",
            "--inline",
            "select current_setting('memory_limit') as memory_limit",
        ],
        settings,
    )
    assert shown.returncode == 0, shown.stdout[-2000:] + shown.stderr[-2000:]
    assert "286.1 MiB" in shown.stdout  # 300 MB = 286.1 MiB
