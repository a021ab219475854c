"""One run: settings -> the analyzer (the one wiring function) -> repositories x days -> reports."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, TextIO

from .analysis_spec import Analyzer, CommitEntry
from .rules.analyzer import RuleAnalyzer
from .cache import NullStore, Store, default_cache_dir, run_lock
from .config import RunConfig, Settings, run_config
from .config.checks import check_settings
from .catalog import counted, said, words
from .config.file import RepoOptions
from .errors import RepoError
from .facts import remembered
from .git.commits import CommitFacts
from .git.log import (LastReported, WalkStats, commits_by_day, commits_in_range, missing_contents, newest_day,
                      read_last_reported, recent_days)
from .git.ranges import Range, resolve_range
from .git.repo import RepoHandle, open_repo
from .git.upstream import mark_upstream
from .progress import Progress
from .report.day import DayReport, build_day, contents_notes, is_sync
from .report.output import ReportOutput
from .report.site import write_site
from .report.team_templates import check_templates, unused as unused_templates
from .report.views import View, day_view, period_views, range_view
from .record.selection import Coverage, select_day
from .record.nightly import continues, output_key, record_reported
from .record.state import NightlyState
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


def check_run(settings: Settings) -> None:
    """Every check of the settings, before anything runs: the command line, `config` and the API call it."""
    check_settings(settings)
    if settings.templates:
        check_templates(Path(settings.templates))


def build_analyzer(settings: Settings, lang: str, stats: RunStats, store, engine_factory=None) -> Analyzer:
    """The analyzer a run uses: rules alone, or the model (resolved and checked now, loaded on first use)."""
    if settings.no_llm:
        return RuleAnalyzer(lang, stats, team_rules=settings.team_rules)
    from .llm.model_analyzer import ModelAnalyzer

    session = model_session(settings, store, stats, engine_factory)
    session.validate()
    return ModelAnalyzer(lang, stats, session, store, refresh=settings.refresh, team_rules=settings.team_rules,
                         force_model=settings.force_model, keep_rejected=settings.keep_rejected)


def model_session(settings: Settings, store, stats: RunStats, engine_factory=None):
    """The run's model: on the server, or the local file resolved (and read: a damaged file is refused here)."""
    from .llm.models import resolve_model
    from .llm.session import ModelOptions, LocalSession, ServerSession

    options = ModelOptions(threads=settings.threads, n_ctx=settings.n_ctx, gpu_layers=settings.gpu_layers,
                           seed=settings.seed, vote_method=settings.vote_method, verbose=settings.verbose)
    if settings.server:
        key = os.environ.get(settings.api_key_env) if settings.api_key_env else None  # checked by check_settings
        return ServerSession(settings.server, settings.server_model, key, settings.parallel, options, store, stats,
                             engine_factory=engine_factory)
    return LocalSession(resolve_model(settings.model_path), options, store, stats, engine_factory=engine_factory)


def check_model(settings: Settings) -> None:
    """The run's check of its local model file, without the cache and without loading the model (`config`)."""
    if not settings.no_llm and not settings.server:
        model_session(settings, NullStore(), RunStats()).validate()


def run_report(settings: Settings, engine_factory=None, out: TextIO | None = None) -> RunResult:
    """A whole run as the CLI does it: lock, dates, analyzer, reports."""
    store = open_store(settings)
    lock_dir = store.directory or Path(settings.output_dir)
    with run_lock(Path(lock_dir), settings.lock_timeout), remembered_in(store.directory):
        state = NightlyState(settings.cache_dir or default_cache_dir())
        config = run_config(settings, lambda repos, today: state.resume_day(
            [output_key(settings, path) for path in repos], today))
        stats = RunStats(use_llm=not config.no_llm)
        analyzer = build_analyzer(settings, config.lang, stats, store, engine_factory)
        result = run(config, analyzer, stats, store=store, out=out, state=state,
                     progress_factory=lambda total: Progress(total, quiet=settings.quiet, lang=settings.lang))
        for rollup in rollups_due(settings, result.config):
            more = run(rollup, analyzer, stats, store=store, out=out,
                       progress_factory=lambda total: Progress(total, quiet=True))
            result.written += more.written
            result.reports += more.reports
    result.warnings[:0] = [said(settings.lang, w) for w in getattr(store, "warnings", [])]  # a damaged cache, moved aside
    if stats.model_skipped == "answer_check" and skip_unsaid(store, stats, settings.quiet):
        result.notices.append(model_skipped_line(result.config.lang, stats))
    return result


@contextmanager
def remembered_in(directory):
    """What the run reads of the history (commits' files and diff facts, changed files' definitions) kept in its
    cache (none with --no-cache) while the run lasts."""
    remembered.keep_in(directory)
    try:
        yield
    finally:
        remembered.keep_in(None)


def rollups_due(settings: Settings, config: RunConfig) -> list[RunConfig]:
    """With `rollups` (offline-report.toml, --rollup), a day run also writes the report of each week or month
    whose last day lies in its window and is over: a nightly run on Monday writes last week's."""
    if config.period != "day" or config.range_spec:
        return []
    over = min(config.until, datetime.now(config.tz).date() - timedelta(days=1))
    due = []
    for kind in settings.rollups:
        for view in period_views(kind, config.since, over):
            if config.since <= view.until <= over:
                due.append(replace(config, period=kind, since=view.since, until=view.until, last=None,
                                   repo_days={}))
    return due


def open_repos(config: RunConfig, notices: list[str]) -> list[RepoHandle]:
    """Open and check every repository before any work starts; an empty one is skipped with a warning."""
    handles = []
    for path in config.repos:
        options = repo_options(config, path)
        handle = open_repo(path, options.commit_url or config.commit_url)
        handle.name = options.name or handle.name
        if handle.is_empty:
            notices.append(words(config.lang, "notices", "no_commits_yet", path=path))
            continue
        handle.head(options.ref or config.ref)
        if options.upstream:
            check_upstream(handle, options.upstream)
        handles.append(handle)
    return handles


def check_upstream(handle: RepoHandle, upstream: str) -> None:
    try:
        handle.head(upstream)
    except RepoError:
        raise RepoError("upstream_missing", repo=handle.name, upstream=upstream) from None


def repo_options(config: RunConfig, path: str) -> RepoOptions:
    """The [[repos]] options of offline-report.toml for this repository (none: the run's own)."""
    return config.repo_options.get(os.path.realpath(path)) or RepoOptions(path)


RANGE = "range"  # the one bucket of a release range's run


@dataclass
class RepoRun:
    """One repository in a run: each day's entries to be, what the day's window holds, and its nightly record."""

    handle: RepoHandle
    ref: str
    days: dict[date, list[CommitFacts]]
    coverage: dict[date, Coverage]
    last: LastReported | None = None
    record_key: str | None = None  # None: this run does not carry the repository's record on
    record_from: date | None = None  # the record's completed day when the run began
    release: Range | None = None  # a release range's run: the resolved range (its commits are days[RANGE])

    def bucket(self, view: View) -> tuple[list[CommitFacts], Coverage | None]:
        """The view's entries (newest landing first) and its coverage, from the days (or the range) it covers."""
        keys = view.days or (RANGE,)
        commits = sorted((c for key in keys for c in self.days.get(key, [])),
                         key=CommitFacts.landing_order, reverse=True)
        parts = [self.coverage[key] for key in keys if key in self.coverage]
        return commits, sum(parts[1:], parts[0]) if parts else None

    def rewritten_note(self, view: View | None = None) -> tuple | None:
        """The note that history was rewritten since the last report: for the run (no view), or the report of
        the repository's first day."""
        if self.last is None or not (self.last.rewritten or self.last.unreadable):
            return None
        if view is not None and (view.kind != "day" or view.since != min(self.days)):
            return None
        kind = "unreadable" if self.last.unreadable else "rewritten"
        return ("landing", f"history_{kind}", {"tip": self.last.tips[0][:7] if self.last.tips else "?",
                                               "ref": self.ref})


def read_repo(handle: RepoHandle, config: RunConfig, state: NightlyState | None, today: date,
              walk: WalkStats) -> RepoRun:
    """The repository's landed commits per day, from its own ref, kept by its globs, with what they need to say.

    Only day reports carry the nightly record on; a week, a month or a release range is read from history."""
    options = repo_options(config, handle.path)
    if config.range_spec:
        return read_range(handle, config, options, walk)
    state = state if config.period == "day" else None
    ref = options.ref or config.ref
    days = config.repo_days.get(handle.path) or config.days()
    key = output_key(config, handle.path)
    entry = state.get(key) if state is not None else None
    carried = continues(entry, days[0], config.until, today)
    last = read_last_reported(handle, ref, entry.tips) if carried and entry is not None else None
    landed = commits_by_day(handle, days, config.tz, ref, walk, last)
    if options.upstream:
        for commits in landed.values():
            mark_upstream(handle, handle.head(options.upstream), commits)
    run = RepoRun(handle, ref, {}, {}, last, key if carried and state is not None and not config.stdout else None,
                  entry.completed if entry else None)
    for day, commits in landed.items():
        run.days[day], run.coverage[day] = select_day(commits, options, config.no_merges)
    return run


def read_range(handle: RepoHandle, config: RunConfig, options: RepoOptions, walk: WalkStats) -> RepoRun:
    """Exactly the commits of the release range (`git rev-list A..B`), as one bucket in landing order."""
    release = resolve_range(handle, config.range_spec)
    landed = commits_in_range(handle, release.base, release.tip, config.tz, walk)
    if options.upstream:
        mark_upstream(handle, handle.head(options.upstream), landed)
    run = RepoRun(handle, release.name, {}, {}, release=release)
    run.days[RANGE], run.coverage[RANGE] = select_day(landed, options, config.no_merges)
    return run


def views_of(config: RunConfig, repos: list[RepoRun]) -> list[View]:
    """The reports this run writes: one per day, week or month of the window, or the one release range."""
    if config.range_spec:
        release = repos[0].release if repos else None
        if release is None:
            return []
        first, last = release.dates(config.tz)
        return [range_view(release.name, (release.base_name, release.tip_name), first, last)]
    if config.period != "day":
        return period_views(config.period, config.since, config.until)
    return [day_view(day) for day in config.days()]


def run(config: RunConfig, analyzer: Analyzer, stats: RunStats,
        progress_factory: Callable[[int], Progress] | None = None, out: TextIO | None = None,
        store=None, state: NightlyState | None = None) -> RunResult:
    result = RunResult(warnings=unused_templates(config.templates, config.lang))
    handles = open_repos(config, result.notices)
    if config.last:
        config = narrow_to_recent_days(config, handles)
    result.config = config
    today = datetime.now(config.tz).date()
    repos = []
    for handle in handles:
        walk = result.walk.setdefault(handle.path, WalkStats())
        repo = read_repo(handle, config, state, today, walk)
        if not any(repo.days.values()):
            result.notices.append(empty_window(handle, config, repo))
        if note := repo.rewritten_note():
            result.warnings.append(f"{handle.name}: " + words(config.lang, *note[:2], **note[2]))
        repos.append(repo)
        if missing := missing_contents(repo.days):
            result.warnings.append(words(config.lang, "run", "missing_contents", path=handle.path, count=missing[0],
                                         why=words(config.lang, "run", f"missing_{missing[1]}")))
    work = [c for repo in repos for commits in repo.days.values() for c in by_analyzer(commits)]
    total = result.commits = sum(len(top.brought) + 1 for repo in repos for commits in repo.days.values()
                                 for top in commits)
    entries = sum(len(commits) for repo in repos for commits in repo.days.values())
    progress = (progress_factory or (lambda n: Progress(n, quiet=True)))(total)
    plan = analyzer.plan(work)
    if plan:
        progress.note(plan)
    output = ReportOutput(config.fmt, config.output_dir, config.templates,
                          (out or sys.stdout) if config.stdout else None, batched=not stats.use_llm)
    try:
        for view in views_of(config, repos):
            write_view(view, repos, config, analyzer, stats, progress, result, output)
        output.close()
    except BaseException:
        output.close(in_process=True)   # the reports made before a stop or an error stay written
        raise
    finally:
        result.written += output.written
    if state is not None:
        record_reported(state, repos, config.until, config.tz, today)
    analyzer.finish()
    if stats.model_skipped == "circuit_breaker":  # this night's answers: said even with --quiet
        result.warnings.append(model_skipped_line(config.lang, stats))
    if config.fmt == "html" and not config.stdout:
        result.written += write_site(config.output_dir, config.lang, config.templates)
    progress.finish(summary_line(stats, entries, total, result, config))
    if store is not None:
        store.set(stats.as_dict(), "last-run")
    return result


def by_analyzer(commits: list[CommitFacts]) -> list[CommitFacts]:
    """The commits the run's analyzer reads: every entry and what merges brought, except what an upstream sync
    brought (those are analysed by the rules: a sync of hundreds of commits is not hundreds of model calls)."""
    return [c for top in commits for c in (top, *([] if is_sync(top) else top.brought))]


def analyze_landed(analyzer: Analyzer, commits: list[CommitFacts], progress) -> list[CommitEntry]:
    """The day's entries, each merge's entry holding the entries of the commits it brought."""
    entries = {e.facts.sha: e for e in analyzer.analyze_day(by_analyzer(commits), progress)}
    for top in commits:
        if is_sync(top):
            entries.update((e.facts.sha, e) for e in analyzer.analyze_by_rules(top.brought, progress))
    for top in commits:
        entries[top.sha].brought = [entries[c.sha] for c in top.brought]
    return [entries[top.sha] for top in commits]


def skip_unsaid(store, stats: RunStats, quiet: bool) -> bool:
    """A failed answer check is the model's, not the night's: a run that is not --quiet says it once per model
    and language (`models --check` shows it again); a quiet nightly run never does."""
    if quiet:
        return False
    if store is None or stats.answer_check_key is None:
        return True
    said = ("said", *stats.answer_check_key)
    if store.get(*said):
        return False
    store.set(True, *said)
    return True


def model_skipped_line(lang: str, stats: RunStats) -> str:
    check = stats.answer_check or {}
    return words(lang, "model_skipped", stats.model_skipped, passed=check.get("passed", 0),
                 samples=check.get("samples", 0)) + words(lang, "model_skipped", "hint")


def narrow_to_recent_days(config: RunConfig, handles: list[RepoHandle]) -> RunConfig:
    """--last N: each repository's N most recent days with commits; the run covers all of them."""
    repo_days = {handle.path: recent_days(handle, config.last, config.tz,
                                          repo_options(config, handle.path).ref or config.ref) for handle in handles}
    every = sorted({day for days in repo_days.values() for day in days})
    if every:
        return replace(config, repo_days=repo_days, since=every[0], until=every[-1])
    return replace(config, repo_days=repo_days)


def empty_window(handle: RepoHandle, config: RunConfig, repo: RepoRun) -> str:
    """Where the commits are, when the window holds none."""
    if repo.release is not None:
        return words(config.lang, "views", "empty_range", repo=handle.name, range=repo.release.name)
    ref = repo_options(config, handle.path).ref or config.ref
    newest = newest_day(handle, config.tz, ref)
    return words(config.lang, "run", "empty_window", since=config.since, until=config.until, ref=ref,
                 repo=handle.name, newest=newest)


def write_view(view: View, repos: list[RepoRun], config: RunConfig, analyzer: Analyzer, stats: RunStats,
               progress, result: RunResult, output: ReportOutput) -> None:
    """One report: each repository's entries of the view, analysed (or read from the cache), rendered, written."""
    before = stats.snapshot()
    sections = []
    for repo in repos:
        progress.set_label(f"{repo.handle.name} {view.name}")
        commits, coverage = repo.bucket(view)
        entries = analyze_landed(analyzer, commits, progress)
        if entries or config.empty_days:
            sections.append((repo, entries, coverage))
    if not any(entries for _, entries, _ in sections) and not config.empty_days:
        return
    report = build_day(view.until or view.since, config.lang, config.tz_name,
                       [(r.handle.name, r.handle.path, e) for r, e, _ in sections], view)
    for (repo, _, coverage), section in zip(sections, report.repos):
        if result.walk[repo.handle.path].hit_shallow_boundary:
            section.notes.append("shallow_note")
        if note := repo.rewritten_note(view):
            section.notes.append(note)
        section.notes += contents_notes(section.landed)
        section.coverage = coverage
        section.summary = analyzer.day_summary(section.commits, fresh=view.kind == "day" or stats.model_loaded)
        if view.kind != "day":
            section.api = api_between(repo, section.landed)
    report.run = stats.as_dict(since=before)
    result.reports.append(report)
    output.add(report)


def api_between(repo: RepoRun, landed: list) -> tuple | None:
    """The public API changes between a view's two ends: a range's, or for a week or month the parent of its
    oldest landed commit and its newest; None where there is no base to compare with."""
    from .git.api_ends import api_between as changes_between, first_parent   # weeks, months and ranges only

    facts = [entry.facts for entry in landed]
    if repo.release is not None:
        base = str(repo.release.base.id) if repo.release.base is not None else None
        tip, names = str(repo.release.tip.id), (repo.release.base_name, repo.release.tip_name)
    else:
        entries = sorted(facts, key=CommitFacts.landing_order)
        if not entries:
            return None
        base, tip = first_parent(repo.handle.repo, entries[0].sha), entries[-1].sha
        names = (base[:7] if base else None, tip[:7])
    changes = changes_between(repo.handle.repo, base, tip, facts)
    return None if changes is None else (names[0], names[1], changes)


def summary_line(stats, entries: int, total: int, result: RunResult, config: RunConfig) -> str:
    """The run's last line on stderr, in the report's language: the commits it read (counted as the reports count
    them), the reports it wrote by kind, and how the analyses were made."""
    s, lang = stats.as_dict(), config.lang
    kinds: dict[str, int] = {}
    for report in result.reports:
        kinds[report.view.kind] = kinds.get(report.view.kind, 0) + 1
    if not kinds:
        kinds["range" if config.range_spec else config.period] = 0
    reports = ", ".join(words(lang, "run", f"reports_{kind}", count=count) for kind, count in kinds.items())
    parts = [words(lang, "run", "summary", count=counted(lang, entries, total), reports=reports)]
    if s["use_llm"]:
        parts.append(words(lang, "run", "summary_model", model=s["model_analyses"], cache=s["cache_hits"],
                           rules=s["rule_analyses"], fallbacks=s["fallbacks"]))
        if s["tokens_per_s"]:
            parts.append(words(lang, "run", "summary_tokens", tokens=s["generated_tokens"], rate=s["tokens_per_s"]))
    parts.append(words(lang, "run", "summary_seconds", seconds=f"{s['wall_s']:.1f}"))
    return words(lang, "cli", "notice", text=words(lang, "run", "summary_separator").join(parts))
