"""Work run in a process forked for it, so all the memory it used goes back when it ends.

Python keeps the small-object arenas a load fills for as long as a few of their objects
live: one national year of framework files left about 0.5 GiB in the run's process, held by
32 MB of live objects, and neither `gc.collect()` nor `malloc_trim` gave it back
(benchmarks/RESULTS.md, issue 19). A process that exits gives everything back. So each
period's load (read, check, pseudonymise, write its raw tables in one transaction), the
indicator statistics and each GX suite run in a child process forked for it, and only the
result (a load's accounts and notes, a row count, a suite's outcome) comes back, pickled
through a pipe. The work must not log through Dagster (the child's copy of the run's
event log is not the run's): it returns what is to be said.

The work runs in this process instead:
- where there is no `os.fork` (Windows), or the fork fails (no memory for it);
- when `CHORUS_INGEST_FORK` is `0` (or `false`, `no`, `off`: to step through a load in a
  debugger);
- while this process holds a warehouse connection: DuckDB would hand the child the parent's
  open database, whose threads do not survive a fork (`warehouse.connections_held`).

An exception raised in the child is raised again here: as itself when it crosses whole (a
`StepRefused` keeps its one line), otherwise as a RuntimeError naming its type and message;
either way with the child's traceback as a note. A child that ends without a result
(killed, as the kernel kills the largest process when memory runs out) refuses the step
with one line naming the work and the signal. The child never outlives its parent (Linux:
it is killed when the parent dies), and never runs its parent's code: Ctrl-C and SIGTERM end
it at once, and every way out of it is `os._exit`.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import os
import pickle
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import TypeVar

from indicators.steps import StepRefused
from indicators.warehouse import connections_held

T = TypeVar("T")

FORK = "CHORUS_INGEST_FORK"


STOPPING = (signal.SIGINT, signal.SIGTERM)


def forking() -> bool:
    """Whether `isolated` forks now (see the module's docstring for when it does not)."""
    if not hasattr(os, "fork"):
        return False
    if os.environ.get(FORK, "").strip().lower() in ("0", "false", "no", "off"):
        return False
    return connections_held() == 0


_FORKS = threading.RLock()
"""Held across every fork this process makes (`os.register_at_fork`: `isolated`, the pools'
workers), and by a thread while it calls into a C library that keeps locks of its own
(`no_fork_meanwhile`). A fork landing while another thread holds such a lock (libpq's,
OpenSSL's, as the run's progress watcher does reading Dagster's storage) gives the child
that lock held by a thread it does not have: the child would wait for it for ever. Whether
the forking thread holds it is the lock's own record (an RLock's owner), never a flag an
interrupt could leave wrong between two lines of a hook."""

_FORKING = threading.local()


def _before_fork() -> None:
    # CPython swallows what a fork hook raises and forks anyway: an interrupt (Ctrl-C) while
    # waiting must neither let the fork land inside the guard nor be lost. (One already
    # pending as the hook starts is raised before its `try`: swallowed, the fork unguarded;
    # a window of a few instructions, helper-103.)
    if _FORKS._is_owned():  # the forking thread's own hold: taken again at once
        _FORKS.acquire()
        return
    while True:
        try:
            while not _FORKS._is_owned():  # an interrupt just after the acquire: held once
                _FORKS.acquire()
            return
        except BaseException:  # noqa: BLE001 - delivered again once forked
            _FORKING.interrupted = True


def _after_fork_in_parent() -> None:
    if _FORKS._is_owned():  # never another thread's hold
        _FORKS.release()
    if getattr(_FORKING, "interrupted", False):
        _FORKING.interrupted = False
        # a real SIGINT, once out of the hook (raised in it, it would be swallowed again): it
        # ends a sleep or a wait as Ctrl-C does, which a simulated one does not
        main = threading.main_thread().ident
        threading.Timer(0.05, signal.pthread_kill, (main, signal.SIGINT)).start()


def _after_fork_in_child() -> None:
    global _FORKS
    _FORKS = threading.RLock()  # the parent's is held, by the thread that forked
    _FORKING.interrupted = False


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_before_fork,
        after_in_parent=_after_fork_in_parent,
        after_in_child=_after_fork_in_child,
    )


@contextlib.contextmanager
def no_fork_meanwhile(wait: float = 5.0) -> Iterator[bool]:
    """No fork of this process lands while the block runs (a fork waits for it to end).
    Yields False, and guards nothing, when the guard could not be had within `wait` seconds:
    the caller skips its call then (a thread that must never hang on it, as the progress
    watcher, which the run joins at its end). Meant for a thread other than the one that
    forks; a fork inside the block, on the same thread, takes the guard again (it is
    re-entrant) and lands."""
    held = _FORKS.acquire(timeout=wait)
    try:
        yield held
    finally:
        if held:
            _FORKS.release()


@contextlib.contextmanager
def forked_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """`workers` processes forked from this one (disclosure control's tables, the packs),
    with this process's objects frozen while they live (`gc.freeze`): a worker collecting
    its own garbage never walks the objects it inherited, so never copies the pages they
    lie on (at national, the run's process holds about 0.5 GiB before disclosure control),
    nor finalises them."""
    frozen_already = gc.get_freeze_count() > 0  # by a caller: left frozen after
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            yield pool
    finally:
        if not frozen_already:
            gc.unfreeze()


def isolated(work: Callable[[], T], what: str, again: str = "run it again") -> T:
    """`work()`, run in a forked process when `forking()`; `what` names it, and `again` says
    what to do, in the one line that refuses the step when the child ends without a result."""
    if not forking():
        return work()
    parent, prctl = os.getpid(), _prctl()
    read_end, write_end = os.pipe()
    _flush()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)  # until the child's are set
    gc.freeze()  # the child never collects (so never finalises) what the parent holds
    try:
        pid = os.fork()
    except OSError:  # no memory or process left for a fork: the work runs here
        gc.unfreeze()
        os.close(read_end)
        os.close(write_end)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return work()
    if pid == 0:  # pragma: no cover (the child; its result is what the tests check)
        try:
            for number in STOPPING:
                signal.signal(number, signal.SIG_DFL)
            _die_with(parent, prctl)
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            os.close(read_end)
            _child(work, write_end)
        finally:
            os._exit(1)
    gc.unfreeze()
    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as incoming:
            data = incoming.read()
    except BaseException:  # interrupted: the child stops too, and is reaped
        _stop(pid)
        raise
    _, status = os.waitpid(pid, 0)
    try:
        succeeded, value = pickle.loads(data)
    except Exception:  # nothing (or half a result) came back
        raise StepRefused(f"{what} stopped: {_ending(status)}; {again}") from None
    if succeeded:
        return value
    raise value


def _child(work: Callable[[], object], write_end: int) -> None:
    code = 0
    try:
        try:
            outcome = (True, work())
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as error:  # noqa: BLE001 (every ending goes back to the parent)
            data = pickle.dumps((False, _carried(error)), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as out:
            out.write(data)
    except BaseException:  # noqa: BLE001 (the parent reports a child without a result)
        code = 1
    finally:
        with contextlib.suppress(BaseException):
            _flush()
        os._exit(code)  # no atexit handler, no destructor of what the parent owns


def _carried(error: BaseException) -> BaseException:
    """`error` as it can cross to the parent, with the child's traceback as a note."""
    note = "raised in the process forked for it:\n" + "".join(traceback.format_exception(error))
    try:
        back = pickle.loads(pickle.dumps(error, protocol=pickle.HIGHEST_PROTOCOL))
        whole = type(back) is type(error) and str(back) == str(error)
    except Exception:  # noqa: BLE001 (an exception that cannot be pickled)
        whole = False
    carried = error if whole else RuntimeError(f"{type(error).__name__}: {error}")
    carried.add_note(note)
    return carried


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """Linux's prctl, found in the parent (never loaded in a child: another thread of the
    parent may have held the loader's lock when it forked)."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _die_with(parent: int, prctl: Callable[..., int] | None) -> None:
    """Have the kernel kill this child when its parent dies (PR_SET_PDEATHSIG, 1), so a killed
    run leaves no load running on, holding the warehouse's lock."""
    if prctl is not None:
        prctl(1, signal.SIGKILL)
    if os.getppid() != parent:  # it died before that was set
        os._exit(1)


def _ending(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        name = signal.Signals(-code).name
        why = " (as the kernel does when memory runs out)" if name == "SIGKILL" else ""
        return f"its process was killed by {name}{why}"
    return f"its process ended with exit code {code} before its result came back"


def _stop(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed or odd stream: nothing to flush
            stream.flush()
