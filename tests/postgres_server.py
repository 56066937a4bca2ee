"""A real PostgreSQL server for the test session, started here and stopped at the end.

Nothing is assumed to be running: the server is Debian's PostgreSQL 15 (`/usr/lib/postgresql`),
initialised on a temporary data directory and listening on loopback only, on a free port, with
its socket in that directory. PostgreSQL refuses to run as root, so as root it runs as the
`postgres` user (`runuser`). If it cannot start, `start` raises PostgresUnavailable saying why:
the tests that need it fail, they never skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """The test session could not start its PostgreSQL server (the message says why)."""


@dataclass
class Server:
    directory: Path
    port: int
    bin_dir: Path
    as_postgres: bool

    @property
    def url(self) -> str:
        """The URL of the `chorus` database (user `chorus`, loopback, no password: trust)."""
        return f"postgresql://chorus@127.0.0.1:{self.port}/chorus"

    def database_url(self, name: str) -> str:
        return f"postgresql://chorus@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str, collation: str | None = None) -> str:
        """A new empty database on the server; returns its URL. `collation` (an ICU locale,
        e.g. "en-GB") orders text as a team's server may, rather than byte by byte (C)."""
        options = ["--locale-provider=icu", f"--icu-locale={collation}", "--template=template0"]
        self._run(
            "createdb",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "chorus",
            *(options if collation else []),
            name,
        )
        return self.database_url(name)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            said = (result.stderr or result.stdout).strip()
            raise PostgresUnavailable(f"{program} failed ({result.returncode}): {said}")
        return result


def _bin_dir() -> Path:
    override = os.environ.get("CHORUS_PG_BIN")
    candidates = [override] if override else sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    for candidate in reversed(candidates):
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise PostgresUnavailable(
        "PostgreSQL's server programs were not found (looked for /usr/lib/postgresql/*/bin/"
        "initdb; set CHORUS_PG_BIN, or install Debian's postgresql package)"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start() -> Server:
    """Initialise and start a server on a temporary directory; the caller stops it."""
    bin_dir = _bin_dir()
    as_postgres = os.geteuid() == 0
    directory = Path(tempfile.mkdtemp(prefix="chorus-pg-"))
    directory.chmod(0o755)
    server = Server(directory, free_port(), bin_dir, as_postgres)
    if as_postgres:
        shutil.chown(directory, "postgres", "postgres")
    data = directory / "data"
    server._run(
        "initdb", "-D", str(data), "-U", "chorus", "--auth=trust", "-E", "UTF8", "--locale=C"
    )
    options = f"-c listen_addresses=127.0.0.1 -p {server.port} -k {directory} -c fsync=off"
    try:
        server._run(
            "pg_ctl",
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(directory / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )
    except PostgresUnavailable as error:
        log = directory / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise PostgresUnavailable(f"{error}\n{tail}") from None
    server._run("createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", "chorus", "chorus")
    return server
