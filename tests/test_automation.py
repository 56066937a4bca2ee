"""The landing sensor, the return-window schedule and the atomic publication swap."""

import datetime as dt
import json
import shutil

import pytest
from dagster import (
    SensorResult,
    SkipReason,
    build_sensor_context,
)

from indicators.publication import swap_into_place
from indicators.synthetic import generate
from orchestration.automation import (
    academic_year_of,
    eyfsp_return_window,
    landing_sensor,
    return_window_request,
)


@pytest.fixture
def landing(tmp_path, monkeypatch):
    folder = tmp_path / "landing"
    generate(folder, seed=3, children_per_year=30, years=["2022/23", "2023/24"])
    monkeypatch.setenv("CHORUS_LANDING", str(folder))
    return folder


def _evaluate(cursor=None):
    return landing_sensor(build_sensor_context(cursor=cursor))


def test_sensor_requests_a_run_per_changed_year_and_only_those(landing):
    first = _evaluate()
    assert isinstance(first, SensorResult)
    assert sorted(r.partition_key for r in first.run_requests) == ["2022-23", "2023-24"]
    assert isinstance(_evaluate(first.cursor), SkipReason)
    census = landing / "census" / "2023-24" / "census_extract.csv"
    census.write_text(census.read_text() + "\n")
    third = _evaluate(first.cursor)
    assert [r.partition_key for r in third.run_requests] == ["2023-24"]
    assert json.loads(third.cursor)["2022-23"] == json.loads(first.cursor)["2022-23"]


def test_sensor_ignores_folders_that_are_not_academic_years(landing):
    (landing / "eyfsp" / "old stuff").mkdir()
    (landing / "eyfsp" / "old stuff" / "x.csv").write_text("a\n")
    result = _evaluate()
    assert sorted(r.partition_key for r in result.run_requests) == ["2022-23", "2023-24"]


class FakeInstance:
    def __init__(self) -> None:
        self.partitions: dict[str, list[str]] = {}

    def has_dynamic_partition(self, name: str, key: str) -> bool:
        return key in self.partitions.get(name, [])

    def add_dynamic_partitions(self, name: str, keys: list[str]) -> None:
        self.partitions.setdefault(name, []).extend(keys)


def test_schedule_targets_the_academic_year_of_the_return_window():
    assert academic_year_of(dt.datetime(2025, 6, 20)) == "2024-25"
    assert academic_year_of(dt.datetime(2025, 9, 2)) == "2025-26"
    instance = FakeInstance()
    request = return_window_request(instance, dt.datetime(2025, 6, 20, 6))
    assert request.partition_key == "2024-25"
    assert instance.partitions == {"academic_year": ["2024-25"]}
    assert eyfsp_return_window.cron_schedule == "0 6 * 6,7 *"
    assert eyfsp_return_window.execution_timezone == "Europe/London"


def test_a_swap_interrupted_after_the_first_rename_recovers_on_the_next_publication(tmp_path,
                                                                                    monkeypatch):
    output = tmp_path / "output"
    (output / "indicators").mkdir(parents=True)
    (output / "indicators" / "old.csv").write_text("old")
    stage = tmp_path / "stage"
    (stage / "indicators").mkdir(parents=True)
    (stage / "indicators" / "new.csv").write_text("new")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies between the two renames

    monkeypatch.setattr(shutil, "move", crash)
    with pytest.raises(KeyboardInterrupt):
        swap_into_place(stage, output)
    assert (output / "indicators" / "old.csv").read_text() == "old"  # previous kept intact
    monkeypatch.undo()
    swap_into_place(stage, output)
    assert (output / "indicators" / "new.csv").read_text() == "new"
    assert not (output / "indicators" / "old.csv").exists()
    assert not output.with_name(".output.previous").exists()
