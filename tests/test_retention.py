"""Retention: the archive is its owner's only, and a purge removes exactly the archived files
and raw rows of the years before its limit, for good (not left in the warehouse file)."""

import datetime as dt
import json
import os
import stat

import duckdb
import pandas as pd
import pytest

from indicators.ingest.archive import archive_file
from indicators.ingest.landing import LandedFile
from indicators.ingest.retention import automatic_cutoff, cutoff, purge
from indicators.reference import AcademicYear
from indicators.warehouse import connect, ensure_raw_zone, replace_years, transaction

TODAY = dt.date(2026, 11, 30)  # academic year 2026/27


def _years(*labels):
    return [AcademicYear.parse(label) for label in labels]


def test_retention_keeps_the_newest_years_and_ignores_a_year_in_the_future():
    landed = _years("2019/20", "2020/21", "2021/22", "2022/23", "2023/24", "2024/25")
    assert automatic_cutoff(landed, 6, TODAY) == AcademicYear.parse("2019/20")
    assert automatic_cutoff(landed, 2, TODAY) == AcademicYear.parse("2023/24")
    typo = [*landed, AcademicYear.parse("2052/53")]  # a mistyped folder deletes nothing
    assert automatic_cutoff(typo, 2, TODAY) == AcademicYear.parse("2023/24")
    assert automatic_cutoff(landed, None, TODAY) is None  # CHORUS_RETENTION_YEARS=all
    assert automatic_cutoff([], 6, TODAY) is None


def _landed(tmp_path, kind, folder, name, text):
    path = tmp_path / "landing" / kind / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return LandedFile(kind=kind, year=AcademicYear.parse(folder), path=path)


def test_archived_files_are_readable_by_their_owner_only_whatever_the_umask(tmp_path):
    archive = tmp_path / "archive"
    old = os.umask(0)
    try:
        landed = _landed(tmp_path, "eyfsp", "2023-24", "return.csv", "upn\nA1\n")
        target = archive_file(landed.path, archive, landed=landed)
    finally:
        os.umask(old)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o700
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    record = target.with_name(target.name + ".json")
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert json.loads(record.read_text())["landed_as"] == [
        {"kind": "eyfsp", "academic_year": "2023/24", "file": "eyfsp/2023-24/return.csv"}
    ]
    os.chmod(target, 0o644)  # archived by an older Chorus
    archive_file(landed.path, archive, landed=landed)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


MARKER = "ZQXJ-a-purged-childs-pseudonym-7f3a9c"


@pytest.fixture
def warehouse_with_years(tmp_path):
    """Raw rows and archived files for 2019/20 to 2021/22, counted here independently."""
    warehouse = tmp_path / "chorus.duckdb"
    archive = tmp_path / "archive"
    rows = {"2019/20": 5, "2020/21": 3, "2021/22": 4}
    with connect(warehouse) as connection:
        ensure_raw_zone(connection)
        connection.execute("pragma force_compression='uncompressed'")  # marker greppable
        for label, count in rows.items():
            ids = [f"child-{label}-{n}" for n in range(count)]
            if label == "2019/20":
                ids[0] = MARKER
            with transaction(connection):
                replace_years(
                    connection,
                    {
                        "eyfsp_returns": pd.DataFrame({"academic_year": label, "child_id": ids}),
                        "quarantine": pd.DataFrame(
                            {
                                "academic_year": [label],
                                "kind": ["eyfsp"],
                                "rule": ["upn_check_letter"],
                            }
                        ),
                    },
                    [label],
                )
        connection.execute("create schema marts")
        connection.execute(
            f"create table marts.children as select * from raw.eyfsp_returns "
            f"where child_id <> '{MARKER}'"
        )
        connection.execute("checkpoint")
    archived = {}
    for folder, text in (("2019-20", "a"), ("2020-21", "b"), ("2021-22", "c")):
        landed = _landed(tmp_path, "eyfsp", folder, "return.csv", f"upn\n{text}\n")
        archived[folder] = archive_file(landed.path, archive, landed=landed)
    unknown = archive / "ff" / ("f" * 64 + ".csv")  # archived before years were recorded
    unknown.parent.mkdir()
    unknown.write_text("upn\nold\n")
    return warehouse, archive, rows, archived, unknown


def test_a_purge_removes_exactly_the_earlier_years_and_records_its_limit(warehouse_with_years):
    warehouse, archive, rows, archived, unknown = warehouse_with_years
    assert MARKER.encode() in warehouse.read_bytes()
    report = purge(warehouse, archive, AcademicYear.parse("2021/22"), "chorus purge")
    assert report.years == ["2019/20", "2020/21"]
    assert report.rows == {"eyfsp_returns": rows["2019/20"] + rows["2020/21"], "quarantine": 2}
    assert report.archive_files == 2 and report.archive_unknown == 1
    assert not archived["2019-20"].exists() and not archived["2020-21"].exists()
    assert archived["2021-22"].exists() and unknown.exists()
    assert MARKER.encode() not in warehouse.read_bytes()  # not left in free blocks either
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        left = connection.execute(
            "select academic_year, count(*) from raw.eyfsp_returns group by 1"
        ).fetchall()
        assert left == [("2021/22", rows["2021/22"])]
        schemas = {
            row[0]
            for row in connection.execute(
                "select schema_name from information_schema.schemata"
            ).fetchall()
        }
        assert "marts" not in schemas  # derived tables go; the next run rebuilds them
        recorded = connection.execute(
            "select purged_before, reason, archive_files, rows_deleted from raw.purges"
        ).fetchall()
    assert recorded == [("2021/22", "chorus purge", 2, json.dumps(report.rows))]
    again = purge(warehouse, archive, AcademicYear.parse("2021/22"), "chorus purge")
    assert not again.removed_anything and not again.recorded


def test_a_recorded_purge_holds_even_when_the_newest_year_goes(warehouse_with_years):
    warehouse, archive, *_ = warehouse_with_years
    purge(warehouse, archive, AcademicYear.parse("2021/22"), "chorus purge")
    with connect(warehouse, read_only=True) as connection:
        assert cutoff(connection, [], 6, TODAY) == AcademicYear.parse("2021/22")
        assert cutoff(connection, _years("2019/20"), None, TODAY) == AcademicYear.parse("2021/22")
        newer = _years("2030/31")  # in the future: not counted
        assert cutoff(connection, newer, 1, TODAY) == AcademicYear.parse("2021/22")
        assert cutoff(connection, _years("2025/26"), 2, TODAY) == AcademicYear.parse("2024/25")
