"""Dagster's home under CHORUS_HOME: run history shared by `chorus run`, `chorus ui` and the
daemon (in SQLite there, or on the PostgreSQL server when that is the warehouse), and what
every run does with the one warehouse lock."""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Generator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from indicators.config import ChorusSettings

DAGSTER_YAML = """\
# Written by Chorus. Nothing here reaches the network.
telemetry:
  enabled: false
# No newsletter or sign-up prompt in the UI.
nux:
  enabled: false
# DuckDB allows one writer: the warehouse runs one job at a time (runs also take the
# warehouse lock, orchestration/resources.py, however they were started).
concurrency:
  runs:
    max_concurrent_runs: 1
# A run's stdout and stderr are captured to files (shown in the UI) without Dagster's
# `tail -F` mirror processes.
compute_logs:
  module: orchestration.instance
  class: CapturedComputeLogManager
  config:
    base_dir: {storage}
"""

RUN_LOG_ENV = "CHORUS_RUN_LOG"
"""Set by orchestration/runner.py while a run executes in its process: everything the run
prints already goes to that run log, so compute logs are not captured separately."""

STARTED_BY_TAG = "chorus/started_by"
RUN_LOG_TAG = "chorus/run_log"


SHARED_STORAGE = """\
# The warehouse is a PostgreSQL server (CHORUS_WAREHOUSE): run history, schedules and event
# logs live there too (dagster-postgres), so the UI, the daemon and `chorus run` on any
# machine share them. The URL is read from the environment, never written here.
storage:
  postgres:
    postgres_url:
      env: {variable}
"""

DAGSTER_STORAGE_ENV = "CHORUS_DAGSTER_STORAGE_URL"
"""Set by prepare_dagster_home from CHORUS_WAREHOUSE for Dagster's postgres storage."""


LOCAL_EVENT_LOG = """\
# Run history in SQLite here, where Dagster keeps it (history/), but each event log file's
# connection kept open while a process writes to it: Dagster's own class opens and closes
# one for every event, and closing it checkpoints the file (about 2 ms an event).
event_log_storage:
  module: orchestration.instance
  class: KeptOpenSqliteEventLogStorage
  config:
    base_dir: {runs}
"""


def dagster_yaml(settings: ChorusSettings) -> str:
    text = DAGSTER_YAML.format(storage=settings.dagster_home / "storage")
    if settings.warehouse_url:
        text += SHARED_STORAGE.format(variable=DAGSTER_STORAGE_ENV)
    else:
        text += LOCAL_EVENT_LOG.format(runs=settings.dagster_home / "history" / "runs")
    return text


def prepare_dagster_home(settings: ChorusSettings) -> Path:
    """Create $CHORUS_HOME/dagster with telemetry off, and point DAGSTER_HOME at it."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    wanted = dagster_yaml(settings)
    if not config.exists() or config.read_text(encoding="utf-8") != wanted:
        partial = config.with_name(f".dagster.yaml.{os.getpid()}")
        partial.write_text(wanted, encoding="utf-8")
        os.replace(partial, config)  # two runs starting together never read half a file
    os.environ["DAGSTER_HOME"] = str(home)
    if settings.warehouse_url:  # through psycopg2, the driver Chorus installs (SQLAlchemy's
        # default for postgresql:// is now psycopg 3), from the URL as Chorus parsed it
        from indicators.postgres import parse_url

        os.environ[DAGSTER_STORAGE_ENV] = parse_url(settings.warehouse_url).dagster_url()
    return home


def dagster_environment(settings: ChorusSettings) -> dict[str, str]:
    """The environment of Dagster's own processes (UI, daemon) over this installation;
    SettingsError (one line) when its PostgreSQL warehouse cannot be used."""
    from orchestration.dbt_setup import dbt_environment, prepare_manifest  # reads dbt files

    if settings.warehouse_url:  # Dagster's storage is there: say so before Dagster starts
        from indicators.config import SettingsError
        from indicators.postgres import unreachable_line

        unreachable = unreachable_line(settings.warehouse_url)
        if unreachable:
            raise SettingsError(unreachable)
    prepare_dagster_home(settings)
    prepare_manifest()
    return {
        **os.environ,
        **dbt_environment(settings),
        "DAGSTER_HOME": str(settings.dagster_home),
        "CHORUS_HOME": str(settings.home),
        "CHORUS_LANDING": str(settings.landing),
        "CHORUS_OUTPUT": str(settings.output),
    }


def shown_warehouse(settings: ChorusSettings) -> str:
    """The warehouse as it may be printed: a PostgreSQL URL without its password."""
    if settings.warehouse_url:
        from indicators.postgres import parse_url

        return str(parse_url(settings.warehouse_url))
    return str(settings.warehouse)


def chorus_instance():
    """Dagster's instance for this CHORUS_HOME, its storage complete.

    A run killed while Dagster was first creating its SQLite storage leaves tables missing
    (then every later run stopped with "requires the dynamic partitions table ... run
    `dagster instance migrate`"): the storage is migrated here, as that command would."""
    from dagster import DagsterInstance

    from orchestration.partitions import ACADEMIC_YEARS

    def usable(instance) -> bool:
        try:
            instance.get_dynamic_partitions(ACADEMIC_YEARS)
            instance.get_runs(limit=1)
        except Exception:  # noqa: BLE001 - any incomplete storage
            return False
        return True

    instance = DagsterInstance.get()
    if usable(instance):
        return instance
    instance.upgrade()
    if usable(instance):
        return instance
    # Tables missing under a current schema version: migrating adds nothing. Dagster's run
    # history is a record, not the data (the warehouse and its load log are), so the broken
    # storage is set aside, never deleted, and a new one made.
    home = Path(os.environ["DAGSTER_HOME"])
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in ("history", "schedules"):
        if (home / name).exists():
            os.replace(home / name, home / f"{name}.broken-{stamp}")
    print(
        f"chorus: Dagster's run history under {home} was incomplete (a run killed while "
        f"creating it?); set aside as history.broken-{stamp}, a new one started",
        flush=True,
    )
    instance = DagsterInstance.get()
    instance.get_dynamic_partitions(ACADEMIC_YEARS)
    return instance


def started_by(tags: Mapping[str, str]) -> str:
    """How a run was started, in words, from its tags."""
    from dagster._core.storage.tags import BACKFILL_ID_TAG, SCHEDULE_NAME_TAG, SENSOR_NAME_TAG

    if tags.get(STARTED_BY_TAG):
        return tags[STARTED_BY_TAG]
    if tags.get(SENSOR_NAME_TAG):
        return f"the {tags[SENSOR_NAME_TAG]} sensor"
    if tags.get(SCHEDULE_NAME_TAG):
        return f"the {tags[SCHEDULE_NAME_TAG]} schedule"
    if tags.get(BACKFILL_ID_TAG):
        return "a backfill (Dagster UI)"
    return "the Dagster UI"


def settle_abandoned(instance, previous) -> str | None:
    """Mark as failed a run that died holding the warehouse lock (killed, or its machine
    stopped) while Dagster still shows it running: otherwise it would hold the run queue
    (one run at a time) for ever. `previous` is the holder the lock file still named."""
    from dagster import DagsterRunStatus

    if previous is None or not previous.run_id or instance is None:
        return None
    run = instance.get_run_by_id(previous.run_id)
    unfinished = (
        DagsterRunStatus.NOT_STARTED,
        DagsterRunStatus.STARTING,
        DagsterRunStatus.STARTED,
        DagsterRunStatus.CANCELING,
    )
    if run is None or run.status not in unfinished:
        return None
    message = (
        f"run {previous.run_id} ended without finishing: its process {previous.pid} "
        f"on {previous.host} stopped while it held the warehouse (killed?)"
    )
    instance.report_run_failed(run, message=message)
    return message


# Compute logs without `tail -F` ---------------------------------------------------------------


@functools.cache
def _captured_compute_log_manager():
    from dagster import _check as check
    from dagster._core.execution.compute_logs import redirect_to_file
    from dagster._core.storage.compute_log_manager import CapturedLogContext, ComputeIOType
    from dagster._core.storage.local_compute_log_manager import (
        IO_TYPE_EXTENSION,
        LocalComputeLogManager,
    )
    from dagster._utils import touch_file

    class CapturedComputeLogManager(LocalComputeLogManager):
        """Dagster's local compute logs, captured to files but not mirrored to the terminal.

        Dagster's own manager mirrors each capture with a `tail -F` process and a watcher
        process, which a run that ends abruptly can leave behind; here the run's stdout and
        stderr go to the files alone (the UI shows them). When orchestration/runner.py runs
        the job in its own process, its run log already holds everything, and nothing more is
        captured.
        """

        @classmethod
        def from_config_value(cls, inst_data, config_value):
            return cls(inst_data=inst_data, **config_value)

        @contextmanager
        def capture_logs(self, log_key: Sequence[str]) -> Generator[CapturedLogContext]:
            if os.environ.get(RUN_LOG_ENV):
                yield CapturedLogContext(log_key)
                return
            out = self.get_captured_local_path(log_key, IO_TYPE_EXTENSION[ComputeIOType.STDOUT])
            err = self.get_captured_local_path(log_key, IO_TYPE_EXTENSION[ComputeIOType.STDERR])
            Path(check.str_param(out, "out")).parent.mkdir(parents=True, exist_ok=True)
            with redirect_to_file(sys.stdout, out), redirect_to_file(sys.stderr, err):
                yield CapturedLogContext(log_key)
            touch_file(self.complete_artifact_path(log_key))

    return CapturedComputeLogManager


@functools.cache
def _kept_open_event_log_storage():
    from collections import OrderedDict

    from dagster._core.storage.event_log import SqliteEventLogStorage
    from dagster._core.storage.event_log.polling_event_watcher import SqlPollingEventWatcher
    from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
    from sqlalchemy import create_engine

    class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
        """Dagster's SQLite event log (the same files and tables), through one engine per
        file that keeps its connection open, for the few files this process used last.

        Dagster's class makes an engine without a pool for every statement, so each event
        opens the file, reads its schema, writes, and closes it; closing the last connection
        to a WAL file checkpoints it. Kept open, an event is one small transaction.
        """

        OPEN_FILES = 4

        @classmethod
        def from_config_value(cls, inst_data, config_value):
            return cls(inst_data=inst_data, **config_value)

        @contextmanager
        def _connect(self, shard: str):
            with self._db_lock:
                engines = self.__dict__.setdefault("_engines", OrderedDict())
                engine = engines.get(shard)
                if engine is None:
                    engine = create_engine(
                        self.conn_string_for_shard(shard),
                        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                    )
                    if shard not in self._initialized_dbs:
                        self._initdb(engine)
                        self._initialized_dbs.add(shard)
                    engines[shard] = engine
                    while len(engines) > self.OPEN_FILES:
                        engines.popitem(last=False)[1].dispose()
                engines.move_to_end(shard)
                with engine.connect() as conn, conn.begin():
                    yield conn

        def _close_files(self) -> None:
            with self._db_lock:
                for engine in self.__dict__.pop("_engines", {}).values():
                    engine.dispose()

        def wipe(self) -> None:
            self._close_files()  # its files are deleted
            super().wipe()

        # A run's events are watched (the UI's live run log) by polling the records, as
        # dagster-postgres does: Dagster's SQLite watcher waits for the file itself to
        # change, which, written through an open WAL connection, it does only at checkpoints.
        def watch(self, run_id: str, cursor: str | None, callback) -> None:
            if self.__dict__.get("_poller") is None:
                self._poller = SqlPollingEventWatcher(self)
            self._poller.watch_run(run_id, cursor, callback)

        def end_watch(self, run_id: str, handler) -> None:
            if self.__dict__.get("_poller") is not None:
                self._poller.unwatch_run(run_id, handler)

        def dispose(self) -> None:
            if self.__dict__.get("_poller") is not None:
                self._poller.close()
                self._poller = None
            self._close_files()
            super().dispose()

    return KeptOpenSqliteEventLogStorage


def __getattr__(name: str):
    # Dagster imports the class named in dagster.yaml; building it lazily keeps importing
    # this module (for prepare_dagster_home) free of Dagster.
    if name == "CapturedComputeLogManager":
        return _captured_compute_log_manager()
    if name == "KeptOpenSqliteEventLogStorage":
        return _kept_open_event_log_storage()
    raise AttributeError(name)
