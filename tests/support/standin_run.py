"""Runs the offline-report CLI with a stand-in engine, for tests that need a separate process.

usage: python -m tests.support.standin_run LOGFILE DELAY_S -- <offline-report arguments>
Every completion appends a line to LOGFILE when it is asked for, then sleeps DELAY_S seconds (a slow model on
purpose). The in-process engine is asked one prompt at a time, and a commit's analysis is cached before the next
prompt is asked: when the line of a commit's prompt appears, the commits asked before it are cached, however late
a busy machine lets the test see that line or deliver its signal.
"""

from __future__ import annotations

import sys
import time

from offline_report.cli import main

from .fakes import FakeEngine


def slow_engine_factory(log_path: str, delay: float):
    class SlowEngine(FakeEngine):
        def __init__(self, info, settings):
            super().__init__(lang="zh" if "--lang" in sys.argv and "zh" in sys.argv else "en")

        def complete(self, prompt, schema, max_tokens, seed):
            with open(log_path, "a") as log:
                log.write("completion\n")
            time.sleep(delay)
            return super().complete(prompt, schema, max_tokens, seed)

    return SlowEngine


if __name__ == "__main__":
    log_path, delay = sys.argv[1], float(sys.argv[2])
    main(sys.argv[sys.argv.index("--") + 1:], prog_name="offline-report",
         obj={"engine_factory": slow_engine_factory(log_path, delay)})
