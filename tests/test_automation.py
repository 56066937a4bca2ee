"""The landing sensor against what the warehouse loaded, the return-window schedule, and the
one-step publication."""

import datetime as dt
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from dagster import DagsterInstance, SensorResult, SkipReason

from indicators.publish.publication import (
    PublicationError,
    prune_publications,
    publications_dir,
    publish,
    staging_dir,
)
from orchestration.automation import (
    academic_year_of,
    eyfsp_return_window,
    landing_requests,
    return_window_request,
)
from orchestration.partitions import YEARS_TAG

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def landed_copy(pipeline_run, tmp_path):
    """The session run's settings with a private copy of its landing area, whose files are
    byte for byte the ones the warehouse loaded."""
    landing = tmp_path / "landing"
    shutil.copytree(pipeline_run.landing, landing)
    return replace(pipeline_run.settings, landing=landing)


def _requests(settings, cursor=None):
    return landing_requests(settings, cursor, DagsterInstance.get())


def test_the_sensor_queues_nothing_for_files_a_cli_run_loaded(landed_copy):
    first = _requests(landed_copy)
    assert isinstance(first, SensorResult) and not first.run_requests, first
    assert "are the ones loaded" in first.skip_reason.skip_message
    again = _requests(landed_copy, first.cursor)  # with the digests it remembered
    assert not again.run_requests


def test_the_sensor_requests_one_run_for_every_changed_year_and_only_those(landed_copy):
    census = landed_copy.landing / "census" / "2023-24" / "census_extract.csv"
    census.write_bytes(census.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[0] + b"\n")
    one = _requests(landed_copy)
    [request] = one.run_requests
    assert request.tags[YEARS_TAG] == "2023-24"
    eyfsp = landed_copy.landing / "eyfsp" / "2022-23" / "eyfsp_return.csv"
    eyfsp.write_bytes(eyfsp.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[0] + b"\n")
    both = _requests(landed_copy, one.cursor)
    [request] = both.run_requests
    assert request.tags[YEARS_TAG] == "2022-23,2023-24"
    keys = DagsterInstance.get().get_dynamic_partitions("academic_year")
    assert {
        request.tags["dagster/asset_partition_range_start"],
        request.tags["dagster/asset_partition_range_end"],
    } == {keys[0], keys[-1]}
    assert request.run_key != one.run_requests[0].run_key
    again = _requests(landed_copy, both.cursor)
    assert again.run_requests[0].run_key == request.run_key  # Dagster runs a run key once


def test_the_sensor_notices_a_changed_reference_file_and_a_new_year(landed_copy):
    lookup = landed_copy.landing / "seeds" / "neighbourhood_lookup.csv"
    lookup.write_text(lookup.read_text() + "\n")  # every year's load depends on it
    result = _requests(landed_copy)
    # the academic years 2022-23 and 2023-24, the care leavers' financial years 2022-23 and
    # 2023-24 and the two-year reviews' 2021-22 to 2023-24 (placed by the lookup's postcode
    # sectors), each run in the academic year it starts in (April 2021: 2020-21)
    assert result.run_requests[0].tags[YEARS_TAG] == "2020-21,2021-22,2022-23,2023-24"
    shutil.copytree(
        landed_copy.landing / "eyfsp" / "2023-24", landed_copy.landing / "eyfsp" / "2031-32"
    )
    shutil.copytree(
        landed_copy.landing / "census" / "2023-24", landed_copy.landing / "census" / "2031-32"
    )
    lookup.write_text(lookup.read_text().rstrip("\n") + "\n")
    result = _requests(landed_copy)
    assert "2031-32" in result.run_requests[0].tags[YEARS_TAG]
    assert result.dynamic_partitions_requests[0].partition_keys == ["2031-32"]


def test_the_sensor_leaves_a_year_no_longer_landed_alone(landed_copy):
    # every source's folder of the year (the deprivation lookups land in year folders too)
    folders = sorted(landed_copy.landing.glob("*/2022-23"))
    assert {"eyfsp", "census", "voice"} <= {folder.parent.name for folder in folders}
    for folder in folders:
        shutil.rmtree(folder)
    result = _requests(landed_copy)
    assert not result.run_requests


def test_the_sensor_reloads_a_year_still_landed_whose_childrens_returns_were_withdrawn(
    landed_copy,
):
    """The year's EYFSP return and census extract are withdrawn; its postcode lookup, TS011
    and IDACI files stay. The year is still landed, so the landing area is the truth for
    it: one run, for that year alone, which loads it without the withdrawn returns."""
    for kind in ("eyfsp", "census"):
        shutil.rmtree(landed_copy.landing / kind / "2022-23")
    kept = {folder.parent.name for folder in landed_copy.landing.glob("*/2022-23")}
    assert {"postcode_lsoa", "household_deprivation", "idaci"} <= kept
    [request] = _requests(landed_copy).run_requests
    assert request.tags[YEARS_TAG] == "2022-23"


def test_the_sensor_waits_while_a_run_holds_the_warehouse(landed_copy):
    from indicators.warehouse import LockHolder, warehouse_lock

    with warehouse_lock(landed_copy.warehouse, LockHolder("a test", run_id="run-X")):
        result = _requests(landed_copy)
    assert isinstance(result, SkipReason)
    assert "run run-X" in result.skip_message


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


def _stage(output, run_id, text):
    stage = staging_dir(output, run_id)
    (stage / "indicators").mkdir(parents=True)
    (stage / "indicators" / "values.csv").write_text(text)
    (stage / "manifest.json").write_text("{}")
    return stage


def test_publication_switches_the_output_link_in_one_rename_and_keeps_a_few(tmp_path, monkeypatch):
    output = tmp_path / "output"
    publish(_stage(output, "run-1", "one"), output, "run-1")
    assert output.is_symlink() and (output / "indicators" / "values.csv").read_text() == "one"
    reader = (output / "indicators" / "values.csv").open()  # a reader part way through
    changes = []
    real_replace = os.replace

    def watched(source, target):
        if os.fspath(target) == os.fspath(output):
            changes.append(os.readlink(source))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", watched)
    publish(_stage(output, "run-2", "two"), output, "run-2")
    assert len(changes) == 1  # the output changed in exactly one rename, to the new folder
    assert (output / "indicators" / "values.csv").read_text() == "two"
    assert reader.read() == "one"  # the reader finishes the publication it started
    reader.close()
    for number in range(3, 7):
        publish(_stage(output, f"run-{number}", str(number)), output, f"run-{number}")
    kept = sorted(p.name for p in publications_dir(output).iterdir())
    assert len(kept) == 3 and all(name.endswith(("run-4", "run-5", "run-6")) for name in kept)
    assert (output / "indicators" / "values.csv").read_text() == "6"


def test_a_crash_before_the_link_switch_leaves_the_previous_publication(tmp_path, monkeypatch):
    output = tmp_path / "output"
    publish(_stage(output, "run-1", "old"), output, "run-1")
    real_symlink = os.symlink

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies after staging, before the switch

    monkeypatch.setattr(os, "symlink", crash)
    with pytest.raises(KeyboardInterrupt):
        publish(_stage(output, "run-2", "new"), output, "run-2")
    assert (output / "indicators" / "values.csv").read_text() == "old"
    monkeypatch.setattr(os, "symlink", real_symlink)
    publish(_stage(output, "run-3", "newer"), output, "run-3")
    assert (output / "indicators" / "values.csv").read_text() == "newer"


def test_an_older_real_output_folder_is_kept_as_a_publication(tmp_path):
    output = tmp_path / "output"
    (output / "indicators").mkdir(parents=True)
    (output / "indicators" / "values.csv").write_text("from before links")
    (output / "manifest.json").write_text("{}")
    publish(_stage(output, "run-1", "new"), output, "run-1")
    assert output.is_symlink()
    old = [p for p in publications_dir(output).iterdir() if p.name.endswith("before-links")]
    assert (old[0] / "indicators" / "values.csv").read_text() == "from before links"


def test_publishing_never_replaces_a_folder_or_link_chorus_did_not_make(tmp_path):
    home = tmp_path / "somebody"
    home.mkdir()
    (home / "notes.txt").write_text("mine")
    with pytest.raises(PublicationError, match="not a Chorus publication"):
        publish(_stage(home, "run-1", "x"), home, "run-1")
    assert (home / "notes.txt").read_text() == "mine"
    link = tmp_path / "site"
    link.symlink_to(home)
    with pytest.raises(PublicationError, match="did not make"):
        publish(_stage(link, "run-2", "x"), link, "run-2")
    assert link.resolve() == home.resolve()


def test_pruning_keeps_the_current_publication_and_every_staging_folder(tmp_path):
    output = tmp_path / "output"
    publish(_stage(output, "run-1", "one"), output, "run-1")
    other_stage = _stage(output, "run-2", "still writing")
    prune_publications(output, keep=0)
    assert (output / "indicators" / "values.csv").read_text() == "one"
    assert other_stage.is_dir()


def test_a_changed_source_spec_reloads_the_years_of_its_stream_only(landed_copy, tmp_path):
    """The spec's content is the rules version in each year's load fingerprint."""
    from indicators.ingest.landing import discover
    from indicators.ingest.streams import expected_fingerprints
    from indicators.sources.load import forget_loaded_sources

    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    os.environ["CHORUS_SOURCES"] = str(sources)
    try:
        forget_loaded_sources()
        unchanged = _requests(landed_copy)
        assert not unchanged.run_requests  # the same specs, byte for byte: nothing to reload
        files, _ = discover(landed_copy.landing)
        key = "any key: the fingerprints are compared with each other"
        before = expected_fingerprints(landed_copy, key, files)
        spec = sources / "voice" / "base.yml"
        spec.write_text(spec.read_text().replace("title: family voice survey", "title: voices"))
        forget_loaded_sources()
        after = expected_fingerprints(landed_copy, key, files)
        changed = sorted(k for k in before if before[k] != after[k])
        assert changed == [("2022/23", "voice"), ("2023/24", "voice")]
        result = _requests(landed_copy)
        assert result.run_requests[0].tags[YEARS_TAG] == "2022-23,2023-24"
    finally:
        del os.environ["CHORUS_SOURCES"]
        forget_loaded_sources()
