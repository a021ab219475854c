"""One run: settings -> the analyzer (the one wiring function) -> repositories x days -> reports."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable, TextIO

from .analyze import Analyzer, ModelAnalyzer, RuleAnalyzer
from .cache import NullStore, Store, default_cache_dir, mark_completed, resume_day, run_lock
from .config import RunConfig, Settings, run_config
from .git.log import WalkStats, commits_by_day, missing_contents_warning
from .git.repo import RepoHandle, open_repo
from .progress import Progress
from .report.day import DayReport, build_day, contents_notes
from .report.render import render_json, render_markdown, write_atomic
from .stats import RunStats


@dataclass
class RunResult:
    warnings: list[str] = field(default_factory=list)
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
        return RuleAnalyzer(lang, stats)
    from .llm.models import resolve_model
    from .llm.session import ModelOptions, ModelSession

    options = ModelOptions(threads=settings.threads, ctx=settings.ctx, gpu_layers=settings.gpu_layers,
                           seed=settings.seed, vote_method=settings.vote_method, verbose=settings.verbose)
    session = ModelSession(resolve_model(settings.model_path), options, store, stats, engine_factory=engine_factory)
    session.validate()
    return ModelAnalyzer(lang, stats, session, store, refresh=settings.refresh)


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
    result.config = config
    return result


def open_repos(config: RunConfig, warnings: list[str]) -> list[RepoHandle]:
    """Open and check every repository before any work starts; an empty one is skipped with a warning."""
    handles = []
    for path in config.repos:
        handle = open_repo(path, config.commit_url)
        if handle.is_empty:
            warnings.append(f"{path}: the repository has no commits yet; nothing to report for it")
            continue
        handle.head(config.ref)
        handles.append(handle)
    return handles


def run(config: RunConfig, analyzer: Analyzer, stats: RunStats,
        progress_factory: Callable[[int], Progress] | None = None, out: TextIO | None = None,
        store=None) -> RunResult:
    result = RunResult()
    repos = []
    for handle in open_repos(config, result.warnings):
        walk = result.walk.setdefault(handle.path, WalkStats())
        repos.append((handle, commits_by_day(handle, config.days(), config.tz, config.ref, config.no_merges, walk)))
        if warning := missing_contents_warning(handle.path, repos[-1][1]):
            result.warnings.append(warning)
    total = sum(len(commits) for _, days in repos for commits in days.values())
    progress = (progress_factory or (lambda n: Progress(n, quiet=True)))(total)
    today = datetime.now(config.tz).date()
    for day in config.days():
        write_day(day, repos, config, analyzer, stats, progress, result, out)
        if store is not None:
            for path in config.repos:
                mark_completed(store, path, config.ref, day, today)
    progress.finish(summary_line(stats, total, result))
    if store is not None:
        store.set(stats.as_dict(), "last-run")
    return result


def write_day(day: date, repos: list[tuple[RepoHandle, dict]], config: RunConfig, analyzer: Analyzer, stats,
              progress, result: RunResult, out: TextIO | None) -> None:
    sections = []
    for handle, days in repos:
        progress.set_label(f"{handle.name} {day}")
        entries = analyzer.analyze_day(days[day], progress)
        if entries or config.empty_days:
            sections.append((handle.name, handle.path, entries))
    if not any(entries for _, _, entries in sections) and not config.empty_days:
        return
    report = build_day(day, config.lang, config.tz_name, sections)
    for repo in report.repos:
        if result.walk[repo.path].hit_shallow_boundary:
            repo.notes.append("shallow_note")
        repo.notes += contents_notes(repo.commits)
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


def emit(report: DayReport, config: RunConfig, result: RunResult, out: TextIO | None) -> None:
    result.reports.append(report)
    if config.stdout:
        out = out or sys.stdout
        text = render_json(report, one_line=True) + "\n" if config.fmt == "json" else render_markdown(report)
        out.write(text)
        out.flush()
        return
    suffix = "json" if config.fmt == "json" else "md"
    path = Path(config.output_dir) / f"{report.day.isoformat()}.{suffix}"
    text = render_json(report) if config.fmt == "json" else render_markdown(report)
    write_atomic(path, text)
    result.written.append(path)
