"""Run settings: the date range, the time zone, languages and output choices."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import UsageError

LANGS = ("zh", "en")
FORMATS = ("md", "json")
MAX_DAYS_WITHOUT_CONFIRMATION = 366


@dataclass
class RunConfig:
    repos: list[str]
    since: date
    until: date
    tz: tzinfo
    tz_name: str
    lang: str = "zh"
    fmt: str = "md"
    output_dir: Path = Path("reports")
    stdout: bool = False
    ref: str = "HEAD"
    no_merges: bool = False
    commit_url: str | None = None
    use_llm: bool = True
    empty_days: bool = False

    def days(self) -> list[date]:
        count = (self.until - self.since).days + 1
        return [self.since + timedelta(days=i) for i in range(count)]


def parse_day(text: str, tz: tzinfo, option: str = "DATE") -> date:
    today = datetime.now(tz).date()
    value = text.strip().lower()
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a date",
            "use YYYY-MM-DD, 'today' or 'yesterday', e.g. --since 2026-02-10",
        ) from None


def check_range(since: date, until: date, confirmed: bool) -> None:
    if since > until:
        raise UsageError(
            f"--since {since} is after --until {until}",
            "swap the two dates, or leave --until out to end today",
        )
    span = (until - since).days + 1
    if span > MAX_DAYS_WITHOUT_CONFIRMATION and not confirmed:
        raise UsageError(
            f"the range {since}..{until} covers {span} days",
            f"narrow it, or add --yes to really analyse more than {MAX_DAYS_WITHOUT_CONFIRMATION} days",
        )


def resolve_tz(name: str) -> tuple[tzinfo, str]:
    """An IANA zone, or 'local': $TZ, then /etc/localtime's zone, then the current fixed offset."""
    if name != "local":
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(
                f"unknown time zone {name!r}",
                "pass an IANA name such as Asia/Shanghai, UTC or Europe/Berlin, or 'local'",
            ) from None
    for candidate in (os.environ.get("TZ", "").lstrip(":"), _localtime_zone_name()):
        if candidate:
            try:
                return ZoneInfo(candidate), candidate
            except (ZoneInfoNotFoundError, ValueError):
                continue
    local = datetime.now().astimezone().tzinfo
    return local, str(local)


def _localtime_zone_name() -> str | None:
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        return None
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else None
