"""What an analyst or LA engineer gets when the declarations behind the Early Help gaps are
wrong (review of the per-team start and the re-referral follow-up): one line naming the
file and key, before any figure is built; never a rule silently switched off."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest

from indicators.ingest.reference_load import _load_as_read
from indicators.publish.register import metadata_problems
from indicators.sources.load import SpecInvalid, load_sources
from indicators.steps import StepRefused
from indicators.warehouse import ensure_raw_zone

ROOT = Path(__file__).resolve().parents[1]


def _sources(tmp_path: Path, declared: str) -> Path:
    copy = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", copy)
    spec = copy / "voice_notes" / "base.yml"
    text = spec.read_text(encoding="utf-8")
    start = text.index("declared_start:")  # the project's own declaration, replaced whole
    end = text.index("due_with: early_help_referrals\n", start) + len(
        "due_with: early_help_referrals\n"
    )
    spec.write_text(text[:start] + declared + text[end:], encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (
            "declared_start: {seed: early_help_trials, column: starts, per: team_code}\n",
            "sources/voice_notes/base.yml: declared_start: per and due_with go together",
        ),
        (
            "declared_start: {seed: early_help_trials, column: starts, per: team_code, "
            "due_with: voice_notes}\n",
            "declared_start.due_with: another source (whose rows say this one's are due), "
            "not itself",
        ),
        (
            "declared_start: {seed: early_help_trials, column: starts, per: team_code, "
            "due_with: referrals}\n",
            "declared_start.due_with: source 'referrals' has no spec",
        ),
        (  # a column of both sources, but the trials seed has no such column
            "declared_start: {seed: early_help_trials, column: starts, per: referral_id, "
            "due_with: early_help_referrals}\n",
            "declared_start.per: 'referral_id' is not a column of seeds/early_help_trials.csv",
        ),
    ],
)
def test_a_per_team_start_that_cannot_work_is_refused_in_one_line(tmp_path, declared, expected):
    with pytest.raises(SpecInvalid) as refused:
        load_sources(_sources(tmp_path, declared))
    assert any(expected in problem for problem in refused.value.problems), refused.value.problems
    assert all("\n" not in problem for problem in refused.value.problems)


def test_the_project_s_declaration_loads():
    spec = load_sources()["voice_notes"]
    assert spec.declared_start_per == ("team_code", "early_help_referrals")


@pytest.mark.parametrize(
    ("follow_up", "expected"),
    [
        ({"source": "referrals", "months": 12}, "follow_up.source: 'referrals' is not a source"),
        ({"source": "early_help_referrals", "months": "twelve"}, "follow_up.months: 'twelve'"),
        ({"source": "early_help_referrals", "months": 0}, "follow_up.months: '0'"),
        ({"months": 12}, "follow_up: a mapping of source:"),
        ("twelve months", "follow_up: a mapping of source:"),
    ],
)
def test_a_follow_up_that_cannot_be_read_is_a_register_problem(follow_up, expected):
    register = pd.DataFrame([{"model": "ind_x", "indicator_id": "x", "follow_up": follow_up}])
    said = [p for p in metadata_problems(register) if "follow_up" in p]
    assert len(said) == 1 and said[0].startswith("ind_x: meta.indicator.") and expected in said[0]


def test_a_good_follow_up_is_no_problem():
    register = pd.DataFrame(
        [{"model": "ind_x", "follow_up": {"source": "early_help_referrals", "months": 12}}]
    )
    assert not [p for p in metadata_problems(register) if "follow_up" in p]


def test_a_trials_seed_without_its_team_column_stops_the_load_in_one_line(tmp_path):
    """Read as blanks, every row would be dropped and both starts (the first team's and each
    team's) switched off without a word (review: header 'team' for 'team_code')."""
    landing = tmp_path / "landing"
    (landing / "seeds").mkdir(parents=True)
    (landing / "seeds" / "early_help_trials.csv").write_text(
        "team,starts,description\nEH-N1,2023-10,trial\n", encoding="utf-8"
    )
    settings = SimpleNamespace(landing=landing, seeds=ROOT / "seeds")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        ensure_raw_zone(connection)
        with pytest.raises(StepRefused) as refused:
            _load_as_read(connection, settings, "early_help_trials")
    said = str(refused.value)
    assert "seeds/early_help_trials.csv" in said and "no column 'team_code'" in said
    assert "\n" not in said


def test_a_trials_seed_without_a_description_still_loads(tmp_path):
    landing = tmp_path / "landing"
    (landing / "seeds").mkdir(parents=True)
    (landing / "seeds" / "early_help_trials.csv").write_text(
        "team_code,starts\nEH-N1,2023-10\n", encoding="utf-8"
    )
    settings = SimpleNamespace(landing=landing, seeds=ROOT / "seeds")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        ensure_raw_zone(connection)
        assert _load_as_read(connection, settings, "early_help_trials") == 1
