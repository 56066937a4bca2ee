"""A real LA's first run, as issue 12 found it, through `chorus run`.

One run lands the issue's return for LA 354 (Rochdale: 3,615 children, its own lookup, one
census postcode in a sector the lookup lacks and one FSM code `MAYBE`) beside a return for
every other English LA of the project's seed, none bringing an LA list of its own: the two
defective census rows and their children's EYFSP rows are quarantined, and everything else
is published, for all 153 authorities. A second run, with every row under an LA number the
seed lacks, stops before dbt with one line naming the rule, the count and the fix.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.console import one_line_and_the_log
from tests.real_returns import (
    ROCHDALE_CHILDREN,
    YEAR,
    england_landing,
    english_authorities,
    rochdale_landing,
)
from tests.tiers import runs_chorus

KEY = "real-returns-test-key"
ROCHDALE_EYFSP = f"eyfsp/{YEAR.folder}/rochdale_eyfsp_2023-24.csv"
ROCHDALE_CENSUS = f"census/{YEAR.folder}/rochdale_census_2023-24.csv"


def _chorus_run(landing: Path, root: Path, packs: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CHORUS_HOME": str(root / "home"),
        "CHORUS_PSEUDONYM_KEY": KEY,
        "CHORUS_PACKS": packs,
    }
    env.pop("CHORUS_XLSX_SHEET", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "run",
            "--landing",
            str(landing),
            "--out",
            str(root / "output"),
        ],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )


@pytest.fixture(scope="module")
@runs_chorus
def england(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("england")
    landing = root / "landing"
    rochdale = rochdale_landing(landing)
    england_landing(landing, children_per_authority=40, skip=frozenset({"354"}))
    result = _chorus_run(landing, root, packs="354")
    return {"root": root, "output": root / "output", "result": result, "rochdale": rochdale}


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_the_issues_return_publishes_everything_but_its_two_defective_children(england):
    assert england["result"].returncode == 0, england["result"].stderr[-3000:]
    output = england["output"]
    rochdale = england["rochdale"]
    eyfsp, census = rochdale["eyfsp"], rochdale["census"]
    # The two census rows and their children's EYFSP rows, as a person finds them in Excel.
    census_rows = [
        int(census.index[census["upn"] == upn][0]) + 2 for upn in rochdale["defect_upns"]
    ]
    eyfsp_rows = [int(eyfsp.index[eyfsp["upn"] == upn][0]) + 2 for upn in rochdale["defect_upns"]]
    rejections = _csv(output / "quality" / "rejections.csv")
    assert sorted(
        zip(rejections["file"], rejections["row"], rejections["rule"], strict=True)
    ) == sorted(
        [
            (ROCHDALE_CENSUS, str(census_rows[0]), "postcode_sector_unknown"),
            (ROCHDALE_CENSUS, str(census_rows[1]), "fsm_code"),
            (ROCHDALE_EYFSP, str(eyfsp_rows[0]), "census_row_quarantined"),
            (ROCHDALE_EYFSP, str(eyfsp_rows[1]), "census_row_quarantined"),
        ]
    )
    for upn in rochdale["defect_upns"]:  # identifiers never leave the raw zone
        assert upn not in (output / "quality" / "rejections.csv").read_text()
    summary = _csv(output / "quality" / "load_summary.csv").set_index("file")
    for file in (ROCHDALE_EYFSP, ROCHDALE_CENSUS):
        assert summary.loc[
            file, ["rows_read", "rows_loaded", "rows_quarantined", "status"]
        ].tolist() == [str(ROCHDALE_CHILDREN), str(ROCHDALE_CHILDREN - 2), "2", "loaded"]
    values = _csv(output / "indicators" / "indicator_values.csv")
    gld = values[
        (values["indicator_id"] == "gld")
        & (values["area_code"] == "E08000005")
        & (values["breakdown"] == "All")
    ]
    assert gld["denominator"].tolist() == [str(ROCHDALE_CHILDREN - 2)]
    # Every Rochdale neighbourhood (from its own lookup) is published, and has its pack.
    hoods = set(values.loc[values["geographic_level"] == "Neighbourhood", "area_code"])
    assert {f"RD0{number}" for number in range(1, 6)} <= hoods
    packs = {path.parent.name for path in (output / "boards").rglob("pack.html")}
    assert len(packs) == 6  # the authority and its five neighbourhoods
    assert (output / "quality" / "index.html").is_file()


def test_every_english_authority_loads_out_of_the_box(england):
    assert england["result"].returncode == 0, england["result"].stderr[-3000:]
    output = england["output"]
    rejections = _csv(output / "quality" / "rejections.csv")
    assert not rejections["rule"].str.startswith("la_code").any()
    assert not rejections["rule"].str.startswith("upn").any()  # 838, 839, 940-943 included
    authorities = {row["new_la_code"]: row["la_code"] for row in english_authorities()}
    assert len(authorities) == 153
    values = _csv(output / "indicators" / "indicator_values.csv")
    published = values[
        (values["indicator_id"] == "gld")
        & (values["geographic_level"] == "Local authority")
        & (values["breakdown"] == "All")
    ]
    assert set(published["area_code"]) == set(authorities)
    assert set(published["area_name"]) == {row["la_name"] for row in english_authorities()}
    open_data = _csv(output / "open-data" / "gld.csv")
    assert set(
        open_data.loc[open_data["geographic_level"] == "Local authority", "old_la_code"]
    ) == set(authorities.values())


@pytest.mark.pipeline
def test_a_return_nothing_of_which_can_be_published_stops_before_dbt_with_one_line(tmp_path):
    rochdale_landing(tmp_path / "landing", la_code="998")
    result = _chorus_run(tmp_path / "landing", tmp_path, packs="none")
    assert result.returncode == 1
    assert (
        f"EYFSP 2023/24: {ROCHDALE_CHILDREN:,} of {ROCHDALE_CHILDREN:,} rows: LA number "
        "998 is not in seeds/local_authorities.csv: add the authority or correct the "
        "number (rule la_code_unknown)"
    ) in one_line_and_the_log(result.stderr, result.stdout)[0]
    assert not (tmp_path / "output").exists()
    [timings] = (tmp_path / "home" / "logs").glob("*.timings.json")
    recorded = json.loads(timings.read_text())
    steps = recorded["steps"]
    assert "statutory_returns" in steps and "preflight" in steps
    assert "chorus_dbt_models" not in steps  # stopped before dbt
    # and each step's peak memory: more than the bare interpreter's, none above the run's
    if Path("/proc/self/smaps_rollup").is_file():  # sampled on Linux only
        peaks = recorded["step_peak_mib"]
        assert set(peaks) == set(steps)
        assert 30 < min(peaks.values()) <= max(peaks.values()) <= recorded["peak_mib"]
