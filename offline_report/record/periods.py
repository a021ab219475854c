"""Which days a week or month report holds: where an ISO week or a calendar month starts, ends and is named."""

from __future__ import annotations

from datetime import date, timedelta

PERIODS = ("week", "month")


def period_start(kind: str, day: date) -> date:
    return day - timedelta(days=day.weekday()) if kind == "week" else day.replace(day=1)


def period_end(kind: str, start: date) -> date:
    if kind == "week":
        return start + timedelta(days=6)
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def period_name(kind: str, start: date) -> str:
    if kind == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start.year}-{start.month:02d}"


def last_complete_period(kind: str, today: date) -> tuple[date, date]:
    """The most recent week (Monday to Sunday) or month that is over."""
    end = period_start(kind, today) - timedelta(days=1)
    return period_start(kind, end), end
