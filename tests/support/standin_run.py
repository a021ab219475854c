"""Runs the offline-report CLI with a stand-in engine, for tests that need a separate process.

usage: python -m tests.support.standin_run LOGFILE DELAY_S[c] -- <offline-report arguments>
Every completion appends a line to LOGFILE when it is asked for, then sleeps DELAY_S seconds (a slow model on
purpose). With a trailing `c` the time is spent in one call into C that Python's signal handlers cannot
interrupt, as a model evaluating a long prompt does. The in-process engine is asked one prompt at a time, and a commit's analysis is cached before the next
prompt is asked: when the line of a commit's prompt appears, the commits asked before it are cached, however late
a busy machine lets the test see that line or deliver its signal.
"""

from __future__ import annotations

import hashlib
import sys
import time

from offline_report import stops
from offline_report.cli import main

from .fakes import FakeEngine


def busy_in_c(seconds: float) -> None:
    """About `seconds` of work in one C call that releases the GIL (OpenSSL's PBKDF2), sized by a short trial."""
    started = time.monotonic()
    hashlib.pbkdf2_hmac("sha256", b"x", b"salt", 20_000)
    rate = 20_000 / max(time.monotonic() - started, 1e-6)
    hashlib.pbkdf2_hmac("sha256", b"x", b"salt", int(rate * seconds))


def slow_engine_factory(log_path: str, delay: str):
    wait = busy_in_c if delay.endswith("c") else time.sleep
    seconds = float(delay.rstrip("c"))

    class SlowEngine(FakeEngine):
        def __init__(self, info, settings):
            super().__init__(lang="zh" if "--lang" in sys.argv and "zh" in sys.argv else "en")

        def complete(self, prompt, schema, max_tokens, seed):
            with open(log_path, "a") as log:
                log.write("completion\n")
            wait(seconds)
            return super().complete(prompt, schema, max_tokens, seed)

    return SlowEngine


if __name__ == "__main__":
    log_path, delay = sys.argv[1], sys.argv[2]
    stops.owns_process = True
    main(sys.argv[sys.argv.index("--") + 1:], prog_name="offline-report",
         obj={"engine_factory": slow_engine_factory(log_path, delay)})
