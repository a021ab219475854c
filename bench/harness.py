"""What the benchmark measures, through offline-report's own code paths (no second pipeline)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pygit2

from offline_report.config import RunConfig, Settings, resolve_tz
from offline_report.pipeline import build_analyzer, open_store, run
from offline_report.stats import RunStats


def day_config(repo: str, day: str, out: str, use_llm: bool = True, lang: str = "en") -> RunConfig:
    tz, tz_name = resolve_tz("UTC")
    the_day = date.fromisoformat(day)
    return RunConfig(repos=[repo], since=the_day, until=the_day, tz=tz, tz_name=tz_name, lang=lang,
                     output_dir=Path(out), no_llm=not use_llm)


def run_day(config: RunConfig, model: str | None = None, cache_dir: str | None = None,
            threads: int | None = None, gpu_layers: str = "auto") -> dict:
    """One run of the pipeline, as the CLI does it; returns its stats and wall time."""
    # force_model: the rows measure the model's path; the small models here fail their answer check, and the run
    # would otherwise hand every commit to the rules.
    settings = Settings(repos=config.repos, no_llm=config.no_llm, lang=config.lang, model_path=model,
                        threads=threads, gpu_layers=gpu_layers, cache_dir=Path(cache_dir) if cache_dir else None,
                        no_cache=cache_dir is None, force_model=True)
    stats = RunStats(use_llm=not config.no_llm)
    store = open_store(settings)
    analyzer = build_analyzer(settings, config.lang, stats, store)  # the wiring the CLI uses
    session = getattr(analyzer, "session", None)
    started = time.perf_counter()
    result = run(config, analyzer, stats, store=store)
    wall = time.perf_counter() - started
    load_s = session.load_seconds if session else 0.0
    return {"stats": stats.as_dict(), "wall_s": wall, "load_s": load_s, "reports": len(result.reports),
            "commits": sum(r.total for r in result.reports), "n_ctx": session.n_ctx() if session else None,
            "session": session}


def busiest_day(repo_path: str, limit: int = 20000) -> tuple[str, int]:
    """The UTC day with the most commits among the newest `limit` commits of HEAD."""
    repo = pygit2.Repository(pygit2.discover_repository(repo_path))
    counts: dict[str, int] = {}
    for i, commit in enumerate(repo.walk(repo.head.target, pygit2.enums.SortMode.TIME)):
        if i >= limit:
            break
        day = time.strftime("%Y-%m-%d", time.gmtime(commit.commit_time))
        counts[day] = counts.get(day, 0) + 1
    day = max(counts, key=lambda d: (counts[d], d))
    return day, counts[day]


def build_long_history(path: Path, commits: int, end_ts: int) -> None:
    """A linear history of `commits` commits, ten minutes apart, ending at end_ts (built once, cached)."""
    repo = pygit2.init_repository(str(path), bare=True, initial_head="main")
    index = pygit2.Index()
    index.add(pygit2.IndexEntry("README", repo.create_blob(b"history\n"), pygit2.GIT_FILEMODE_BLOB))
    tree = index.write_tree(repo)
    parent: list = []
    start = end_ts - commits * 600
    for i in range(commits):
        sig = pygit2.Signature("Bench", "bench@example.com", start + i * 600, 0)
        oid = repo.create_commit(None, sig, sig, f"chore: commit {i}", tree, parent)
        parent = [oid]
    repo.references.create("refs/heads/main", parent[0], force=True)
    (path / "complete").write_text("ok\n")


def build_wide_commit(path: Path, files: int, day: str) -> None:
    """One commit that adds `files` small files (built once, cached)."""
    repo = pygit2.init_repository(str(path), initial_head="main")
    index = pygit2.Index()
    for i in range(files):
        index.add(pygit2.IndexEntry(f"pkg{i % 100}/file{i}.txt", repo.create_blob(f"{i}\n".encode()),
                                    pygit2.GIT_FILEMODE_BLOB))
    tree = index.write_tree(repo)
    sig = pygit2.Signature("Bench", "bench@example.com", int(time.mktime(time.strptime(day, "%Y-%m-%d"))) + 43200, 0)
    repo.create_commit("refs/heads/main", sig, sig, "chore: ten thousand files", tree, [])
    (path / ".git" / "complete").write_text("ok\n")
