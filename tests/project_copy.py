"""A copy of the project to run `chorus` on, as an analyst's checkout would be: the tests that
walk through adding an indicator or a source, or run a new kind of source end to end
(test_new_indicator.py, test_new_source.py, test_monthly_source.py,
test_standalone_free_text.py), edit the copy, never the project."""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from indicators.config import ChorusSettings
from orchestration.new_source import scaffold_source

ROOT = Path(__file__).resolve().parents[1]


def project_copy(tmp_path: Path, key: str, *, sources: bool = True) -> tuple[Path, dict[str, str]]:
    """`tmp_path`/project with dbt_project/ (without target/ and logs/) and seeds/, and with
    `sources`, sources/ and docs/inputs.md (what `chorus new-source` writes to); and the
    environment that points `chorus` at it: CHORUS_HOME `tmp_path`/home, pseudonym `key`,
    no packs."""
    project = tmp_path / "project"
    shutil.copytree(
        ROOT / "dbt_project",
        project / "dbt_project",
        ignore=shutil.ignore_patterns("target", "logs"),
    )
    shutil.copytree(ROOT / "seeds", project / "seeds")
    env = {
        **os.environ,
        "CHORUS_DBT_PROJECT": str(project / "dbt_project"),
        "CHORUS_HOME": str(tmp_path / "home"),
        "CHORUS_PSEUDONYM_KEY": key,
        "CHORUS_PACKS": "none",
    }
    if sources:
        shutil.copytree(ROOT / "sources", project / "sources")
        (project / "docs").mkdir()
        shutil.copy(ROOT / "docs" / "inputs.md", project / "docs" / "inputs.md")
        env["CHORUS_SOURCES"] = str(project / "sources")
    return project, env


def chorus(
    *args: str, env: dict[str, str], cwd: Path, timeout: int = 900
) -> subprocess.CompletedProcess:
    """`chorus ARGS` in a subprocess (as the README runs it), its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def scaffolded_sources(tmp_path: Path, edit: Callable[[str], str]) -> Path:
    """The project's sources/ copied to `tmp_path`/sources with `chorus new-source
    home_visits`'s spec (its staging model in `tmp_path`/dbt), edited by `edit`: its path."""
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    spec, _, _ = scaffold_source("home_visits", sources, tmp_path / "dbt", ROOT / "seeds")
    spec.write_text(edit(spec.read_text(encoding="utf-8")), encoding="utf-8")
    return spec


def settings_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sources: Path, key: str
) -> ChorusSettings:
    """Settings read from an environment pointed at `sources`, CHORUS_HOME `tmp_path`/home
    (its landing area the default under it) and pseudonym `key`."""
    monkeypatch.setenv("CHORUS_SOURCES", str(sources))
    monkeypatch.setenv("CHORUS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CHORUS_PSEUDONYM_KEY", key)
    for name in ("CHORUS_LANDING", "CHORUS_SEEDS", "CHORUS_ALLOW_DEMO_KEY"):
        monkeypatch.delenv(name, raising=False)
    return ChorusSettings.from_env()


def upn_of(serial: int) -> str:
    """A valid UPN (the check letter by python-stdnum, not by Chorus) for a test row."""
    from stdnum.gb import upn

    body = f"354{serial:08d}A"
    return upn.calc_check_digit(body) + body


SCAFFOLD_ANSWERS = {
    "value_type": "proportion",
    "unit": "%",
    "polarity": "RAG - High is good",
    "numerator_unit": "children",
    "denominator_unit": "children",
    "source_type": "statutory",
    "outcome": "Children are ready for school at age 5",  # one of seeds/theory_of_change.csv
}
"""What a test analyst answers in a scaffolded indicator's YAML, beside its title and date."""


def fill_scaffolded_yaml(
    yml: Path, *, description: str, title: str, co_designed_on: str, note: str
) -> tuple[dict, dict]:
    """A `chorus new-indicator` YAML read with its description set and every `TODO` field of
    meta.indicator answered (SCAFFOLD_ANSWERS, the title and date; any other field "Filled
    in for <note>: <field>"): (the document, its meta.indicator) for the test to finish and
    write back with yaml.safe_dump."""
    import yaml

    document = yaml.safe_load(yml.read_text(encoding="utf-8"))
    model = document["models"][0]
    model["description"] = description
    meta = model["config"]["meta"]["indicator"]
    answers = {**SCAFFOLD_ANSWERS, "title": title, "co_designed_on": co_designed_on}
    for field in meta:
        if str(meta[field]).startswith("TODO"):
            meta[field] = answers.get(field, f"Filled in for {note}: {field}")
    return document, meta
