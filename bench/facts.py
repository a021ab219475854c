"""Benchmarks of the facts path and of the cached nightly run, timed from outside through the CLI.

    python bench/facts.py --repo PATH --month YYYY-MM [--rows F0,F1,F2,F2r,F3] [--runs 5]

F0  start-up: offline-report --version / the 0.1 s goal (so the ratio is the goal's fraction used)
F1  offline-report --no-llm --no-cache -q over one month of the clone / git-cliff over the same commit range
F2  the same over the clone's whole history / `git log -p --stat` over the same history (the diff work git
    itself does, in C)
F2r F2 again with a cache the warm-up run filled: what a rerun, or a week or month over reported days, costs
F3  a fully cached nightly run over 3 repositories x 7 days / one repository-day analysed by the model

Every figure is the whole process (start-up included), the two commands alternating A B A B ... after one
warm-up run of each; the median of the runs is quoted. Prints one table (as bench/run.py does) and merges the
rows into bench/results/<date>-<host>-facts.json, one entry per repository and month.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import Table  # noqa: E402

# The console script of the interpreter running this file; PYTHONPATH makes it import this checkout's package.
CLI = str(Path(sys.executable).with_name("offline-report"))
# As installed: bytecode compiled (pip compiles on install); a PYTHONDONTWRITEBYTECODE shell would otherwise make
# every timed run compile the package's sources again.
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
NIGHTLY_REPOS = 3
NIGHTLY_DAYS = 7
NIGHTLY_FIRST_DAY = date(2026, 2, 2)


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, check=True).stdout.strip()


def timed(command: list[str], cwd: str | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-2000:]}")
    return wall


def alternate(a: list[str], b: list[str], runs: int, cwd_a: str | None = None, cwd_b: str | None = None) -> dict:
    """A and B in turn, one warm-up each first; medians of wall seconds and of the pairwise ratio A/B."""
    timed(a, cwd_a)
    timed(b, cwd_b)
    walls_a, walls_b = [], []
    for _ in range(runs):
        walls_a.append(timed(a, cwd_a))
        walls_b.append(timed(b, cwd_b))
    pairs = [x / y for x, y in zip(walls_a, walls_b)]
    return {"a": statistics.median(walls_a), "b": statistics.median(walls_b), "ratio": statistics.median(pairs),
            "a_runs": walls_a, "b_runs": walls_b, "pair_ratios": pairs}


def spread(m: dict) -> str:
    return (f"median of {len(m['a_runs'])} alternating runs; A {min(m['a_runs']):.3g}-{max(m['a_runs']):.3g} s, "
            f"B {min(m['b_runs']):.3g}-{max(m['b_runs']):.3g} s; median of pair ratios {m['ratio']:.3f}")


def report_command(repo: str, since: date, until: date, out: str, cache: str | None = None) -> list[str]:
    """The run timed: without the cache (cold), or with this cache folder (a rerun, once its warm-up filled it)."""
    return [CLI, "--repo", repo, "--since", since.isoformat(), "--until", until.isoformat(), "--no-llm",
            *(["--cache-dir", cache] if cache else ["--no-cache"]), "-q", "--yes", "--tz", "UTC", "--lang", "en",
            "--output-dir", out]


def month_bounds(month: str) -> tuple[date, date]:
    first = date.fromisoformat(month + "-01")
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def cliff_range(clone: str, first: date, last: date) -> tuple[str, int]:
    """<sha before the month>..<last sha of the month>, by committer date in UTC, and its commit count."""
    end = git(clone, "rev-list", "-1", f"--before={last + timedelta(days=1)}T00:00:00Z", "HEAD")
    if not end:
        raise SystemExit(f"no commit before {last + timedelta(days=1)} in {clone}")
    start = git(clone, "rev-list", "-1", f"--before={first}T00:00:00Z", end)
    spec = f"{start}..{end}" if start else end
    return spec, int(git(clone, "rev-list", "--count", spec))


def history_bounds(clone: str) -> tuple[date, date, int]:
    stamps = [int(s) for s in git(clone, "log", "--format=%ct", "HEAD").split()]
    day = lambda ts: datetime.fromtimestamp(ts, timezone.utc).date()  # noqa: E731
    return day(min(stamps)), day(max(stamps)), len(stamps)


STARTUP_GOAL_S = 0.1


def startup_row(table: Table, runs: int) -> dict:
    """`offline-report --version`, the whole process; beside it, a bare interpreter's own start-up."""
    version = [CLI, "--version"]
    bare = [sys.executable, "-c", "pass"]
    timed(version)
    walls = sorted(timed(version) for _ in range(max(runs, 5)))
    python_walls = sorted(timed(bare) for _ in range(max(runs, 5)))
    median = statistics.median(walls)
    table.add("F0 start-up: offline-report --version / the 0.1 s goal", median, STARTUP_GOAL_S, "<= 1.0", "s",
              f"median of {len(walls)} runs, {walls[0]:.3g}-{walls[-1]:.3g} s; `python -c pass` alone: "
              f"{statistics.median(python_walls):.3g} s")
    return {"runs": walls, "median": median, "python_median": statistics.median(python_walls)}


def cliff_rows(table: Table, repo: str, month: str, rows: set[str], runs: int, work: Path) -> dict:
    cliff = shutil.which("git-cliff")
    if not cliff and "F1" in rows:
        table.skip("F1 facts path / git-cliff", "git-cliff not on PATH (npm install -g git-cliff)")
        rows = rows - {"F1"}
    if not rows & {"F1", "F2", "F2R"}:
        return {}
    # git-cliff needs a work tree (it is run from inside it); both tools read this same clone.
    clone = str(work / "clone")
    subprocess.run(["git", "clone", "-q", "--no-checkout", repo, clone], check=True)
    out = str(work / "out")
    name = Path(repo).name
    found: dict = {"git_cliff": subprocess.run([cliff, "--version"], capture_output=True, text=True).stdout.strip()
                   if cliff else None, "git_cliff_build": cliff_build(cliff) if cliff else None}
    if "F1" in rows:
        first, last = month_bounds(month)
        spec, count = cliff_range(clone, first, last)
        m = alternate(report_command(clone, first, last, out), [cliff, spec], runs, cwd_b=clone)
        table.add(f"F1 facts path, one month: offline-report --no-llm --no-cache -q over {name} {month} / "
                  f"git-cliff over the same range ({count} commits; {found['git_cliff_build']})", m["a"], m["b"],
                  "<= 1.5", "s", spread(m))
        found["F1"] = {"range": spec, "commits": count, **m}
    if "F2" in rows:
        first, last, count = history_bounds(clone)
        m = alternate(report_command(clone, first, last, out), ["git", "-C", clone, "log", "-p", "--stat", "HEAD"],
                      runs)
        table.add(f"F2 facts path, whole history: offline-report --no-llm --no-cache -q over {name} "
                  f"{first}..{last} / git log -p --stat over all of HEAD ({count} commits)", m["a"], m["b"],
                  "<= 1.5", "s", spread(m))
        found["F2"] = {"since": str(first), "until": str(last), "commits": count, **m}
    if "F2R" in rows:
        first, last, count = history_bounds(clone)
        cache = str(work / "rerun-cache")
        m = alternate(report_command(clone, first, last, out, cache), ["git", "-C", clone, "log", "-p", "--stat",
                                                                       "HEAD"], runs)
        table.add(f"F2r the same, rerun: with the cache its warm-up filled (commits and definitions read before) / git log -p "
                  f"--stat ({count} commits)", m["a"], m["b"], "<= 1.5", "s", spread(m))
        found["F2r"] = {"since": str(first), "until": str(last), "commits": count, **m}
    return found


def cliff_build(path: str) -> str:
    """Which git-cliff F1 measures: npm's launcher (a Node.js script that starts the binary, about 0.15 s more
    a run) or the binary itself (PyPI, cargo, a release download). Their ratios are not comparable."""
    with open(path, "rb") as launcher:
        return "npm's Node.js launcher" if launcher.read(2) == b"#!" else "the binary itself"


def build_nightly_repos(work: Path, per_day: int) -> list[str]:
    """Three small repositories, `per_day` commits a day over seven days, with the seed day's kinds of change."""
    from tests.support.gitrepo import RepoBuilder, lines
    from tests.support.seed_day import SEED_COMMITS, changes_for

    kinds = [c for c in reversed(SEED_COMMITS) if c[3] != "delete_src"]
    paths = []
    n = 0
    for r in range(NIGHTLY_REPOS):
        path = work / f"nightly-{r}"
        builder = RepoBuilder(path)
        builder.commit("chore: initial import", f"{NIGHTLY_FIRST_DAY - timedelta(days=1)}T09:00:00+00:00",
                       {"README.md": f"# project {r}\n", "src/base.rs": lines(40, f"base{r}")})
        for d in range(NIGHTLY_DAYS):
            day = NIGHTLY_FIRST_DAY + timedelta(days=d)
            for c in range(per_day):
                _, author, subject, kind = kinds[n % len(kinds)]
                changes, _ = changes_for(kind, n)
                email = author.lower().replace(" ", ".") + "@example.com"
                builder.commit(subject, f"{day}T{10 + 3 * c:02d}:15:00+00:00", changes, author=(author, email))
                n += 1
        paths.append(str(path))
    return paths


def last_run(cache: str) -> dict:
    from offline_report.cache import Store

    return Store(cache).summary()["last_run"] or {}


def nightly_row(table: Table, runs: int, per_day: int, threads: int | None, work: Path) -> dict:
    repos = build_nightly_repos(work, per_day)
    cache = str(work / "nightly-cache")
    last_day = NIGHTLY_FIRST_DAY + timedelta(days=NIGHTLY_DAYS - 1)
    # --force-model: the bundled model fails its answer check, and the row is about the model path's cache.
    common = ["-q", "--tz", "UTC", "--lang", "en", "--cache-dir", cache, "--output-dir", str(work / "nightly-out"),
              "--force-model"]
    common += ["--threads", str(threads)] if threads else []
    week = [CLI, *[a for r in repos for a in ("--repo", r)], "--since", str(NIGHTLY_FIRST_DAY), "--until",
            str(last_day), *common]
    # One repository-day as a new day of a nightly run: the model loads and analyses it; the model's calibration
    # is already known (it is measured once per model), the day's own analyses are ignored (--refresh).
    one_day = [CLI, "--repo", repos[0], "--since", str(NIGHTLY_FIRST_DAY), "--until", str(NIGHTLY_FIRST_DAY),
               "--refresh", *common]
    print(f"  F3: filling the cache: {NIGHTLY_REPOS} repositories x {NIGHTLY_DAYS} days x {per_day} commits",
          file=sys.stderr, flush=True)
    fill_s = timed(week)
    fill = last_run(cache)
    print(f"  F3: fill took {fill_s:.1f} s, {fill.get('model_analyses')} model analyses", file=sys.stderr, flush=True)
    walls_a, walls_b, cached_runs, cold_runs = [], [], [], []
    timed(week)
    timed(one_day)
    for _ in range(runs):
        walls_a.append(timed(week))
        cached_runs.append(last_run(cache))
        walls_b.append(timed(one_day))
        cold_runs.append(last_run(cache))
    pairs = [x / y for x, y in zip(walls_a, walls_b)]
    m = {"a": statistics.median(walls_a), "b": statistics.median(walls_b), "ratio": statistics.median(pairs),
         "a_runs": walls_a, "b_runs": walls_b, "pair_ratios": pairs}
    loaded = sorted({r.get("model_loaded") for r in cached_runs}, key=str)
    hits = sorted({r.get("cache_hits") for r in cached_runs})
    cold_analyses = sorted({r.get("model_analyses") for r in cold_runs})
    table.add(f"F3 nightly rerun: fully cached {NIGHTLY_REPOS} repositories x {NIGHTLY_DAYS} days / one "
              f"repository-day analysed by the model ({per_day} commits a day)", m["a"], m["b"], "<= 0.5", "s",
              f"{spread(m)}; cached run: model loaded {loaded}, cache hits {hits}; one day: model analyses "
              f"{cold_analyses}; cache fill took {fill_s:.1f} s")
    return {"per_day": per_day, "fill_s": fill_s, "fill": fill, "cached_last_run": cached_runs[-1],
            "one_day_last_run": cold_runs[-1], **m}


def write_results(entry: dict) -> Path:
    """Merge this run's entry into the day's file: rows measured again replace the same rows of an earlier run on
    the same repository and month, the others are kept."""
    target = ROOT / "bench" / "results" / f"{date.today().isoformat()}-{socket.gethostname()}-facts.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    document = json.loads(target.read_text()) if target.exists() else {"runs": []}
    same = lambda r: (r.get("repo"), r.get("month")) == (entry["repo"], entry["month"])  # noqa: E731
    for earlier in filter(same, document["runs"]):
        row_id = lambda r: r["what"].split()[0]  # noqa: E731
        measured = {row_id(r) for r in entry["rows"]}
        entry = {**earlier, **entry, "rows": sorted([r for r in earlier.get("rows", []) if row_id(r) not in measured]
                                                   + entry["rows"], key=row_id)}
    document["runs"] = [r for r in document["runs"] if not same(r)] + [entry]
    target.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", required=True, help="a real clone (bare or not)")
    parser.add_argument("--month", required=True, help="YYYY-MM, the month of row F1")
    parser.add_argument("--rows", default="F0,F1,F2,F3", help="which rows (default F0,F1,F2,F3)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command (default 5)")
    parser.add_argument("--per-day", type=int, default=2, help="F3: commits a day in each repository (default 2)")
    parser.add_argument("--threads", type=int, help="F3: llama.cpp threads (default: offline-report's own)")
    args = parser.parse_args()
    rows = {r.strip().upper() for r in args.rows.split(",") if r.strip()}

    table = Table()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "offline_report")], check=True)
    work = Path(tempfile.mkdtemp(prefix="offline-report-facts-"))
    repo = os.path.abspath(args.repo)
    try:
        entry = {"date": date.today().isoformat(), "host": socket.gethostname(), "python": platform.python_version(),
                 "cpu_count": os.cpu_count(), "repo": repo, "month": args.month, "head": git(repo, "rev-parse", "HEAD")}
        if "F0" in rows:
            entry["F0"] = startup_row(table, args.runs)
        entry.update(cliff_rows(table, repo, args.month, rows, args.runs, work))
        if "F3" in rows:
            entry["F3"] = nightly_row(table, args.runs, args.per_day, args.threads, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(table.render())
    entry.update(rows=table.rows, skipped=table.skipped)
    print(f"\nwritten: {write_results(entry).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
