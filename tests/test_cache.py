"""Incremental, resumable runs: the cache, resume state, locking, and the cache commands."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from offline_report.llm.answer_check import CHECK_SAMPLES


from .support.cli import run_cli as run_cli_with
from .support.fakes import FakeEngine, make_gguf
from .support.gitrepo import RepoBuilder, lines

DAY = "2026-02-12"
ROOT = Path(__file__).resolve().parent.parent


class CountingEngine(FakeEngine):
    loads = 0

    def __init__(self, info, settings):
        super().__init__()
        CountingEngine.loads += 1


@pytest.fixture
def fake_llama():
    CountingEngine.loads = 0
    return CountingEngine


def run_cli(*args: str):
    """The CLI with the counting stand-in in place of llama.cpp."""
    return run_cli_with(*args, engine_factory=CountingEngine)


@pytest.fixture
def day_repo(tmp_path):
    b = RepoBuilder(tmp_path / "repo", remote="https://github.com/acme/widgets.git")
    b.commit("chore: base", "2026-02-11T08:00:00+00:00", {"src/app.py": lines(10)})
    subjects = ["feat: add the export command", "fix: handle empty input", "docs: explain the cache",
                "refactor: split the parser", "test: cover unicode paths", "feat!: drop the v1 format"]
    for i, subject in enumerate(subjects):
        b.commit(subject, f"{DAY}T{9 + i:02d}:00:00+00:00", {f"src/m{i}.py": lines(20 + 30 * i, f"v{i}")})
    return tmp_path / "repo"


def cli_args(repo, out, cache, model, *extra):
    return ["--repo", str(repo), "--since", DAY, "--until", DAY, "--tz", "UTC", "--lang", "en",
            "--output-dir", str(out), "--cache-dir", str(cache), "--model", str(model), "-q", *extra]


def model_file(tmp_path) -> str:
    """One model file per test: writing it again would change its fingerprint."""
    path = tmp_path / "model.gguf"
    return str(path) if path.exists() else make_gguf(path)


def run_json(repo, tmp_path, cache="cache", model=None, *extra):
    model = model or model_file(tmp_path)
    out = tmp_path / "out"
    result = run_cli(*cli_args(repo, out, tmp_path / cache, model, "--format", "json", *extra))
    assert result.exit_code == 0, result.output
    return json.loads((out / f"{DAY}.json").read_text())


def test_rerun_makes_no_model_calls_and_never_loads_the_model(day_repo, tmp_path, fake_llama):
    first = run_json(day_repo, tmp_path)
    assert first["run"]["model_loaded"] and first["run"]["model_analyses"] == 6 and fake_llama.loads == 1
    second = run_json(day_repo, tmp_path)
    assert fake_llama.loads == 1
    assert second["run"]["model_loaded"] is False and second["run"]["model_calls"] == 0
    assert second["run"]["cache_hits"] == 6
    assert all(c["analysis"]["from_cache"] for c in second["repos"][0]["commits"])
    strip = lambda data: [{k: v for k, v in c["analysis"].items() if k != "from_cache"}
                          for c in data["repos"][0]["commits"]]
    assert strip(first) == strip(second)


def test_model_change_language_and_refresh_miss_the_cache(day_repo, tmp_path, fake_llama):
    run_json(day_repo, tmp_path)
    other_model = make_gguf(tmp_path / "other.gguf", name="another-model")
    assert run_json(day_repo, tmp_path, "cache", other_model)["run"]["cache_hits"] == 0
    assert run_json(day_repo, tmp_path, "cache", None, "--lang", "zh")["run"]["cache_hits"] == 0
    assert run_json(day_repo, tmp_path, "cache", None, "--refresh")["run"]["cache_hits"] == 0
    assert run_json(day_repo, tmp_path)["run"]["cache_hits"] == 6


def test_cache_stats_and_clear(day_repo, tmp_path, fake_llama):
    run_json(day_repo, tmp_path)
    run_json(day_repo, tmp_path)
    stats = run_cli("--lang", "en", "cache", "stats", "--cache-dir", str(tmp_path / "cache"))
    assert stats.exit_code == 0 and "hit rate 100%" in stats.output
    entries = int(stats.output.split("entries: ")[1].split(",")[0])
    assert entries >= 6
    cleared = run_cli("--lang", "en", "cache", "clear", "--cache-dir", str(tmp_path / "cache"))
    assert cleared.exit_code == 0 and f"removed {entries} entries" in cleared.output
    assert "entries: 0," in run_cli("--lang", "en", "cache", "stats", "--cache-dir", str(tmp_path / "cache")).output
    assert run_json(day_repo, tmp_path)["run"]["cache_hits"] == 0


def standin_process(log: Path, delay: float, args: list[str]) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "tests.support.standin_run", str(log), str(delay), "--", *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def report_without_footer(path: Path) -> str:
    return "\n".join(line for line in path.read_text().splitlines() if not line.startswith("<sub>"))


def test_a_killed_run_loses_nothing_and_the_rerun_finishes_the_rest(day_repo, tmp_path, fake_llama):
    model = model_file(tmp_path)
    log = tmp_path / "completions.log"
    process = standin_process(log, 0.5, cli_args(day_repo, tmp_path / "out", tmp_path / "cache", model))
    deadline = time.monotonic() + 60
    wanted = len(CHECK_SAMPLES) + 3  # the answer check's completions, then three commits asked: two are cached
    while time.monotonic() < deadline and (not log.exists() or len(log.read_text().splitlines()) < wanted):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert len(log.read_text().splitlines()) >= wanted, process.stderr.read().decode()
    assert not (tmp_path / "out" / f"{DAY}.md").exists()  # killed before the day was written

    resumed = run_cli(*cli_args(day_repo, tmp_path / "out", tmp_path / "cache", model, "--format", "json"))
    run = json.loads((tmp_path / "out" / f"{DAY}.json").read_text())["run"]
    assert resumed.exit_code == 0
    assert run["cache_hits"] >= 2 and run["cache_hits"] + run["model_analyses"] == 6
    assert run["model_analyses"] == 6 - run["cache_hits"] < 6

    run_cli(*cli_args(day_repo, tmp_path / "out", tmp_path / "cache", model))
    run_cli(*cli_args(day_repo, tmp_path / "fresh-out", tmp_path / "fresh-cache", model))
    assert report_without_footer(tmp_path / "out" / f"{DAY}.md") == \
        report_without_footer(tmp_path / "fresh-out" / f"{DAY}.md")


def test_two_runs_at_once_both_finish_and_the_reports_are_whole(day_repo, tmp_path):
    model = model_file(tmp_path)
    args = cli_args(day_repo, tmp_path / "out", tmp_path / "cache", model, "--format", "json")
    first = standin_process(tmp_path / "a.log", 0.1, args)
    second = standin_process(tmp_path / "b.log", 0.1, args)
    assert first.wait(timeout=120) == 0, first.stderr.read().decode()
    assert second.wait(timeout=120) == 0, second.stderr.read().decode()
    data = json.loads((tmp_path / "out" / f"{DAY}.json").read_text())
    assert data["repos"][0]["stats"]["total"] == 6
    logs = [len(p.read_text().splitlines()) if p.exists() else 0 for p in (tmp_path / "a.log", tmp_path / "b.log")]
    # the second waited for the lock, then found everything cached (the first also made the answer check)
    assert sorted(logs) == [0, 6 + len(CHECK_SAMPLES) + 1]  # and the overview paragraph
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_a_held_lock_times_out_with_exit_code_5(day_repo, tmp_path):
    from filelock import FileLock

    (tmp_path / "cache").mkdir()
    with FileLock(str(tmp_path / "cache" / ".offline-report.lock")):
        result = run_cli("--repo", str(day_repo), "--since", DAY, "--until", DAY, "--no-llm", "-q",
                         "--cache-dir", str(tmp_path / "cache"), "--output-dir", str(tmp_path / "out"),
                         "--lock-timeout", "0.2", "--lang", "en")
    assert result.exit_code == 5 and "another offline-report run" in result.output


def test_without_since_a_run_continues_after_the_last_completed_day(tmp_path):
    today = datetime.now(timezone.utc).date()
    b = RepoBuilder(tmp_path / "repo")
    for back in (4, 3, 2, 1):
        day = today - timedelta(days=back)
        b.commit(f"fix: work of {day}", f"{day.isoformat()}T12:00:00+00:00", {"a.py": f"{back}\n"})
    out = tmp_path / "out"
    common = ["--repo", str(tmp_path / "repo"), "--tz", "UTC", "--no-llm", "--format", "json", "--output-dir",
              str(out), "--empty-days", "-q", "--cache-dir", str(tmp_path / "cache")]

    def written(*extra):
        for old in out.glob("*.json"):
            old.unlink()
        assert run_cli(*common, *extra).exit_code == 0
        return sorted(p.stem for p in out.glob("*.json"))

    def days_back(*counts):
        return [(today - timedelta(days=n)).isoformat() for n in counts]

    assert written("--since", days_back(3)[0], "--until", days_back(2)[0]) == days_back(3, 2)
    preview = [a for a in common if a not in ("--output-dir", str(out))]
    assert run_cli(*preview, "--stdout", "--since", days_back(1)[0]).exit_code == 0
    assert written() == days_back(1, 0)  # the --stdout preview did not move the resume point
    assert written() == days_back(0)  # yesterday is complete now; today is not, so it is done again
    assert len(written("--since", days_back(4)[0])) == 5
    other = run_cli(*common, "--output-dir", str(tmp_path / "html"), "--format", "html")
    assert other.exit_code == 0  # another output starts its own record: the first run covers today
    assert sorted(p.stem for p in (tmp_path / "html").glob("20*.html")) == days_back(0)


def test_a_cache_dir_that_cannot_be_created_is_a_clear_error(day_repo, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    result = run_cli("--repo", str(day_repo), "--since", DAY, "--until", DAY, "--no-llm", "-q",
                     "--cache-dir", str(blocker / "cache"), "--output-dir", str(tmp_path / "out"), "--lang", "en")
    assert result.exit_code == 4
    assert "cannot open the cache" in result.output and "--no-cache" in result.output
    no_cache = run_cli("--repo", str(day_repo), "--since", DAY, "--until", DAY, "--no-llm", "-q", "--no-cache",
                       "--output-dir", str(tmp_path / "out"))
    assert no_cache.exit_code == 0 and (tmp_path / "out" / f"{DAY}.md").exists()


def test_the_overview_paragraph_comes_from_a_model_that_passed_its_check_and_is_cached(day_repo, tmp_path, fake_llama):
    first = run_json(day_repo, tmp_path)
    summary = first["repos"][0]["overview"]["summary"]
    assert summary["source"] == "model" and summary["text"]
    again = run_json(day_repo, tmp_path)
    assert again["repos"][0]["overview"]["summary"] == summary and again["run"]["model_calls"] == 0
    out = tmp_path / "rules-out"
    rules = run_cli(*cli_args(day_repo, out, tmp_path / "cache", model_file(tmp_path), "--format", "json", "--no-llm"))
    assert rules.exit_code == 0
    assert json.loads((out / f"{DAY}.json").read_text())["repos"][0]["overview"]["summary"] is None
