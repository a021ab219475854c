"""The nightly state: for each repository, ref and output, the last completed day and the tip it was reported at.

Kept in a small JSON file of its own beside the cache (not in the cache's database: the cache only holds what can
be computed again, the state does not), private to the user, replaced atomically so a killed run leaves the last
whole state. A day counts as completed once it is over and its report was written."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ..files import write_atomic

STATE_FILE = "nightly-state.json"
STATE_HINTS = ("state_dir", "cache_unwritable")  # the catalogues' [hints]
STATE_VERSION = 1


@dataclass(frozen=True)
class Entry:
    completed: date
    tips: list[str]

    @property
    def resume(self) -> date:
        return self.completed + timedelta(days=1)


def state_key(repo_path: str, ref: str, output_dir: str | os.PathLike, fmt: str) -> str:
    """One record per repository, ref and output (directory and format): each output keeps its own resume point."""
    return "\x1f".join((os.path.realpath(repo_path), ref, os.path.realpath(output_dir), fmt))


class NightlyState:
    """Read once at the start of a run; each record is written through at once."""

    def __init__(self, directory: Path | None):
        self.path = Path(directory) / STATE_FILE if directory is not None else None
        self._records = self._read()

    def _read(self) -> dict:
        if self.path is None or not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return dict(data["records"]) if data.get("version") == STATE_VERSION else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}  # unreadable: the next record replaces it; the run starts as a first run would

    def get(self, key: str) -> Entry | None:
        record = self._records.get(key)
        if not isinstance(record, dict):
            return None
        try:
            return Entry(date.fromisoformat(record["completed"]), [str(t) for t in record.get("tips", [])])
        except (KeyError, TypeError, ValueError):
            return None

    def resume_day(self, keys: list[str], today: date) -> date:
        """The first day some output has not completed: the day after the earliest last completed day; today on a
        first run."""
        days = [entry.resume if (entry := self.get(key)) else today for key in keys]
        return min(min(days, default=today), today)

    def record(self, key: str, completed: date, tips: list[str]) -> None:
        self._records[key] = {"completed": completed.isoformat(), "tips": tips}
        if self.path is not None:
            write_atomic(self.path, json.dumps({"version": STATE_VERSION, "records": self._records}, indent=1),
                         private=True, hints=STATE_HINTS)
