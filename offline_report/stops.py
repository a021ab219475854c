"""How a run stops: SIGTERM and SIGHUP end it as Ctrl-C does, and a stop that cannot unwind in time ends it anyway.

A supervisor (cron's shell, systemd, `timeout`, a CI runner) stops a job by signalling its whole process group.
The main thread turns the signal into an exception, which unwinds the run: finished days stay written, cached
analyses stay cached, the lock is released. Python runs a signal handler only between bytecodes of the main
thread, so a stop that arrives during a long call into C (a model evaluating a prompt) or during an exit that
waits for a thread would wait for it. A watchdog thread hears every signal at once through the wakeup file
descriptor and, when the process is still there STOP_GRACE_S later, says the stop line and ends the process.

Supervisors often signal twice at once (`timeout` signals its child, then the whole group): a signal that follows
the first within REPEAT_S is the same stop. One that comes later is a person insisting: the run ends at once.

Work spread over every core (commits decoded, reports rendered: pure Python that holds the GIL, so threads would
not help) runs in forked workers (map_forked), started in milliseconds with everything imported and the work's
inputs in their memory (Linux; elsewhere the caller does the work itself). A stop is the parent's alone: the
workers ignore SIGINT, SIGTERM and SIGHUP, and the parent, however it leaves, kills and reaps every worker before
it goes on; it keeps no thread for them, so nothing is left to wait for at exit."""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

# Ctrl-C; `timeout`, systemd, a cancelled CI job; a closed terminal (no SIGHUP where the system has none).
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
STOP_GRACE_S = 3.0
REPEAT_S = 1.0

# What the watchdog cleans up when it ends a run: processes that must not outlive it (the decode workers), killed
# and reaped; files being written (a report's temporary file beside it), removed.
children: set[int] = set()
unfinished_files: set[str] = set()
# The run is this process's whole life (its own command line, not a call from a test or another program): once it
# is over, a stop that comes while Python exits changes nothing and is ignored, not let kill it half-way (-N).
owns_process = False
_latest: StopGuard | None = None


class Stopped(BaseException):
    """SIGTERM or SIGHUP reached the run: it stops as Ctrl-C stops it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@dataclass
class StopGuard:
    """The handlers a run replaced (put back by `release`), and the watchdog's pipe."""

    line: object  # signum -> the one line that says the run stopped
    previous: dict = field(default_factory=dict)
    wakeup: tuple[int, int] | None = None
    previous_wakeup: int = -1
    said: bool = False
    stopping: bool = False

    def say(self, signum: int) -> None:
        """The stop line, once, whichever of the main thread and the watchdog gets there first."""
        if not self.said:
            self.said = True
            sys.stderr.write(self.line(signum) + "\n")
            sys.stderr.flush()

    def release(self) -> None:
        for signum, handler in self.previous.items():
            # Ignored, not put back, where the run is the process's life: the disposition holds for every thread,
            # and Python's exit leaves an ignored signal alone (a handler of its own it resets to the default).
            signal.signal(signum, signal.SIG_IGN if owns_process else handler)
        if self.wakeup is not None:
            signal.set_wakeup_fd(self.previous_wakeup)
            os.close(self.wakeup[1])  # the watchdog reads the end of its pipe and goes


def catch_stops(line) -> StopGuard:
    """SIGTERM and SIGHUP raise Stopped in the run (Ctrl-C KeyboardInterrupt), once, and the watchdog hears every
    stop. Only in the main thread (the only one where Python lets handlers be set)."""
    global _latest
    guard = _latest = StopGuard(line)

    def raise_stopped(signum, frame) -> None:  # noqa: ARG001
        if not guard.stopping:  # once: a second exception could break the unwinding (the lock's release)
            guard.stopping = True
            raise KeyboardInterrupt if signum == signal.SIGINT else Stopped(signum)

    for signum in STOP_SIGNALS:
        if signum == signal.SIGINT and signal.getsignal(signum) is not signal.default_int_handler:
            continue  # the shell made Ctrl-C ignored (a background job): it stays so
        try:
            guard.previous[signum] = signal.signal(signum, raise_stopped)
        except ValueError:  # not the main thread: the run keeps the handlers it has
            continue
    if guard.previous:
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)
        guard.previous_wakeup = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        guard.wakeup = (read_end, write_end)
        threading.Thread(target=_watch, args=(guard, read_end), name="stop-watchdog", daemon=True).start()
    return guard


def speak(line) -> None:
    """The stop line the run says from now on (in its language, once its settings are known)."""
    if _latest is not None:
        _latest.line = line


def say_stop(signum: int, line) -> int:
    """For a stop that reached the command line's outer frame (it came while a command was being left): the stop
    line, unless the run already said it, and the exit code."""
    (_latest or StopGuard(line)).say(signum)
    return 128 + signum


def _watch(guard: StopGuard, read_end: int) -> None:
    first: tuple[int, float] | None = None
    try:
        while True:
            wait = None if first is None else max(0.0, first[1] + STOP_GRACE_S - time.monotonic())
            if not select.select([read_end], [], [], wait)[0]:
                _end_now(guard, first[0])  # the unwinding took longer than the grace
            data = os.read(read_end, 1)
            if not data:  # the run is over and released the watchdog
                return
            if data[0] not in STOP_SIGNALS:
                continue
            if first is None:
                first = (data[0], time.monotonic())
            elif time.monotonic() - first[1] >= REPEAT_S:
                _end_now(guard, first[0])
    finally:
        os.close(read_end)


def _end_now(guard: StopGuard, signum: int) -> None:
    guard.say(signum)
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
    for path in list(unfinished_files):
        try:
            os.unlink(path)
        except OSError:
            pass
    os._exit(128 + signum)


PR_SET_PDEATHSIG = 1  # linux/prctl.h
TASK_BYTES = 4


class WorkerLost(RuntimeError):
    """A worker ended before it sent the results it had taken (killed from outside, out of memory)."""


def worker_count(items: int, min_per_worker: int) -> int:
    """How many processes share `items` items: one per core, each with at least `min_per_worker` (below that
    a worker's start costs more than it saves); one where fork is unsafe."""
    if not sys.platform.startswith("linux"):
        return 1
    cores = len(os.sched_getaffinity(0))
    return max(1, min(cores, items // min_per_worker))


def in_runs(items: list, runs: int) -> list[list]:
    """The items cut into about `runs` runs of consecutive items, all as long as the first (rounded up: no last run
    of a few items is left to one worker alone)."""
    size = max(1, -(-len(items) // runs))
    return [items[start:start + size] for start in range(0, len(items), size)]


def map_forked(parts: int, work: Callable[[int], object], workers: int,
               setup: Callable[[], None] | None = None) -> list:
    """work(i) for each part i, in order, each done by whichever of `workers` forked workers takes it first (a
    pipe of part numbers, read 4 bytes at a time); each worker runs setup() once before its first part."""
    from multiprocessing.connection import wait  # a nightly run of a few commits never needs it

    tasks_out, tasks_in = os.pipe()
    os.write(tasks_in, b"".join(i.to_bytes(TASK_BYTES, "little") for i in range(parts)))
    os.close(tasks_in)
    pids: list[int] = []
    readers: list = []
    results: dict[int, object] = {}
    try:
        # What the parent holds is the workers' to read, not to collect: a worker's collector that went through
        # it would touch, and so copy, every page of it. (A host program that froze its own objects keeps
        # them frozen: unfreezing is all or nothing, so then nothing is frozen here.)
        freeze = gc.get_freeze_count() == 0
        if freeze:
            gc.freeze()
        try:
            for _ in range(workers):
                readers.append(_fork_worker(tasks_out, work, setup, os.getpid(), pids))
        finally:
            if freeze:
                gc.unfreeze()
        os.close(tasks_out)
        tasks_out = -1
        while readers:
            for reader in wait(readers):
                _receive(reader, readers, results)
        if len(results) != parts:
            raise WorkerLost(f"a worker ended before its work was done ({len(results)} of {parts} parts done)")
        return [results[i] for i in range(parts)]
    finally:
        _end_workers(pids)
        for reader in readers:
            reader.close()
        if tasks_out >= 0:
            os.close(tasks_out)


def _receive(reader, readers: list, results: dict) -> None:
    try:
        index, payload = pickle.loads(reader.recv_bytes())
    except EOFError:  # the worker is done (or gone: the count of results tells)
        reader.close()
        readers.remove(reader)
        return
    if index is None:
        raise payload
    results[index] = payload


def _fork_worker(tasks: int, work: Callable[[int], object], setup: Callable[[], None] | None, parent: int,
                 pids: list[int]):
    """A forked worker (its pid added to `pids`) and the end of its pipe that the parent reads. Stop signals are
    blocked across the fork, so the child ignores them before one can reach it and the parent handles them
    once the worker is known to it."""
    from multiprocessing.connection import Pipe

    reader, writer = Pipe(duplex=False)
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        pid = os.fork()
        if pid == 0:
            reader.close()
            _worker_main(tasks, work, setup, parent, writer, blocked)  # never returns
        pids.append(pid)
        children.add(pid)
        writer.close()  # the parent's copy: the reader sees the end of the pipe when the worker's copy closes
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return reader


def _worker_main(tasks: int, work: Callable[[int], object], setup: Callable[[], None] | None, parent: int,
                 writer, mask) -> None:
    code = 0
    try:
        for signum in STOP_SIGNALS:  # a pending one is dropped: the parent got it too and stops the run
            signal.signal(signum, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        end_with_parent(parent)
        if setup is not None:
            setup()
        while raw := os.read(tasks, TASK_BYTES):
            index = int.from_bytes(raw, "little")
            writer.send_bytes(pickle.dumps((index, work(index))))
    except BaseException as exc:  # noqa: BLE001 - the parent raises it; a worker never unwinds into the run
        code = 1
        _send_failure(writer, exc)
    finally:
        os._exit(code)


def _send_failure(writer, exc: BaseException) -> None:
    try:
        writer.send_bytes(pickle.dumps((None, exc)))
    except Exception:  # noqa: BLE001 - an exception that cannot be pickled travels as its text
        try:
            writer.send_bytes(pickle.dumps((None, RuntimeError(f"{type(exc).__name__}: {exc}"))))
        except Exception:  # noqa: BLE001 - the parent is gone or the pipe is broken: the exit code is all
            pass


def _end_workers(pids: list[int]) -> None:
    """Every worker killed (a finished one is already gone) and reaped: no process and no zombie is left."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in pids:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        children.discard(pid)


def end_with_parent(parent: int) -> None:
    """The kernel kills this worker when its parent dies, however it dies (SIGKILL included): no orphan waits
    for work that will never come."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's own kill at its end remains
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
