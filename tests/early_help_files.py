"""A landing written row by row for the Early Help source tests that run `chorus` on one
(sources, gaps, part periods): the reference landing with a two-district authority
(Harrowdale), its teams, districts and Voice Note trial, and the files each test gives;
and `chorus` run on it with its own home, key and output (no packs).
(tests/early_help_landing.py is another: six teams over 24 months, for the indicators.)"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.project_copy import chorus

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "fixtures" / "bad" / "good_cp1252_names"  # LA list: Harrowdale
TEAMS = (
    "team_code,team_name,new_la_code,district_code\n"
    "EH-N1,North 1 Early Help team,E99000999,E07999901\n"
    "EH-S1,South 1 Early Help team,E99000999,E07999902\n"
)
DISTRICTS = (
    "district_code,district_name,new_la_code\n"
    "E07999901,Harrowdale North (synthetic),E99000999\n"
    "E07999902,Harrowdale South (synthetic),E99000999\n"
)
TRIALS = "team_code,starts,description\nEH-N1,2024-04,Voice Note trial\n"
HEAD = (
    "referral_id,child_id,referral_date,team_code,referral_source,need_level,"
    "hub_meeting_date,outcome,closure_date"
)
NOTE_HEAD = "referral_id,date_recorded,whose_voice,how,team_code,words,consent_quote"


def write_landing(
    root: Path, files: Mapping[str, Sequence[str]], teams: str = TEAMS, trials: str = TRIALS
) -> Path:
    """root/landing: the reference landing, the seeds above (or `teams`, `trials`) and
    `files` (path -> rows)."""
    landing = root / "landing"
    shutil.copytree(BASE, landing, ignore=shutil.ignore_patterns("expected.json"))
    for name, text in (("teams", teams), ("districts", DISTRICTS), ("early_help_trials", trials)):
        (landing / "seeds" / f"{name}.csv").write_text(text, encoding="utf-8")
    for relative, rows in files.items():
        path = landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return landing


def run_chorus(*args: str, root: Path, landing: Path, key: str):
    """`chorus <args>` with root/home, root/output, the landing and a test key."""
    env = {
        **os.environ,
        "CHORUS_HOME": str(root / "home"),
        "CHORUS_PSEUDONYM_KEY": key,
        "CHORUS_LANDING": str(landing),
        "CHORUS_OUTPUT": str(root / "output"),
        "CHORUS_PACKS": "none",
    }
    return chorus(*args, env=env, cwd=root, timeout=1800)
