"""Whether a landed year loads again follows the spec as resolved for that year, not the spec
files' bytes: through the real ingest (indicators/ingest/streams.py:load_stream), a comment
reloads nothing, and a rule changed in a year file reloads that year and later ones only."""

import shutil
from pathlib import Path

import pytest

from indicators.config import ChorusSettings
from indicators.ingest.streams import STANDALONE, load_stream
from indicators.sources.load import forget_loaded_sources
from orchestration.new_source import scaffold_source

ROOT = Path(__file__).resolve().parents[1]


class Quiet:
    def info(self, msg: str) -> None: ...

    def warning(self, msg: str) -> None: ...

    def error(self, msg: str) -> None: ...


@pytest.fixture
def standalone(tmp_path, monkeypatch):
    """A scaffolded standalone source, its fixture landed under 2023-24 and 2024-25."""
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    dbt = tmp_path / "dbt"
    (dbt / "models" / "staging").mkdir(parents=True)
    spec, _, fixture = scaffold_source("home_visits", sources, dbt, ROOT / "seeds")
    landing = tmp_path / "home" / "landing"
    for year in ("2023-24", "2024-25"):
        (landing / "home_visits" / year).mkdir(parents=True)
        shutil.copy(fixture, landing / "home_visits" / year / fixture.name)
    monkeypatch.setenv("CHORUS_SOURCES", str(sources))
    settings = ChorusSettings.from_env(
        {
            "CHORUS_HOME": str(tmp_path / "home"),
            "CHORUS_PSEUDONYM_KEY": "a test key, long enough and varied",
        }
    )
    forget_loaded_sources()
    yield settings, spec
    forget_loaded_sources()


def _statuses(settings: ChorusSettings) -> dict[str, str]:
    forget_loaded_sources()
    results = load_stream(settings, STANDALONE, ["2023-24", "2024-25"], None, Quiet())
    return {result.year: result.status for result in results}


def test_a_comment_in_the_spec_reloads_no_year(standalone):
    settings, spec = standalone
    assert _statuses(settings) == {"2023/24": "loaded", "2024/25": "loaded"}
    spec.write_text("# a note for the next analyst\n" + spec.read_text() + "\n# and here\n")
    assert _statuses(settings) == {"2023/24": "unchanged", "2024/25": "unchanged"}


def test_a_rule_changed_in_a_year_file_reloads_that_year_on_only(standalone):
    settings, spec = standalone
    assert _statuses(settings) == {"2023/24": "loaded", "2024/25": "loaded"}
    (spec.parent / "2024-25.yml").write_text(
        "changes:\n"
        "  - type: modify\n"
        "    column: score\n"
        "    description: scored to 200 from 2024/25\n"
        "    value: {range: {min: 0, max: 200, rule: score_range, message: 0 to 200}}\n"
    )
    assert _statuses(settings) == {"2023/24": "unchanged", "2024/25": "loaded"}
    assert _statuses(settings) == {"2023/24": "unchanged", "2024/25": "unchanged"}
