"""The library's entry point: `offline_report.daily_reports(...)` runs a report from Python and returns the day reports."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings
from .config.settings_table import BY_NAME


@dataclass
class Reports:
    """What one call produced: each day's report (report/day.DayReport), its JSON, and what the run said."""

    days: list = field(default_factory=list)  # DayReport, oldest first
    json: list[dict] = field(default_factory=list)  # each day as `--format json` writes it
    written: list[Path] = field(default_factory=list)  # files, when output_dir was given
    warnings: list[str] = field(default_factory=list)  # what needs a person
    notices: list[str] = field(default_factory=list)  # what needs nobody (a window without commits)
    commits: int = 0


def daily_reports(repos: str | os.PathLike | list | None = None, *, llm: bool | None = None, tz: str | None = None,
                  config: str | os.PathLike | None = None, engine_factory=None, **settings) -> Reports:
    """Report the commits of local clones, day by day, as the command line does, without one.

    `repos` is a path or a list of paths (default: the current directory, or the file's [[repos]]); `since`/`until`
    are `YYYY-MM-DD`, `today` or `yesterday` (without them: from the day after the last completed one); `llm=False`
    writes every analysis by rules (as `no_llm=True`); `tz` is `tz_name`. Nothing is written unless `output_dir` is
    given (then files in `fmt`, as the command line writes them). `config` reads an offline-report.toml under the
    arguments given here (arguments > environment > file > defaults). Every other keyword is a setting named as in
    config/settings_table.py (KEYWORDS: since, until, last, lang, fmt, ref, no_merges, commit_url, model_path,
    server, cache_dir, no_cache, refresh, ...), checked as the command line checks it. Errors raise
    `errors.ReportError` subclasses (message, hint, exit_code)."""
    from .config.merge import apply_config
    from .pipeline import check_run, run_report

    unknown = sorted(set(settings) - set(KEYWORDS))
    if unknown:
        raise TypeError(f"daily_reports() got unknown settings: {', '.join(unknown)}")
    if isinstance(repos, (str, os.PathLike)):
        repos = [repos]
    named = dict(repos=[str(r) for r in repos] if repos is not None else None, tz_name=tz,
                 no_llm=None if llm is None else not llm)
    given = {name: value for name, value in {**named, **settings}.items() if value is not None}
    if "output_dir" not in given:
        given.pop("fmt", None)
    # Without output_dir nothing is written: the days are rendered as JSON into memory.
    in_memory = {"stdout": True, "fmt": "json", "quiet": True} if "output_dir" not in given else {"quiet": True}
    run_settings = Settings(**(in_memory | {name: BY_NAME[name].convert(value) for name, value in given.items()}))
    if config is not None:
        apply_config(run_settings, set(given), str(config))
    check_run(run_settings)
    result = run_report(run_settings, engine_factory=engine_factory, out=io.StringIO())
    return Reports(days=result.reports, json=[day.as_json() for day in result.reports], written=result.written,
                   warnings=result.warnings, notices=result.notices, commits=result.commits)


# The settings a call may name: every row of the table but the command line's own (--debug, --config).
KEYWORDS = tuple(name for name in BY_NAME if name not in ("debug", "config_path"))
