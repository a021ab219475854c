"""The library's entry point: `offline_report.daily_reports(...)` runs a report from Python and returns the day reports."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from .config import Settings


@dataclass
class Reports:
    """What one call produced: each day's report (report/day.DayReport), its JSON, and what the run said."""

    days: list = field(default_factory=list)  # DayReport, oldest first
    json: list[dict] = field(default_factory=list)  # each day as `--format json` writes it
    written: list[Path] = field(default_factory=list)  # files, when output_dir was given
    warnings: list[str] = field(default_factory=list)  # what needs a person
    notices: list[str] = field(default_factory=list)  # what needs nobody (a window without commits)
    commits: int = 0


def daily_reports(repos: str | os.PathLike | list | None = None, *, since: str | None = None,
                  until: str | None = None, last: int | None = None, lang: str | None = None, tz: str | None = None,
                  llm: bool | None = None, output_dir: str | os.PathLike | None = None, fmt: str | None = None,
                  config: str | os.PathLike | None = None, engine_factory=None, **settings) -> Reports:
    """Report the commits of local clones, day by day, as the command line does, without one.

    `repos` is a path or a list of paths (default: the current directory, or the file's [[repos]]); `since`/`until` are `YYYY-MM-DD`, `today` or `yesterday` (without them:
    from the day after the last completed one); `llm=False` writes every analysis by rules. Nothing is written
    unless `output_dir` is given (then files in `fmt`, as the command line writes them). `config` reads an
    offline-report.toml under the arguments given here (arguments > environment > file > defaults). Any other
    run setting is a keyword named as in `config.Settings` (ref, no_merges, commit_url, model_path, server,
    cache_dir, no_cache, refresh, ...). Errors raise `errors.ReportError` subclasses (message, hint, exit_code)."""
    from .config.checks import check_settings
    from .config.merge import apply_config
    from .pipeline import run_report

    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise TypeError(f"daily_reports() got unknown settings: {', '.join(unknown)}")
    if isinstance(repos, (str, os.PathLike)):
        repos = [repos]
    named = dict(repos=[str(r) for r in repos] if repos is not None else None, since=since, until=until,
                 last=last, lang=lang, tz_name=tz, use_llm=llm, fmt=fmt if output_dir is not None else None,
                 output_dir=Path(output_dir) if output_dir is not None else None)
    given = {name: value for name, value in {**named, **settings}.items() if value is not None}
    # Without output_dir nothing is written: the days are rendered as JSON into memory.
    run_settings = Settings(**({"stdout": output_dir is None, "fmt": "json", "quiet": True} | given))
    if config is not None:
        apply_config(run_settings, {_PARAMS.get(name, name) for name in given}, str(config))
    check_settings(run_settings)
    result = run_report(run_settings, engine_factory=engine_factory, out=io.StringIO())
    return Reports(days=result.reports, json=[day.as_json() for day in result.reports], written=result.written,
                   warnings=result.warnings, notices=result.notices, commits=result.commits)


# Settings fields under the names of the command-line parameters that beat the file's keys (config/file.py).
_PARAMS = {"stdout": "to_stdout", "use_llm": "no_llm", "ctx": "n_ctx"}
