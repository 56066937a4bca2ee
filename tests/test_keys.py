"""Pseudonym keys: the public demo key only for returns chorus synth wrote, byte for byte;
a missing or weak key refused for anything else, saying how to make one; new keys."""

import os
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from indicators.config import DEMO_PSEUDONYM_KEY, ChorusSettings
from indicators.ingest.keys import KeyRefused, configured_key, run_key
from indicators.ingest.landing import discover
from indicators.synthetic.generate import generate

CHORUS = [sys.executable, "-m", "orchestration.cli"]


@pytest.fixture
def synthetic(tmp_path):
    landing = tmp_path / "landing"
    generate(landing, seed=5, children_per_year=40, years=["2023/24"])
    return replace(ChorusSettings.from_env(environ={}, cwd=tmp_path), landing=landing)


def _key(settings):
    files, _ = discover(settings.landing)
    return run_key(settings, files)


def test_the_demo_key_is_used_for_returns_synth_wrote(synthetic):
    assert _key(synthetic) == DEMO_PSEUDONYM_KEY
    assert _key(replace(synthetic, pseudonym_key=DEMO_PSEUDONYM_KEY)) == DEMO_PSEUDONYM_KEY


def test_a_synthetic_file_edited_by_hand_is_no_longer_synthetic(synthetic):
    census = synthetic.landing / "census" / "2023-24" / "census_extract.csv"
    lines = census.read_text().splitlines()
    lines[1] = lines[1].replace(lines[1].split(",")[0], "A123456789012")  # a "real" child
    census.write_text("\n".join(lines) + "\n")
    with pytest.raises(KeyRefused) as refused:
        _key(synthetic)
    message = str(refused.value)
    assert "census/2023-24/census_extract.csv is not a synthetic return" in message
    assert "CHORUS_PSEUDONYM_KEY is not set" in message and "chorus key new" in message
    assert "CHORUS_ALLOW_DEMO_KEY=1" in message
    with pytest.raises(KeyRefused, match="public demo key"):
        _key(replace(synthetic, pseudonym_key=DEMO_PSEUDONYM_KEY))


def test_a_file_added_beside_synthetic_ones_or_renamed_over_one_is_not_synthetic(synthetic):
    extra = synthetic.landing / "eyfsp" / "2023-24" / "real_return.csv"
    extra.write_bytes(
        (synthetic.landing / "eyfsp" / "2023-24" / "eyfsp_return.csv").read_bytes()
    )  # same bytes, but not a file synth wrote
    with pytest.raises(KeyRefused, match="real_return.csv is not a synthetic return"):
        _key(synthetic)
    extra.unlink()
    voice = synthetic.landing / "voice" / "2023-24" / "survey_responses.csv"
    census = synthetic.landing / "census" / "2023-24" / "census_extract.csv"
    voice.write_bytes(census.read_bytes())
    with pytest.raises(KeyRefused, match="survey_responses.csv"):
        _key(synthetic)


def test_returns_made_by_hand_need_a_real_key_or_an_explicit_allowance(tmp_path):
    landing = tmp_path / "landing"
    fixture = Path(__file__).parent / "fixtures" / "bad" / "good_cp1252_names"
    for path in fixture.rglob("*.csv"):
        target = landing / path.relative_to(fixture)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    settings = replace(ChorusSettings.from_env(environ={}, cwd=tmp_path), landing=landing)
    assert discover(landing)[0], "the fixture should hold returns"
    with pytest.raises(KeyRefused, match="is not set"):
        _key(settings)
    assert _key(replace(settings, allow_demo_key=True)) == DEMO_PSEUDONYM_KEY
    with pytest.raises(KeyRefused, match="too short"):
        _key(replace(settings, pseudonym_key="short-key"))
    long_key = "a-long-enough-secret-key"
    assert _key(replace(settings, pseudonym_key=long_key)) == long_key


def test_the_demo_key_in_disguise_and_keys_with_little_variety_are_refused(tmp_path):
    landing = tmp_path / "landing"
    fixture = Path(__file__).parent / "fixtures" / "bad" / "good_cp1252_names"
    for path in fixture.rglob("*.csv"):
        target = landing / path.relative_to(fixture)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    settings = replace(ChorusSettings.from_env(environ={}, cwd=tmp_path), landing=landing)
    demo = "chorus-demo-key-not-for-real-data"  # as the README publishes it
    for disguised in (f" {demo} ", f"{demo}\n", demo.upper(), demo.title(), f"\t{demo}"):
        with pytest.raises(KeyRefused, match="public demo key") as refused:
            _key(replace(settings, pseudonym_key=disguised))
        assert "chorus key new" in str(refused.value)
    for weak in (
        "aaaaaaaaaaaaaaaa",
        "abababababababababab",
        "abcabcabcabcabcabc1",
        "0000000011111111222",
    ):
        with pytest.raises(KeyRefused, match="too predictable") as refused:
            _key(replace(settings, pseudonym_key=weak))
        assert "chorus key new" in str(refused.value)
    assert _key(replace(settings, pseudonym_key="k7Qp-2xZr9vB_mW4")) == "k7Qp-2xZr9vB_mW4"


def test_the_same_key_gives_the_same_pseudonyms_from_the_environment_or_a_file(tmp_path):
    key = "a-key-kept-in-a-file-0123456789"
    key_file = tmp_path / "pseudonym.key"
    key_file.write_text(f"  {key}\n")
    os.chmod(key_file, 0o600)
    from_file = ChorusSettings.from_env(
        environ={"CHORUS_PSEUDONYM_KEY_FILE": str(key_file)}, cwd=tmp_path
    )
    for written in (key, f"{key}\n", f" {key} ", f"{key}\r\n"):
        from_env = ChorusSettings.from_env(environ={"CHORUS_PSEUDONYM_KEY": written}, cwd=tmp_path)
        assert configured_key(from_env) == configured_key(from_file) == key


def test_a_key_file_must_be_readable_by_its_owner_only(tmp_path):
    key_file = tmp_path / "pseudonym.key"
    key_file.write_text("a-key-kept-in-a-file-0123456789\n")
    os.chmod(key_file, 0o644)
    settings = ChorusSettings.from_env(
        environ={"CHORUS_PSEUDONYM_KEY_FILE": str(key_file)}, cwd=tmp_path
    )
    with pytest.raises(KeyRefused, match="chmod 600"):
        configured_key(settings)
    os.chmod(key_file, 0o600)
    assert configured_key(settings) == "a-key-kept-in-a-file-0123456789"


def test_chorus_key_new_prints_a_fresh_key_and_how_to_keep_it(tmp_path):
    runs = [
        subprocess.run(
            [*CHORUS, "key", "new"], capture_output=True, text=True, cwd=tmp_path, check=True
        )
        for _ in range(2)
    ]
    keys = [run.stdout.strip() for run in runs]
    assert keys[0] != keys[1] and all(len(key) >= 43 for key in keys)
    assert keys[0] not in runs[0].stderr  # guidance on stderr, the key alone on stdout
    for advice in ("CHORUS_PSEUDONYM_KEY_FILE", "CHORUS_PSEUDONYM_KEY=", "Never commit"):
        assert advice in runs[0].stderr


def test_chorus_key_new_writes_an_owner_only_file_never_in_a_repository(tmp_path):
    old = os.umask(0)  # whatever the umask
    try:
        target = tmp_path / "keys" / "pseudonym.key"
        made = subprocess.run(
            [*CHORUS, "key", "new", "--file", str(target)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
    finally:
        os.umask(old)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert len(target.read_text().strip()) >= 43 and target.read_text().strip() not in (
        made.stdout + made.stderr
    )
    again = subprocess.run(
        [*CHORUS, "key", "new", "--file", str(target)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert again.returncode == 1 and "exists already" in again.stderr
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    inside = subprocess.run(
        [*CHORUS, "key", "new", "--file", str(repository / "k.key")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert inside.returncode == 1 and "inside the git repository" in inside.stderr
    assert not (repository / "k.key").exists()
