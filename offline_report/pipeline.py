"""One run: settings -> the analyzer (the one wiring function) -> repositories x days -> reports."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable, TextIO

from .rule_analyzer import Analyzer, RuleAnalyzer
from .cache import NullStore, Store, default_cache_dir, mark_completed, resume_day, run_lock
from .config import RunConfig, Settings, run_config
from .catalog import words
from .config.file import RepoOptions
from .git.log import WalkStats, commits_by_day, missing_contents_warning, newest_day, recent_days
from .errors import UsageError
from .git.repo import RepoHandle, open_repo
from .progress import Progress
from .report.day import DayReport, build_day, contents_notes
from .report.render import render_html, render_json, render_markdown, write_atomic
from .report.site import write_index
from .stats import RunStats


@dataclass
class RunResult:
    warnings: list[str] = field(default_factory=list)  # what needs a person: said even with --quiet
    notices: list[str] = field(default_factory=list)  # what needs nobody (a window without commits): not with --quiet
    commits: int = 0  # commits in the selected days, all repositories: 0 is "nothing new to report"
    written: list[Path] = field(default_factory=list)
    reports: list[DayReport] = field(default_factory=list)
    walk: dict[str, WalkStats] = field(default_factory=dict)
    config: RunConfig | None = None


def open_store(settings: Settings):
    if settings.no_cache:
        return NullStore()
    return Store(settings.cache_dir or default_cache_dir())


def build_analyzer(settings: Settings, lang: str, stats: RunStats, store, engine_factory=None) -> Analyzer:
    """The analyzer a run uses: rules alone, or the model (resolved and checked now, loaded on first use)."""
    if not settings.use_llm:
        return RuleAnalyzer(lang, stats, team_rules=settings.team_rules)
    from .llm.model_analyzer import ModelAnalyzer
    from .llm.models import resolve_model
    from .llm.session import ModelOptions, LocalSession, ServerSession

    options = ModelOptions(threads=settings.threads, ctx=settings.ctx, gpu_layers=settings.gpu_layers,
                           seed=settings.seed, vote_method=settings.vote_method, verbose=settings.verbose)
    if settings.server:
        session = ServerSession(settings.server, settings.server_model, api_key(settings.api_key_env),
                                settings.parallel, options, store, stats, engine_factory=engine_factory)
    else:
        session = LocalSession(resolve_model(settings.model_path), options, store, stats,
                               engine_factory=engine_factory)
    session.validate()
    return ModelAnalyzer(lang, stats, session, store, refresh=settings.refresh, team_rules=settings.team_rules,
                         force_model=settings.force_model, keep_rejected=settings.keep_rejected)


def api_key(variable: str | None) -> str | None:
    """The server's token, read from the environment variable the user named (never from the command line)."""
    if not variable:
        return None
    value = os.environ.get(variable)
    if not value:
        raise UsageError(f"--api-key-env {variable}: that environment variable is not set",
                         f"export {variable}=<token> before the run, or leave --api-key-env out")
    return value


def run_report(settings: Settings, engine_factory=None, out: TextIO | None = None) -> RunResult:
    """A whole run as the CLI does it: lock, dates, analyzer, reports."""
    store = open_store(settings)
    lock_dir = store.directory or Path(settings.output_dir)
    with run_lock(Path(lock_dir), settings.lock_timeout):
        config = run_config(settings, lambda repos, today: resume_day(store, repos, settings.ref, today))
        stats = RunStats(use_llm=config.use_llm)
        analyzer = build_analyzer(settings, config.lang, stats, store, engine_factory)
        result = run(config, analyzer, stats, store=store, out=out,
                     progress_factory=lambda total: Progress(total, quiet=settings.quiet))
    result.warnings[:0] = getattr(store, "warnings", [])  # a damaged cache that was moved aside
    result.config = config
    return result


def open_repos(config: RunConfig, notices: list[str]) -> list[RepoHandle]:
    """Open and check every repository before any work starts; an empty one is skipped with a warning."""
    handles = []
    for path in config.repos:
        options = repo_options(config, path)
        handle = open_repo(path, options.commit_url or config.commit_url)
        handle.name = options.name or handle.name
        if handle.is_empty:
            notices.append(f"{path}: the repository has no commits yet; nothing to report for it")
            continue
        handle.head(options.ref or config.ref)
        handles.append(handle)
    return handles


def repo_options(config: RunConfig, path: str) -> RepoOptions:
    """The [[repos]] options of offline-report.toml for this repository (none: the run's own)."""
    return config.repo_options.get(os.path.realpath(path)) or RepoOptions(path)


def repo_days(handle: RepoHandle, config: RunConfig, walk: WalkStats) -> dict[date, list]:
    """The repository's commits per day, from its own ref, kept by its include/exclude globs, with its context."""
    options = repo_options(config, handle.path)
    days = commits_by_day(handle, config.repo_days.get(handle.path) or config.days(), config.tz,
                          options.ref or config.ref, config.no_merges, walk)
    return {day: options.select(commits) for day, commits in days.items()}


def run(config: RunConfig, analyzer: Analyzer, stats: RunStats,
        progress_factory: Callable[[int], Progress] | None = None, out: TextIO | None = None,
        store=None) -> RunResult:
    result = RunResult()
    handles = open_repos(config, result.notices)
    if config.last:
        narrow_to_recent_days(config, handles)
    repos = []
    for handle in handles:
        walk = result.walk.setdefault(handle.path, WalkStats())
        buckets = repo_days(handle, config, walk)
        if not any(buckets.values()):
            result.notices.append(empty_window(handle, config))
        repos.append((handle, buckets))
        if warning := missing_contents_warning(handle.path, buckets):
            result.warnings.append(warning)
    total = result.commits = sum(len(commits) for _, days in repos for commits in days.values())
    progress = (progress_factory or (lambda n: Progress(n, quiet=True)))(total)
    plan = analyzer.plan([c for _, days in repos for commits in days.values() for c in commits])
    if plan:
        progress.note(plan)
    today = datetime.now(config.tz).date()
    for day in config.days():
        write_day(day, repos, config, analyzer, stats, progress, result, out)
        if store is not None:
            for path in config.repos:
                mark_completed(store, path, config.ref, day, today)
    analyzer.finish()
    if stats.model_skipped:  # said once: why the rules stood in for the model
        result.warnings.append(model_skipped_line(config.lang, stats))
    if config.fmt == "html" and not config.stdout:
        result.written.append(write_index(config.output_dir, config.lang))
    progress.finish(summary_line(stats, total, result))
    if store is not None:
        store.set(stats.as_dict(), "last-run")
    return result


def model_skipped_line(lang: str, stats: RunStats) -> str:
    check = stats.answer_check or {}
    return words(lang, "model_skipped", stats.model_skipped, passed=check.get("passed", 0),
                 samples=check.get("samples", 0)) + words(lang, "model_skipped", "hint")


def narrow_to_recent_days(config: RunConfig, handles: list[RepoHandle]) -> None:
    """--last N: each repository's N most recent days with commits; the run covers all of them."""
    for handle in handles:
        ref = repo_options(config, handle.path).ref or config.ref
        config.repo_days[handle.path] = recent_days(handle, config.last, config.tz, ref, config.no_merges)
    every = sorted({day for days in config.repo_days.values() for day in days})
    if every:
        config.since, config.until = every[0], every[-1]


def empty_window(handle: RepoHandle, config: RunConfig) -> str:
    """Where the commits are, when the window holds none."""
    ref = repo_options(config, handle.path).ref or config.ref
    newest = newest_day(handle, config.tz, ref)
    return words(config.lang, "run", "empty_window", since=config.since, until=config.until, ref=ref,
                 repo=handle.name, newest=newest)


def write_day(day: date, repos: list[tuple[RepoHandle, dict]], config: RunConfig, analyzer: Analyzer, stats,
              progress, result: RunResult, out: TextIO | None) -> None:
    sections = []
    for handle, days in repos:
        progress.set_label(f"{handle.name} {day}")
        entries = analyzer.analyze_day(days.get(day, []), progress)
        if entries or config.empty_days:
            sections.append((handle.name, handle.path, entries))
    if not any(entries for _, _, entries in sections) and not config.empty_days:
        return
    report = build_day(day, config.lang, config.tz_name, sections)
    for repo in report.repos:
        if result.walk[repo.path].hit_shallow_boundary:
            repo.notes.append("shallow_note")
        repo.notes += contents_notes(repo.commits)
        repo.summary = analyzer.day_summary(repo.commits)
    report.run = stats.as_dict()
    emit(report, config, result, out)


def summary_line(stats, total: int, result: RunResult) -> str:
    s = stats.as_dict()
    parts = [f"offline-report: {total} commits, {len(result.reports)} day report(s)"]
    if s["use_llm"]:
        parts.append(f"model {s['model_analyses']}, cache {s['cache_hits']}, rules {s['rule_analyses']} "
                     f"(fallbacks {s['fallbacks']})")
        if s["tokens_per_s"]:
            parts.append(f"{s['generated_tokens']} tokens at {s['tokens_per_s']} tok/s")
    parts.append(f"{s['wall_s']:.1f} s")
    return "; ".join(parts)


def render(report: DayReport, fmt: str, one_line: bool = False, templates: Path | None = None) -> str:
    """The text of one day in the chosen format."""
    if fmt == "json":
        return render_json(report, one_line=one_line)
    return render_html(report, templates) if fmt == "html" else render_markdown(report, templates)


def emit(report: DayReport, config: RunConfig, result: RunResult, out: TextIO | None) -> None:
    result.reports.append(report)
    if config.stdout:
        out = out or sys.stdout
        text = render(report, config.fmt, one_line=True, templates=config.templates)
        out.write(text + "\n" if config.fmt == "json" else text)
        out.flush()
        return
    path = Path(config.output_dir) / f"{report.day.isoformat()}.{config.fmt}"
    write_atomic(path, render(report, config.fmt, templates=config.templates))
    result.written.append(path)
