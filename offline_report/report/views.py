"""What one report covers: a day, an ISO week, a calendar month (in the run's zone) or a release range."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..record.periods import period_end, period_name, period_start

KINDS = ("day", "week", "month", "range")


@dataclass(frozen=True)
class View:
    kind: str  # one of KINDS
    name: str  # the report file's stem: 2026-02-12, 2026-W06, 2026-02, v1.2.0..v1.3.0
    since: date | None  # the first and last day it covers; a range: its two ends' dates (None: from the start)
    until: date | None
    days: tuple[date, ...] = field(default=(), compare=False)  # a day or a period's days; () for a range
    revisions: tuple[str | None, str] | None = None  # a range's two ends as given

    @property
    def file_stem(self) -> str:
        """The name, safe as a file name (a branch's slashes become underscores)."""
        return re.sub(r"[^A-Za-z0-9._+-]", "_", self.name)

    def as_json(self) -> dict:
        return {"kind": self.kind, "name": self.name, "since": _iso(self.since), "until": _iso(self.until),
                "from": self.revisions[0] if self.revisions else None,
                "to": self.revisions[1] if self.revisions else None}


def day_view(day: date) -> View:
    return View("day", day.isoformat(), day, day, (day,))


def period_views(kind: str, since: date, until: date) -> list[View]:
    """Every whole week or month that overlaps [since, until], oldest first."""
    views, start = [], period_start(kind, since)
    while start <= until:
        end = period_end(kind, start)
        days = tuple(start + timedelta(days=i) for i in range((end - start).days + 1))
        views.append(View(kind, period_name(kind, start), start, end, days))
        start = end + timedelta(days=1)
    return views


def range_view(name: str, revisions: tuple[str | None, str], since: date | None, until: date) -> View:
    return View("range", name, since, until, (), revisions)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
