"""Run settings: every option as one typed value (Settings), and the resolved run (RunConfig: dates, zone).

The rest of the configuration, by subject: file (offline-report.toml read and checked), values (the check of
each key's value), merge (command line > environment > file > defaults, and what `offline-report config`
shows), checks (every merged setting checked before a run), starter (`offline-report init`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Callable

from ..catalog import languages
from ..errors import UsageError
from ..report.views import PERIODS, last_complete_period, period_end, period_start

LANGS = languages()
FORMATS = ("md", "json", "html")
MAX_DAYS_WITHOUT_CONFIRMATION = 366
VOTE_METHODS = ("score", "json")
# Exit codes a run already uses (errors.py, signals): --exit-code-if-empty must pick another.
RESERVED_EXIT_CODES = frozenset({1, 2, 3, 4, 5, 129, 130, 141, 143})


@dataclass
class Settings:
    """Every option of a report run, typed, whichever way it was given."""

    repos: list[str] = field(default_factory=lambda: ["."])
    since: str | None = None
    until: str | None = None
    last: int | None = None  # the N most recent days with commits, per repository
    period: str = "day"  # day, week or month: one report per day, ISO week or calendar month
    range_spec: str | None = None  # a release range, A..B or one tag: one report of exactly those commits
    rollups: list = field(default_factory=list)  # "week", "month": a day run also writes each period once it is over
    output_dir: Path = Path("reports")
    stdout: bool = False
    lang: str = "zh"
    tz_name: str = "local"
    fmt: str = "md"
    ref: str = "HEAD"
    no_merges: bool = False
    commit_url: str | None = None
    use_llm: bool = True
    model_path: str | None = None
    threads: int | None = None
    ctx: int | None = None
    gpu_layers: str = "auto"
    seed: int = 1234
    vote_method: str = "score"
    cache_dir: Path | None = None
    no_cache: bool = False
    refresh: bool = False
    force_model: bool = False  # run the model even when its answer check failed; no circuit breaker
    keep_rejected: bool = False  # rejected model answers, with the guard's reason, go into the JSON
    lock_timeout: float = 600.0
    verbose: bool = False
    empty_days: bool = False
    yes: bool = False
    quiet: bool = False
    exit_code_if_empty: int | None = None  # the exit code of a run that found no commits (cron wrappers test it)
    # An inference server instead of a local model (its options are wired in llm/server.py).
    server: str | None = None
    server_model: str | None = None
    api_key_env: str | None = None
    parallel: int | None = None
    # From offline-report.toml (config/file.py): the file, per-repository options by real path, team rules, templates.
    config_path: Path | None = None
    repo_options: dict = field(default_factory=dict)
    team_rules: list = field(default_factory=list)
    templates: Path | None = None
    # Where each value came from, by file key ("lang", "model.path"): "command line (--lang)", "offline-report.toml:3".
    sources: dict[str, str] = field(default_factory=dict)

    def label(self, key: str, option: str) -> str:
        """How an error names a setting: `--since`, or `offline-report.toml:3: since` when the file set it."""
        source = self.sources.get(key, "")
        if source and not source.startswith(("command line", "default", "$")):
            return f"{source}: {key}"
        return option


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
        raise UsageError("--last and --since/--until both given", "use --last N alone, or a --since/--until range")
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
    return RunConfig(period=settings.period, range_spec=settings.range_spec,
                     repos=settings.repos, since=since, until=until, tz=tz, tz_name=tz_name, lang=settings.lang,
                     fmt=settings.fmt, output_dir=settings.output_dir, stdout=settings.stdout, ref=settings.ref,
                     no_merges=settings.no_merges, commit_url=settings.commit_url, use_llm=settings.use_llm,
                     empty_days=settings.empty_days, last=settings.last, repo_options=settings.repo_options,
                     templates=settings.templates)


DAY_HINT = "use YYYY-MM-DD, 'today' or 'yesterday', e.g. --since 2026-02-10"


def day_problem(text: str) -> str | None:
    """Why a day cannot be read (None when it can): checked before a run, without a time zone."""
    value = text.strip().lower()
    if value in ("today", "yesterday"):
        return None
    try:
        date.fromisoformat(value)
    except ValueError:
        return f"{text!r} is not a date: YYYY-MM-DD, 'today' or 'yesterday'"
    return None


def url_problem(url: str) -> str | None:
    """Why a server URL cannot be used (None when it can)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        return f"{url!r} is not a URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http:// or https:// URL"
    return None


def exit_code_problem(code: int) -> str | None:
    if not 0 <= code <= 255:
        return "a number from 0 to 255"
    if code in RESERVED_EXIT_CODES:
        return "a code that no other outcome uses (not " + ", ".join(map(str, sorted(RESERVED_EXIT_CODES))) + ")"
    return None


def check_view(settings: Settings) -> None:
    if settings.period not in ("day", *PERIODS):
        raise UsageError(f"--period {settings.period!r} is not a period", "use day, week or month")
    if settings.range_spec and (settings.since or settings.until or settings.last or settings.period != "day"):
        raise UsageError("--range and --since/--until/--last/--period both given",
                         "a release report is chosen by --range alone, e.g. --range v1.2.0..v1.3.0")


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
        raise UsageError(f"{option} {text!r} is not a date", DAY_HINT) from None


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


def resolve_tz(name: str, option: str = "--tz") -> tuple[tzinfo, str]:
    """An IANA zone, or 'local': $TZ, then /etc/localtime's zone, then the current fixed offset."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # here: --version and --help need no zone

    if name != "local":
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(
                f"{option}: unknown time zone {name!r}",
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
