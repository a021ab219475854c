"""The first run shows a report: --last, an empty window that points to the commits, the plan line, what to open."""

from __future__ import annotations

from datetime import date

from offline_report.llm.model_analyzer import ModelAnalyzer
from offline_report.cache import Store
from offline_report.llm import models
from offline_report.llm.session import ModelOptions, LocalSession
from offline_report.stats import RunStats

from .support.cli import run_cli
from .support.fakes import FakeEngine, make_gguf
from .support.gitrepo import RepoBuilder, day_commits, lines


def old_repo(path, name="acme"):
    b = RepoBuilder(path, remote=f"https://github.com/{name}/widgets.git")
    b.commit("feat: first", "2026-01-05T10:00:00+00:00", {"src/a.py": lines(5)})
    b.commit("fix: second", "2026-01-07T09:00:00+00:00", {"src/a.py": lines(6)})
    b.commit("docs: third", "2026-01-07T11:00:00+00:00", {"README.md": "x\n"})
    return path


def test_last_one_reports_the_newest_day_with_commits(tmp_path):
    repo = old_repo(tmp_path / "repo")
    out = tmp_path / "out"
    result = run_cli("--repo", str(repo), "--last", "1", "--tz", "UTC", "--no-llm", "--output-dir", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["2026-01-07.md"]
    assert f"{out / '2026-01-07.md'}" in result.output  # the run names what to open


def test_last_is_per_repository(tmp_path):
    first = old_repo(tmp_path / "a", "acme")
    second = RepoBuilder(tmp_path / "b", remote="https://github.com/acme/other.git")
    second.commit("feat: other", "2026-01-05T12:00:00+00:00", {"x.py": "1\n"})
    out = tmp_path / "out"
    result = run_cli("--repo", str(first), "--repo", str(tmp_path / "b"), "--last", "1", "--tz", "UTC", "--no-llm",
                     "--output-dir", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["2026-01-05.md", "2026-01-07.md"]
    assert "acme/widgets" not in (out / "2026-01-05.md").read_text()  # widgets' own last day is the 7th


def test_an_empty_window_names_the_newest_commit_in_each_language(tmp_path):
    repo = old_repo(tmp_path / "repo")
    common = ["--repo", str(repo), "--since", "2026-02-01", "--until", "2026-02-03", "--tz", "UTC", "--no-llm",
              "--output-dir", str(tmp_path / "out")]
    en = run_cli(*common, "--lang", "en")
    assert en.exit_code == 0
    assert ("no commits from 2026-02-01 to 2026-02-03 on HEAD of acme/widgets; the newest is from 2026-01-07 "
            "(try --since 2026-01-07 or --last 1)") in en.output
    zh = run_cli(*common, "--lang", "zh")
    assert zh.exit_code == 0 and "最新的提交在 2026-01-07" in zh.output and "--last 1" in zh.output


def test_last_with_since_is_a_usage_error(tmp_path):
    result = run_cli("--repo", str(old_repo(tmp_path / "repo")), "--last", "1", "--since", "2026-01-01", "--no-llm")
    assert result.exit_code == 2 and "--last" in result.output


def test_the_plan_names_the_model_the_time_and_the_cheaper_choices(tmp_path):
    repo = old_repo(tmp_path / "repo")
    commits = day_commits(repo, "2026-01-07")[date(2026, 1, 7)]
    store = Store(tmp_path / "cache")
    session = LocalSession(models.ModelCandidate(make_gguf(tmp_path / "m.gguf"), "--model"), ModelOptions(),
                           store, RunStats(), engine_factory=lambda info, settings: FakeEngine())
    analyzer = ModelAnalyzer("en", session.stats, session, store)
    line = analyzer.plan(commits)
    assert "2 commits over 1 day(s)" in line and "tiny-test" in line and "estimated from the model's size" in line
    assert "--no-llm" not in line  # a short run needs no advice
    store.set(120.0, "speed", session.fingerprint)
    long = analyzer.plan(commits)
    assert "120.0 s per commit, measured" in long and "about 4 min" in long
    assert "--no-llm" in long and "--last 1" in long and "--server" in long
    store.set(2.0, "speed", session.fingerprint)
    short = analyzer.plan(commits)
    assert "2.0 s per commit, measured" in short and "about 4 s" in short and "--no-llm" not in short
