"""A period's load runs in a process forked for it (indicators/isolated.py): what the
ingest relies on is that the memory the work used is not kept by the run's process, that its
result and its errors come back as they would in process, that a child killed part-way
refuses the step with one line, and that it never forks while a warehouse connection is open
(DuckDB would hand the child the parent's database, whose threads a fork does not copy)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from indicators.isolated import forking, isolated
from indicators.sources.load import SpecInvalid
from indicators.steps import StepRefused
from indicators.warehouse import connect

HELD: list[bytearray] = []


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _hold_memory() -> int:
    """Work that keeps 300 MiB alive when it ends, as a load's leftovers do."""
    HELD.append(bytearray(b"x" * (300 * 1024 * 1024)))
    return os.getpid()


@pytest.fixture(autouse=True)
def _forking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHORUS_INGEST_FORK", raising=False)
    HELD.clear()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_the_memory_the_work_keeps_is_not_the_runs() -> None:
    before = _rss_mib()
    pid = isolated(_hold_memory, "the load")
    assert pid != os.getpid()
    assert HELD == []
    assert _rss_mib() - before < 100  # the child's 300 MiB went with it
    _hold_memory()  # the same work in this process keeps it: the measure above can see it
    assert _rss_mib() - before > 250


def test_the_result_comes_back() -> None:
    def work() -> dict:
        return {"pid": os.getpid(), "rows": [("a", 1), ("b", 2)]}

    result = isolated(work, "the load")
    assert result["rows"] == [("a", 1), ("b", 2)]
    assert result["pid"] != os.getpid()


def test_a_refusal_comes_back_as_itself_with_its_one_line() -> None:
    def work() -> None:
        raise StepRefused("seeds/voice_items.csv has problems: item q3 has no scale")

    with pytest.raises(StepRefused) as raised:
        isolated(work, "the load")
    assert str(raised.value) == "seeds/voice_items.csv has problems: item q3 has no scale"


def _deep_failure() -> None:
    {}["missing"]


def test_an_unexpected_error_keeps_the_childs_traceback() -> None:
    with pytest.raises(KeyError) as raised:
        isolated(_deep_failure, "the load")
    notes = "\n".join(getattr(raised.value, "__notes__", []))
    assert "_deep_failure" in notes
    assert "forked" in notes


class _Unpicklable(Exception):
    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} and {second}")


def test_an_error_that_cannot_cross_is_named_by_type_and_message() -> None:
    def work() -> None:
        raise _Unpicklable("the lookup", "the return")

    with pytest.raises(RuntimeError, match="_Unpicklable: the lookup and the return"):
        isolated(work, "the load")


def test_a_killed_child_refuses_the_step_with_one_line() -> None:
    def work() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    assert forking()  # (in process, the work would kill the test session)
    with pytest.raises(StepRefused) as raised:
        isolated(work, "the load of standalone 2023-24")
    line = str(raised.value)
    assert line.startswith("the load of standalone 2023-24 stopped")
    assert "SIGKILL" in line and "\n" not in line


def test_a_child_that_exits_without_a_result_is_named() -> None:
    def work() -> None:
        os._exit(3)

    with pytest.raises(StepRefused, match="exit code 3"):
        isolated(work, "the load")


def test_never_forks_while_a_warehouse_connection_is_open(tmp_path: Path) -> None:
    with connect(tmp_path / "warehouse.duckdb") as connection:
        connection.execute("create table t as select 1 as x")
        assert isolated(os.getpid, "the load") == os.getpid()
    assert isolated(os.getpid, "the load") != os.getpid()  # closed: forks again


def test_the_child_writes_the_warehouse_the_parent_reads(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"

    def work() -> int:
        with connect(warehouse) as connection:
            connection.execute("create table rows as select range as n from range(1000)")
        return os.getpid()

    assert isolated(work, "the load") != os.getpid()
    with connect(warehouse, read_only=True) as connection:
        assert connection.execute("select sum(n) from rows").fetchone()[0] == 499_500


@pytest.mark.parametrize("told", ["0", "false", "No", "off"])
def test_runs_in_process_when_told_or_without_fork(
    monkeypatch: pytest.MonkeyPatch, told: str
) -> None:
    monkeypatch.setenv("CHORUS_INGEST_FORK", told)
    assert isolated(os.getpid, "the load") == os.getpid()
    monkeypatch.delenv("CHORUS_INGEST_FORK")
    monkeypatch.delattr(os, "fork")
    assert isolated(os.getpid, "the load") == os.getpid()


def test_a_child_never_closes_the_parents_rules_databases(tmp_path: Path) -> None:
    """Row rules keep an in-memory DuckDB per set of seeds, and forget them after 16 sets;
    closing one a parent made, in a child, kills the child (SIGSEGV: its threads are not
    there). A child that fills the cache still returns its result."""
    from indicators.sources import row_rules

    for i in range(20):
        (tmp_path / f"seed{i}.csv").write_text(f"code\nA{i}\nB{i}\n")
    parent = row_rules.connect([], ["seed0"], tmp_path)
    assert parent.execute("select count(*) from seed0").fetchone()[0] == 2
    parent.close()  # the cache alone holds the parent's database, as after a file's checks

    def work() -> int:
        counted = 0
        for i in range(1, 20):
            cursor = row_rules.connect([], [f"seed{i}"], tmp_path)
            counted += cursor.execute(f"select count(*) from seed{i}").fetchone()[0]
            cursor.close()
        return counted

    assert isolated(work, "the load") == 38
    again = row_rules.connect([], ["seed0"], tmp_path)  # the parent's is still whole
    assert again.execute("select count(*) from seed0").fetchone()[0] == 2


def test_an_error_that_would_cross_changed_is_named_by_type_and_message() -> None:
    """A spec's error joins its problems again when unpickled ('a; :; ...'): it comes back as
    a RuntimeError with the message the child had, not a garbled copy of itself."""

    def work() -> None:
        raise SpecInvalid(["eyfsp/base.yml: key: a list", "census/base.yml: label: text"])

    with pytest.raises(RuntimeError) as raised:
        isolated(work, "the load")
    assert str(raised.value) == (
        "SpecInvalid: eyfsp/base.yml: key: a list; census/base.yml: label: text"
    )


def test_ctrl_c_in_the_child_ends_it_and_never_runs_the_callers_code() -> None:
    """Ctrl-C reaches every process of the terminal's group: the child ends at once (it never
    raises KeyboardInterrupt into code that is the parent's), and the parent says so."""

    def work() -> None:
        os.kill(os.getpid(), signal.SIGINT)
        signal.pause()

    assert forking()
    with pytest.raises(StepRefused, match="killed by SIGINT"):
        isolated(work, "the load")


def test_a_fork_that_fails_runs_the_work_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_memory() -> int:
        raise OSError(12, "Cannot allocate memory")

    descriptors = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(os, "fork", no_memory)
    assert [isolated(os.getpid, "the load") for _ in range(3)] == [os.getpid()] * 3
    assert len(os.listdir("/proc/self/fd")) == descriptors  # no pipe left open


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux's PR_SET_PDEATHSIG")
def test_a_child_dies_with_its_parent(tmp_path: Path) -> None:
    """A run killed outright (kill -9) leaves no load running on, holding the warehouse."""
    import subprocess
    import sys
    import time

    started = tmp_path / "child.pid"
    script = (
        "import os, time\n"
        "from indicators.isolated import isolated\n"
        "def work():\n"
        f"    open({str(started)!r}, 'w').write(str(os.getpid()))\n"
        "    time.sleep(120)\n"
        "isolated(work, 'the load')\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parents[1])
    try:
        for _ in range(300):
            if started.exists() and started.read_text():
                break
            time.sleep(0.1)
        child = int(started.read_text())
        parent.kill()
        parent.wait()
        for _ in range(100):
            if not Path(f"/proc/{child}").exists() or "Z" in _state(child):
                break
            time.sleep(0.1)
        assert not Path(f"/proc/{child}").exists() or "Z" in _state(child)
    finally:
        parent.kill()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


class _Cycle:
    """Garbage the parent has not collected yet, whose finaliser writes down its process."""

    def __init__(self, log: Path) -> None:
        self.log, self.me = log, self

    def __del__(self) -> None:
        with self.log.open("a") as out:
            out.write(f"{os.getpid()}\n")


def test_the_child_never_finalises_what_the_parent_holds(tmp_path: Path) -> None:
    """A child collecting garbage must not run the parent's finalisers (a connection's close,
    a file's flush) in its own process."""
    import gc

    log = tmp_path / "finalised"
    gc.disable()
    try:
        _Cycle(log)  # unreachable, but in a cycle: only the collector frees it
        assert isolated(lambda: (gc.collect(), os.getpid())[1], "the load") != os.getpid()
        assert not log.exists() or log.read_text() == ""
    finally:
        gc.enable()
    gc.collect()
    assert log.read_text() == f"{os.getpid()}\n"  # the parent's own collection finalises it


def test_no_fork_lands_while_another_thread_is_inside_a_c_librarys_locks() -> None:
    """The run's progress watcher reads Dagster's storage (on PostgreSQL: libpq, OpenSSL,
    whose locks a fork copies held) while the run forks its children. A fork waits for the
    watcher's call to end; and a child, whose copy of the guard the forking thread held,
    can take the guard itself."""
    import threading
    import time

    from indicators import isolated as module

    inside, left = threading.Event(), []

    def watcher() -> None:
        with module.no_fork_meanwhile():
            inside.set()
            time.sleep(0.8)
            left.append(time.monotonic())

    thread = threading.Thread(target=watcher)
    thread.start()
    inside.wait()
    forked_at = isolated(time.monotonic, "a test")  # the clock every process shares
    thread.join()
    assert forked_at >= left[0], "the child was forked while the watcher was in its call"
    assert isolated(_taken_by_another_thread, "a test") is True  # the child's guard is free
    assert _taken_by_another_thread()  # and the parent's is free again
    taken, done = threading.Event(), threading.Event()

    def forking() -> None:  # as a fork under way holds it
        with module._FORKS:
            taken.set()
            done.wait(5)

    holder = threading.Thread(target=forking)
    holder.start()
    taken.wait(5)
    try:
        with module.no_fork_meanwhile(wait=0.2) as guarded:  # never waits on it for long
            assert guarded is False
    finally:
        done.set()
        holder.join()


_FORK_INSIDE = """
from indicators import isolated as module
from indicators.isolated import isolated
import os, threading
with module.no_fork_meanwhile() as guarded:
    assert guarded
    print(isolated(os.getpid, "a test") != os.getpid())  # forked, from inside the block
taken = []  # and the guard is free after it: to another thread (this one would re-enter it)
thread = threading.Thread(target=lambda: taken.append(module._FORKS.acquire(timeout=5)))
thread.start(); thread.join()
print(taken[0])
"""


def test_a_fork_inside_the_same_threads_block_lands_and_leaves_the_guard_free() -> None:
    """The block guards against other threads' forks; a fork from inside it, on the same
    thread, takes the guard again and lands (it would otherwise wait for itself)."""
    import subprocess
    import sys

    ran = subprocess.run(
        [sys.executable, "-c", _FORK_INSIDE],
        cwd=Path(__file__).parents[1],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.split() == ["True", "True"]


def _taken_by_another_thread() -> bool:
    import threading

    from indicators import isolated as module

    taken: list[bool] = []

    def take() -> None:
        taken.append(module._FORKS.acquire(timeout=5))
        if taken[0]:
            module._FORKS.release()

    thread = threading.Thread(target=take)
    thread.start()
    thread.join()
    return taken[0]


def _collect_in_worker(_: int) -> int:
    import gc

    gc.collect()
    return os.getpid()


def test_a_pools_worker_never_finalises_what_the_parent_holds(tmp_path: Path) -> None:
    """Disclosure control's and the packs' workers (forked_pool) collect their own garbage;
    what they inherited is frozen, so they never run its finalisers (nor walk and copy it);
    and a freeze made before the pool outlives it."""
    import gc

    from indicators.isolated import forked_pool

    log = tmp_path / "finalised"
    gc.disable()
    try:
        _Cycle(log)
        with forked_pool(2) as pool:
            workers = set(pool.map(_collect_in_worker, range(4)))
        assert os.getpid() not in workers
        assert not log.exists() or log.read_text() == ""
    finally:
        gc.enable()
    gc.collect()
    assert log.read_text() == f"{os.getpid()}\n"
    gc.freeze()
    try:
        with forked_pool(2) as pool:
            list(pool.map(_collect_in_worker, range(2)))
        assert gc.get_freeze_count() > 0, "the pool unfroze a freeze it did not make"
    finally:
        gc.unfreeze()


CTRL_C_WHILE_A_FORK_WAITS = """
import os, signal, sys, threading, time
sys.path.insert(0, {root!r})
from indicators import isolated as module
signal.signal(signal.SIGINT, signal.default_int_handler)  # as a terminal's python has it,
signal.pthread_sigmask(signal.SIG_UNBLOCK, {{signal.SIGINT}})  # whatever the test's process had
forking, inside, out = threading.Event(), threading.Event(), {{}}
os.register_at_fork(before=forking.set)  # registered after the guard's hook: runs before it
main = threading.main_thread().ident
def watcher():
    try:
        with module.no_fork_meanwhile():
            inside.set(); forking.wait(30); time.sleep(0.3)  # the fork waits for the guard
            signal.pthread_kill(main, signal.SIGINT)  # Ctrl-C, to the waiting thread
            time.sleep(0.5); out["left"] = time.monotonic()
    except BaseException as error:
        out["error"] = repr(error)
thread = threading.Thread(target=watcher); thread.start(); inside.wait()
pid = os.fork()
if pid == 0:
    os._exit(0)
forked = time.monotonic()
try:
    time.sleep(20); print("lost")
except KeyboardInterrupt:
    print("delivered")
os.waitpid(pid, 0)
thread.join()
print("inside" if forked < out.get("left", 0) else "after", out.get("error", "no error"))
"""


def test_ctrl_c_while_a_fork_waits_is_delivered_after_it_and_never_breaks_the_guard() -> None:
    """CPython forks anyway when a fork hook raises: Ctrl-C while a fork waits for the guard
    must neither let the fork land while the watcher is inside, release the watcher's hold,
    nor be lost."""
    import subprocess
    import sys

    root = str(Path(__file__).resolve().parents[1])
    ran = subprocess.run(
        [sys.executable, "-c", CTRL_C_WHILE_A_FORK_WAITS.format(root=root)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert ran.stdout.split() == ["delivered", "after", "no", "error"], ran.stdout + ran.stderr


CTRL_C_TO_THE_PROCESS_WHILE_ISOLATED_WAITS = """
import os, signal, sys, threading, time
sys.path.insert(0, {root!r})
from indicators import isolated as module
signal.signal(signal.SIGINT, signal.default_int_handler)  # as a terminal's python has it,
signal.pthread_sigmask(signal.SIG_UNBLOCK, {{signal.SIGINT}})  # whatever the test's process had
forking, inside = threading.Event(), threading.Event()
os.register_at_fork(before=forking.set)  # registered after the guard's hook: runs before it
def watcher():
    with module.no_fork_meanwhile():
        inside.set(); forking.wait(30); time.sleep(0.3)  # the fork waits for the guard
        os.kill(os.getpid(), signal.SIGINT)  # as a terminal's: to the process
        time.sleep(0.5)
thread = threading.Thread(target=watcher); thread.start(); inside.wait()
try:
    module.isolated(lambda: 42, "work")
    time.sleep(20)
except KeyboardInterrupt:
    pass
thread.join()
taken = []
other = threading.Thread(target=lambda: taken.append(module._FORKS.acquire(timeout=3)))
other.start(); other.join()
print("free" if taken == [True] else "held")
"""


def test_ctrl_c_to_the_process_while_a_load_waits_to_fork_leaves_the_guard_free() -> None:
    """isolated() blocks SIGINT in its thread across its fork, so a terminal's Ctrl-C lands
    on another thread and is raised only once the guard is had: the guard must then be held
    once, and be free after the fork (it was held for good, freezing the run's progress and
    hanging any later fork from another thread)."""
    import subprocess
    import sys

    root = str(Path(__file__).resolve().parents[1])
    ran = subprocess.run(
        [sys.executable, "-c", CTRL_C_TO_THE_PROCESS_WHILE_ISOLATED_WAITS.format(root=root)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert ran.stdout.split() == ["free"], ran.stdout + ran.stderr
