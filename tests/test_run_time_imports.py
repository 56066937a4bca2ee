"""What the run-time code imports: never the synthetic generators (indicators/synthetic/,
which only `chorus synth` and `chorus demo` load, lazily), and the library never Dagster;
and a whole run asks nothing of the network."""

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests import RUN_CHILDREN

ROOT = Path(__file__).resolve().parents[1]


def _modules(package: str) -> list[str]:
    names = []
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _imported_after(modules: list[str]) -> set[str]:
    """The top-level names in sys.modules after importing `modules` in a fresh interpreter,
    with the indicators.synthetic package split out so that its loading shows."""
    probe = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHORUS_")}
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    return set(out.stdout.split())


@pytest.mark.slow
def test_the_dagster_definitions_and_every_run_time_module_leave_the_generators_alone():
    run_time = [
        name
        for name in _modules("indicators") + _modules("orchestration")
        if not name.startswith("indicators.synthetic")
    ]
    assert "orchestration.definitions" in run_time and "indicators.ingest.streams" in run_time
    assert len(run_time) > 80
    loaded = _imported_after(run_time)
    assert "orchestration.definitions" in loaded  # the probe did import them
    assert not {name for name in loaded if name.startswith("indicators.synthetic")}


def test_the_generators_are_what_chorus_synth_imports():
    # The probe above can see the package when something imports it.
    loaded = _imported_after(["indicators.synthetic.generate"])
    assert "indicators.synthetic" in loaded


def test_the_library_never_imports_dagster():
    loaded = _imported_after(_modules("indicators"))
    assert "indicators.publish.board_packs" in loaded
    assert not {name for name in loaded if name == "dagster" or name.startswith("dagster.")}


class _Proxy:
    """A listening socket named as every protocol's proxy: whatever a run tries to reach
    through one (Python's urllib and requests, pip, dbt, GX, Dagster read these
    variables) connects here instead, and is counted."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.calls: list[bytes] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        address = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        names = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
        self.environment = {name: address for name in names + tuple(n.lower() for n in names)}

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(2)
                try:
                    self.calls.append(connection.recv(200))
                except OSError:
                    self.calls.append(b"")

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.server.close()


def test_the_proxy_sees_a_program_that_asks_the_network():
    """The check below can fail: `dbt --version` asks pypi.org for dbt's latest release."""
    proxy = _Proxy()
    try:
        subprocess.run(
            [str(Path(sys.executable).with_name("dbt")), "--version"],
            capture_output=True,
            env={**_without_proxies(), **proxy.environment},
            timeout=120,
            check=False,
        )
    finally:
        proxy.close()
    assert proxy.calls and b"pypi.org" in proxy.calls[0]


def _without_proxies() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CHORUS_") and not k.lower().endswith("_proxy")
    }


@pytest.mark.pipeline
def test_a_whole_run_succeeds_with_the_generators_unimportable_and_no_network(tmp_path):
    """`chorus run` end to end in a process where importing indicators.synthetic fails, and
    with every proxy variable naming a local socket: nothing in the run tries to reach the
    network through it (telemetry off everywhere, no version checks)."""
    from indicators.synthetic.generate import generate

    landing = tmp_path / "landing"
    generate(landing, seed=5, children_per_year=RUN_CHILDREN, years=["2023/24"])
    proxy = _Proxy()
    env = {
        **_without_proxies(),
        **proxy.environment,
        "CHORUS_HOME": str(tmp_path / "home"),
        "CHORUS_PACKS": "none",
    }
    blocked = (
        "import sys\n"
        "sys.modules['indicators.synthetic'] = None  # any import of it raises\n"
        "from orchestration.cli import app\n"
        "app()\n"
    )
    try:
        run = subprocess.run(
            [
                sys.executable,
                "-c",
                blocked,
                "run",
                "--landing",
                str(landing),
                "--out",
                str(tmp_path / "out"),
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            env=env,
            timeout=900,
        )
    finally:
        proxy.close()
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "out" / "indicators" / "indicator_values.csv").is_file()
    assert proxy.calls == [], proxy.calls


def test_no_run_time_source_imports_the_generators_even_lazily():
    """Only `chorus synth` and `chorus demo` (orchestration/cli.py) name the package."""
    naming = {}
    for path in [*(ROOT / "indicators").rglob("*.py"), *(ROOT / "orchestration").rglob("*.py")]:
        if "synthetic" in path.relative_to(ROOT).parts:
            continue
        lines = [
            line.strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if "import" in line and "synthetic" in line
        ]
        if lines:
            naming[str(path.relative_to(ROOT))] = lines
    assert set(naming) == {"orchestration/cli.py"}, naming
    assert len(naming["orchestration/cli.py"]) == 2  # in the synth and demo commands
