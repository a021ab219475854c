"""How a run stops: SIGTERM and SIGHUP end it as Ctrl-C does, and a stop that cannot unwind in time ends it anyway.

A supervisor (cron's shell, systemd, `timeout`, a CI runner) stops a job by signalling its whole process group.
The main thread turns the signal into an exception, which unwinds the run: finished days stay written, cached
analyses stay cached, the lock is released. Python runs a signal handler only between bytecodes of the main
thread, so a stop that arrives during a long call into C (a model evaluating a prompt) or during an exit that
waits for a thread would wait for it. A watchdog thread hears every signal at once through the wakeup file
descriptor and, when the process is still there STOP_GRACE_S later, says the stop line and ends the process.

Supervisors often signal twice at once (`timeout` signals its child, then the whole group): a signal that follows
the first within REPEAT_S is the same stop. One that comes later is a person insisting: the run ends at once."""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time
from dataclasses import dataclass, field

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
