"""Run settings: every option as one typed value (Settings), and the resolved run (RunConfig: dates, zone).

The rest of the configuration, by subject: settings_table (every setting declared once), file (offline-report.toml
read and checked), values (the check of each setting's value), merge (command line > environment > file > defaults, and what `offline-report config`
shows), checks (every merged setting checked before a run), starter (`offline-report init`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, make_dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Callable

from ..errors import UsageError
from ..record.periods import last_complete_period, period_end, period_start
from .settings_table import BY_NAME, FORMATS, LANGS, SETTINGS, VOTE_METHODS, settings_fields  # noqa: F401

MAX_DAYS_WITHOUT_CONFIRMATION = 366


def _label(self, key: str, option: str) -> str:
    """How an error names a setting: `--since`, or `offline-report.toml:3: since` when the file set it."""
    source = self.sources.get(key, "")
    if source and not source.startswith(("command line", "default", "$")):
        return f"{source}: {key}"
    return option


def _named(self, name: str) -> str:
    """How an error names the setting `name` (a field of settings_table.SETTINGS)."""
    row = BY_NAME[name]
    return self.label(row.key or name, row.option)


# Every option of a report run, typed, whichever way it was given: one field per row of settings_table.SETTINGS,
# and what offline-report.toml adds beside them (config/file.py): per-repository options by real path, team rules,
# and where each value came from, by file key ("lang", "model.path"): "command line (--lang)", "offline-report.toml:3".
Settings = make_dataclass("Settings", [*settings_fields(SETTINGS),
                                       ("repo_options", dict, field(default_factory=dict)),
                                       ("team_rules", list, field(default_factory=list)),
                                       ("sources", dict, field(default_factory=dict))],
                          namespace={"label": _label, "named": _named, "__module__": __name__,
                                     "__doc__": "Every option of a report run, typed, whichever way it was given."})


@dataclass(frozen=True)
class RunConfig:
    """The resolved run: its dates and zone, and the settings the run reads (copied by name from Settings)."""

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
    no_llm: bool = False
    empty_days: bool = False
    last: int | None = None
    period: str = "day"
    range_spec: str | None = None
    repo_days: dict[str, list[date]] = field(default_factory=dict)  # with --last: each repository's own days
    repo_options: dict = field(default_factory=dict)  # real path -> config.file.RepoOptions
    templates: Path | None = None

    def days(self) -> list[date]:
        count = (self.until - self.since).days + 1
        return [self.since + timedelta(days=i) for i in range(count)]


def run_config(settings: Settings, resume: Callable[[list[str], date], date]) -> RunConfig:
    """Dates and zone resolved; without --since, `resume(repos, today)` says where the last run stopped."""
    tz, tz_name = resolve_tz(settings.tz_name, settings.label("tz", "--tz"))
    today = parse_day("today", tz)
    until = parse_day(settings.until, tz, settings.label("until", "--until")) if settings.until else today
    if settings.last and (settings.since or settings.until):
        raise UsageError("last_and_dates")
    check_view(settings)
    if settings.range_spec:
        since = until = today  # a release range is chosen by revisions, not days
    elif settings.period != "day":
        since, until = period_window(settings, tz, today, until)
    elif settings.last:
        since = until  # narrowed to the days that have commits once the repositories are read
    elif settings.since:
        since = parse_day(settings.since, tz, settings.label("since", "--since"))
    else:
        since = min(resume(settings.repos, today), until)
    check_range(since, until, settings.yes)
    known = {f.name for f in fields(settings)}
    copied = {f.name: getattr(settings, f.name) for f in fields(RunConfig) if f.name in known}
    return RunConfig(**{**copied, "since": since, "until": until, "tz": tz, "tz_name": tz_name})


def check_view(settings: Settings) -> None:
    if settings.range_spec and (settings.since or settings.until or settings.last or settings.period != "day"):
        raise UsageError("range_and_dates")


def period_window(settings: Settings, tz: tzinfo, today: date, until: date) -> tuple[date, date]:
    """Whole weeks or months: those overlapping --since/--until, else the last one that is over."""
    if not settings.since and not settings.until:
        return last_complete_period(settings.period, today)
    since = parse_day(settings.since, tz, settings.label("since", "--since")) if settings.since else until
    return period_start(settings.period, since), period_end(settings.period, period_start(settings.period, until))


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
        raise UsageError("not_a_date", option=option, text=text) from None


def check_range(since: date, until: date, confirmed: bool) -> None:
    if since > until:
        raise UsageError("since_after_until", since=since, until=until)
    span = (until - since).days + 1
    if span > MAX_DAYS_WITHOUT_CONFIRMATION and not confirmed:
        raise UsageError("range_too_long", since=since, until=until, days=span, most=MAX_DAYS_WITHOUT_CONFIRMATION)


def resolve_tz(name: str, option: str = "--tz") -> tuple[tzinfo, str]:
    """An IANA zone, or 'local': $TZ, then /etc/localtime's zone, then the current fixed offset."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # here: --version and --help need no zone

    if name != "local":
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError("unknown_tz", option=option, name=name) from None
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
