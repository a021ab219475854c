"""Progress on stderr: a live bar on a terminal, one summary line otherwise (cron)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .catalog import words

BAR_WIDTH = 24


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, quiet: bool = False, lang: str = "en"):
        self.total = total
        self.lang = lang
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = not quiet and self.stream.isatty()
        self.done = 0
        self.tokens = 0
        self.label = ""
        self.started = time.monotonic()

    def note(self, line: str) -> None:
        """One line before the work starts, on a terminal only: cron and --quiet keep their single summary."""
        if self.live:
            self.stream.write(line + "\n")
            self.stream.flush()

    def set_label(self, label: str) -> None:
        self.label = label
        self._draw()

    def advance(self, tokens: int | None = None) -> None:
        self.done += 1
        if tokens is not None:
            self.tokens = tokens
        self._draw()

    def _draw(self) -> None:
        if not self.live:
            return
        elapsed = time.monotonic() - self.started
        filled = int(BAR_WIDTH * self.done / self.total) if self.total else BAR_WIDTH
        eta = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        rate = words(self.lang, "progress", "rate", rate=f"{self.tokens / elapsed:.1f}") if self.tokens and elapsed else ""
        line = (f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total} {self.label}"
                + words(self.lang, "progress", "eta", eta=_clock(eta)) + rate)
        self.stream.write(line[:160].ljust(100))
        self.stream.flush()

    def finish(self, summary: str) -> None:
        if self.quiet:
            return
        if self.live:
            self.stream.write("\r" + " " * 100 + "\r")
        self.stream.write(summary + "\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"
