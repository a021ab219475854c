"""One run: repositories × days → analysed day reports → files or stdout."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable, TextIO

from .cache import mark_completed
from .config import RunConfig
from .git.commits import RepoHandle, WalkStats, commit_facts, commits_between, day_bounds, open_repo, resolve_ref
from .progress import Progress
from .report.render import render_json, render_markdown, write_atomic
from .report.day import DayReport, build_day


@dataclass
class RunResult:
    warnings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    reports: list[DayReport] = field(default_factory=list)
    walk: dict[str, WalkStats] = field(default_factory=dict)


def open_repos(config: RunConfig, warnings: list[str]) -> list[RepoHandle]:
    """Open and check every repository before any work starts; an empty one is skipped with a warning."""
    handles = []
    for path in config.repos:
        handle = open_repo(path, config.commit_url)
        if handle.repo.is_empty:
            warnings.append(f"{path}: the repository has no commits yet; nothing to report for it")
            continue
        resolve_ref(handle, config.ref)
        handles.append(handle)
    return handles


def collect_days(handle: RepoHandle, config: RunConfig, walk: WalkStats) -> dict[date, list]:
    """One time-sorted walk over the whole range, bucketed into local days, newest first."""
    days = config.days()
    start, _ = day_bounds(days[0], config.tz)
    _, end = day_bounds(days[-1], config.tz)
    buckets: dict[date, list] = {day: [] for day in days}
    for commit in commits_between(handle, start, end, config.ref, config.no_merges, walk):
        local_day = day_of(commit.commit_time, config)
        if local_day in buckets:
            buckets[local_day].append(commit)
    for commits in buckets.values():
        commits.sort(key=lambda c: c.commit_time, reverse=True)
    return buckets


def day_of(timestamp: int, config: RunConfig) -> date:
    return datetime.fromtimestamp(timestamp, config.tz).date()


def run(config: RunConfig, analyzer, stats, progress_factory: Callable[[int], Progress] | None = None,
        out: TextIO | None = None, store=None) -> RunResult:
    result = RunResult()
    repos = []
    for handle in open_repos(config, result.warnings):
        walk = result.walk.setdefault(handle.path, WalkStats())
        repos.append((handle, collect_days(handle, config, walk)))
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


def write_day(day: date, repos: list[tuple[RepoHandle, dict]], config: RunConfig, analyzer, stats, progress,
              result: RunResult, out: TextIO | None) -> None:
    sections = []
    for handle, days in repos:
        progress.set_label(f"{handle.name} {day}")
        facts = [commit_facts(handle, c, config.tz) for c in days[day]]
        entries = analyzer.analyze_day(handle, facts, progress)
        if entries or config.empty_days:
            sections.append((handle.name, handle.path, entries))
    if not any(entries for _, _, entries in sections) and not config.empty_days:
        return
    report = build_day(day, config.lang, config.tz_name, sections)
    for repo in report.repos:
        if result.walk[repo.path].hit_shallow_boundary:
            repo.notes.append(shallow_note(config.lang))
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


def shallow_note(lang: str) -> str:
    if lang == "zh":
        return "这是一个浅克隆：提交遍历到达了浅克隆的边界，更早的提交不在本地。"
    return "This is a shallow clone: the walk reached the shallow boundary; older commits are not available locally."


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
