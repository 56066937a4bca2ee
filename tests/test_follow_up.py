"""The restricted follow-up list: owner-only, one file per year, replaced on reload."""

import stat

import pandas as pd

from indicators.ingest.survey_columns import HELP_COLUMNS
from indicators.voice.follow_up import families_asking_for_help, follow_up_path, write_follow_up


def _requests(*response_ids: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "academic_year": "2023/24",
                "response_id": rid,
                "item_id": "enough_money",
                "response_date": "2023-11-14",
                "channel": "online",
                "neighbourhood_code": "HD01",
                "file": "voice/2023-24/survey.csv",
                "row": 2 + i,
            }
            for i, rid in enumerate(response_ids)
        ],
        columns=list(HELP_COLUMNS),
    )


def test_the_list_is_owner_only_and_counts_families(tmp_path):
    path = write_follow_up(tmp_path, "2023/24", _requests("R1", "R1", "R7"))
    assert path == follow_up_path(tmp_path, "2023/24") == tmp_path / "follow_up" / "2023-24.csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert families_asking_for_help(tmp_path) == {"2023/24": 2}  # R1 asked twice
    written = pd.read_csv(path, dtype=str)
    assert list(written.columns) == list(HELP_COLUMNS)


def test_reloading_a_year_replaces_its_list(tmp_path):
    write_follow_up(tmp_path, "2023/24", _requests("R1", "R2"))
    first = follow_up_path(tmp_path, "2023/24").read_bytes()
    write_follow_up(tmp_path, "2023/24", _requests("R1", "R2"))
    assert follow_up_path(tmp_path, "2023/24").read_bytes() == first  # idempotent
    assert write_follow_up(tmp_path, "2023/24", _requests()) is None
    assert not follow_up_path(tmp_path, "2023/24").exists()
    assert families_asking_for_help(tmp_path) == {}
