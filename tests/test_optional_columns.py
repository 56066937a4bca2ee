"""A column made optional (the README's advice for a column no longer collected: `modify`
with `value: {required: false}`, or an optional column in base.yml) may be absent from a
file, and its blanks pass its format, code and range rules (issue 13 review, item 3):
through `chorus validate`'s path (validate_paths) for the EYFSP return and the voice survey."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from indicators.ingest.validate import validate_paths
from indicators.sources.load import forget_loaded_sources
from indicators.synthetic.generate import generate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path, monkeypatch):
    generate(
        tmp_path / "land",
        seed=2,
        children_per_year=40,
        years=["2023/24"],
        care_leavers=False,
        early_communication=False,
        early_help=False,
        deprivation=False,
    )
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    (sources / "eyfsp" / "2023-24.yml").write_text(
        "changes:\n"
        "  - {type: modify, column: estab, description: no longer collected,\n"
        "     value: {required: false}}\n"
    )
    (sources / "voice" / "2023-24.yml").write_text(
        "changes:\n"
        "  - {type: modify, column: uses_funded_early_education,\n"
        "     description: no longer asked, value: {required: false}}\n"
    )
    with (sources / "voice" / "base.yml").open("a") as base:
        base.write(
            "  - {name: hub_visits, type: number, identifier: keep, required: false,\n"
            "     range: {min: 0, max: 50, rule: hub_visits_range, message: 0 to 50 visits}}\n"
        )
    monkeypatch.setenv("CHORUS_SOURCES", str(sources))
    forget_loaded_sources()
    yield tmp_path / "land"
    forget_loaded_sources()


def _file(land: Path, kind: str) -> Path:
    (path,) = (land / kind / "2023-24").glob("*.csv")
    return path


def _rules(report) -> list[tuple[str, str]]:
    return sorted({(d.column or "", d.rule) for d in report.defects})


def test_absent_optional_columns_are_allowed(project):
    before = validate_paths([project], ROOT / "seeds")
    for kind, column in (("eyfsp", "estab"), ("voice", "uses_funded_early_education")):
        path = _file(project, kind)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert column in frame.columns
        frame.drop(columns=[column]).to_csv(path, index=False)
    after = validate_paths([project], ROOT / "seeds")
    assert all(account.status == "loaded" for account in after.accounts)
    assert len(after.accounts) == 3
    lines = [line for line in after.format() if " rows read, " in line]
    assert lines == [line for line in before.format() if " rows read, " in line]
    assert not any(d.column in ("estab", "uses_funded_early_education") for d in after.defects)


def test_blanks_in_an_optional_column_pass_its_rules_and_bad_values_do_not(project):
    eyfsp = _file(project, "eyfsp")
    frame = pd.read_csv(eyfsp, dtype=str, keep_default_na=False)
    frame.loc[0, "estab"] = ""
    frame.loc[1, "estab"] = "12AB"
    frame.to_csv(eyfsp, index=False)
    voice = _file(project, "voice")
    frame = pd.read_csv(voice, dtype=str, keep_default_na=False)
    frame["hub_visits"] = ""
    frame.loc[2, "hub_visits"] = "3"
    frame.loc[3, "hub_visits"] = "99"
    frame.loc[4, "uses_funded_early_education"] = ""
    frame.loc[5, "uses_funded_early_education"] = "maybe"
    frame.loc[2:5, "consent_aggregate"] = "Y"  # a response without it is set aside unchecked
    frame.to_csv(voice, index=False)
    report = validate_paths([project], ROOT / "seeds")
    mine = sorted(
        (d.file.split("/")[0], d.row, d.column, d.rule)
        for d in report.defects
        if d.column in ("estab", "hub_visits", "uses_funded_early_education")
    )
    assert mine == [
        ("eyfsp", 3, "estab", "estab_format"),
        ("voice", 5, "hub_visits", "hub_visits_range"),
        ("voice", 7, "uses_funded_early_education", "characteristic_code"),
    ]
