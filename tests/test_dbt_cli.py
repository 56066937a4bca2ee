"""The dbt resource Chorus gives Dagster (orchestration.dbt_assets.ChorusDbtCli) reads the
version of the dbt it runs from the installed package instead of asking the executable
(`dbt --version` also asks pypi.org for the latest release): it must be the version the
executable itself reports."""

import os
import re
import subprocess

from orchestration.dbt_assets import ChorusDbtCli, dbt_project
from orchestration.dbt_setup import dbt_executable


def test_the_dbt_version_is_the_one_the_dbt_executable_reports():
    executable = dbt_executable()
    # `dbt --version` looks up the latest dbt-core on pypi.org: a dead proxy keeps it here
    dead = "http://127.0.0.1:9"
    offline = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    offline.update({"HTTPS_PROXY": dead, "https_proxy": dead})
    reported = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, check=True, env=offline
    ).stdout
    core = re.search(r"installed:\s*(\d+\.\d+\.\d+)", reported)
    assert core, reported
    resource = ChorusDbtCli(project_dir=dbt_project, dbt_executable=executable)
    assert str(resource._cli_version) == core.group(1)


def test_another_dbt_executable_is_asked_its_version(tmp_path):
    """A dbt outside the venv (a team's own install) may be another version: it is asked."""
    fake = tmp_path / "dbt"
    fake.write_text("#!/bin/sh\necho 'Core:\n  - installed: 1.2.3\n'\n")
    fake.chmod(0o755)
    resource = ChorusDbtCli(project_dir=dbt_project, dbt_executable=str(fake))
    assert str(resource._cli_version) == "1.2.3"
