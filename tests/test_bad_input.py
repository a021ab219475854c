"""Bad input and hostile content: clear errors with exit codes, nothing lost, nothing broken."""

from __future__ import annotations

import errno
import json
import os
import re
import socket
from datetime import date

import pygit2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offline_report.llm import models
from offline_report.rules.analyzer import RuleAnalyzer
from offline_report.git.commits import CommitFacts, FileChange
from offline_report.report.render import render_markdown
from offline_report.report.day import build_day
from offline_report.stats import RunStats

from .support.cli import broken_links, run_cli
from .support.fakes import make_gguf
from .support.gitrepo import RepoBuilder, day_commits, lines

DAY = "2026-02-12"


def report(repo, tmp_path, *extra, fmt="md"):
    out = tmp_path / "out"
    result = run_cli("--repo", str(repo), "--since", DAY, "--until", DAY, "--tz", "UTC", "--no-llm", "-q",
                     "--output-dir", str(out), "--format", fmt, *extra)
    return result, out / f"{DAY}.{fmt}"


@pytest.fixture
def simple_repo(tmp_path):
    b = RepoBuilder(tmp_path / "repo")
    b.commit("feat: one", f"{DAY}T10:00:00+00:00", {"src/a.py": lines(3)})
    return b


# --- repositories and refs -----------------------------------------------------------------------

@pytest.mark.parametrize("make,message", [
    (lambda p: p / "missing", "does not exist"),
    (lambda p: (p / "file.txt").write_text("x") and p / "file.txt", "not a directory"),
    (lambda p: (p / "plain").mkdir() or p / "plain", "not a git repository"),
])
def test_bad_repo_paths_exit_2_with_what_to_do(tmp_path, make, message):
    result, _ = report(make(tmp_path), tmp_path, "--lang", "en")
    assert result.exit_code == 2
    assert message in result.output and "what to do:" in result.output
    assert "Traceback" not in result.output


def test_a_bare_repository_works(tmp_path):
    b = RepoBuilder(tmp_path / "bare.git", bare=True)
    b.commit("fix: in a bare clone", f"{DAY}T10:00:00+00:00", {"a.py": "1\n"})
    result, path = report(tmp_path / "bare.git", tmp_path)
    assert result.exit_code == 0 and "fix: in a bare clone" in path.read_text()
    assert "\n## bare\n" in path.read_text()


def test_an_empty_repository_says_so_and_writes_nothing(tmp_path):
    pygit2.init_repository(str(tmp_path / "empty"))
    result, path = report(tmp_path / "empty", tmp_path, "--no-quiet", "--lang", "en")
    assert result.exit_code == 0 and "has no commits yet" in result.output and not path.exists()
    quiet, _ = report(tmp_path / "empty", tmp_path)  # nothing anyone must act on: cron stays silent
    assert quiet.exit_code == 0 and quiet.output == ""


def test_a_shallow_clone_works_and_says_where_history_ends(tmp_path, simple_repo):
    first = simple_repo.commit("fix: two", f"{DAY}T11:00:00+00:00", {"src/a.py": lines(4)})
    simple_repo.commit("fix: three", f"{DAY}T12:00:00+00:00", {"src/a.py": lines(5)})
    (tmp_path / "repo" / ".git" / "shallow").write_text(f"{first}\n")  # how git records a shallow boundary
    result, path = report(tmp_path / "repo", tmp_path, fmt="json")
    data = json.loads(path.read_text())
    assert result.exit_code == 0
    assert [c["subject"] for c in data["repos"][0]["commits"]] == ["fix: three", "fix: two"]
    assert "浅克隆的边界" in data["repos"][0]["notes"][0]


def test_detached_head_works(tmp_path, simple_repo):
    simple_repo.repo.set_head(simple_repo.head)
    assert simple_repo.repo.head_is_detached
    result, path = report(tmp_path / "repo", tmp_path)
    assert result.exit_code == 0 and "feat: one" in path.read_text()


def test_a_missing_ref_exits_2(tmp_path, simple_repo):
    result, _ = report(tmp_path / "repo", tmp_path, "--ref", "no-such-branch", "--lang", "en")
    assert result.exit_code == 2 and "'no-such-branch' does not exist" in result.output


# --- dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize("args,message", [
    (["--since", "12/02/2026"], "is not a date"),
    (["--since", "2026-02-12", "--until", "2026-02-10"], "is after --until"),
    (["--since", "2024-01-01", "--until", "2026-01-01"], "add --yes"),
    (["--tz", "Mars/Olympus"], "unknown time zone"),
])
def test_bad_dates_exit_2_before_any_work(tmp_path, simple_repo, args, message):
    result = run_cli("--repo", str(tmp_path / "repo"), "--no-llm", "-q", "--output-dir", str(tmp_path / "out"),
                     "--lang", "en", *args)
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "out").exists()


def test_a_long_range_runs_with_yes(tmp_path, simple_repo):
    result = run_cli("--repo", str(tmp_path / "repo"), "--no-llm", "-q", "--output-dir", str(tmp_path / "out"),
                     "--since", "2025-01-01", "--until", "2026-02-12", "--tz", "UTC", "--yes")
    assert result.exit_code == 0 and (tmp_path / "out" / f"{DAY}.md").exists()


# --- models ------------------------------------------------------------------------------------

def model_run(tmp_path, model_path, **env):
    return run_cli("--repo", str(tmp_path / "repo"), "--since", DAY, "--until", DAY, "--tz", "UTC", "-q", "--lang", "en",
                   "--output-dir", str(tmp_path / "out"), "--model", str(model_path), env=env or None)


def test_a_missing_model_exits_3(tmp_path, simple_repo):
    result = model_run(tmp_path, tmp_path / "nope.gguf")
    assert result.exit_code == 3 and "does not exist" in result.output and "models/README.md" in result.output


def test_a_text_file_named_gguf_is_refused(tmp_path, simple_repo):
    fake = tmp_path / "model.gguf"
    fake.write_text("this is not a model\n")
    result = model_run(tmp_path, fake)
    assert result.exit_code == 3 and "not a GGUF model file" in result.output
    assert not (tmp_path / "out").exists()


def test_a_truncated_gguf_is_refused(tmp_path, simple_repo):
    path = make_gguf(tmp_path / "model.gguf")
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) - 1000])
    result = model_run(tmp_path, path)
    assert result.exit_code == 3 and ("truncated" in result.output or "damaged" in result.output)
    assert not (tmp_path / "out").exists()


def test_a_model_larger_than_free_memory_is_refused(tmp_path, simple_repo, monkeypatch):
    monkeypatch.setattr(models, "available_memory", lambda: 1024)
    result = model_run(tmp_path, make_gguf(tmp_path / "model.gguf"))
    assert result.exit_code == 3 and "only 0.0 GiB is free" in result.output and "smaller" in result.output
    assert not (tmp_path / "out").exists()


# --- output ------------------------------------------------------------------------------------

def test_an_unwritable_output_dir_exits_4(tmp_path, simple_repo):
    (tmp_path / "blocker").write_text("x")
    result = run_cli("--repo", str(tmp_path / "repo"), "--since", DAY, "--until", DAY, "--no-llm", "-q", "--lang", "en",
                     "--output-dir", str(tmp_path / "blocker" / "reports"))
    assert result.exit_code == 4 and "cannot write" in result.output and "--stdout" in result.output


def test_a_full_disk_keeps_the_previous_report(tmp_path, simple_repo, monkeypatch):
    result, path = report(tmp_path / "repo", tmp_path)
    before = path.read_text()
    simple_repo.commit("fix: later", f"{DAY}T13:00:00+00:00", {"src/a.py": lines(9)})

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result, path = report(tmp_path / "repo", tmp_path)
    assert result.exit_code == 4 and "No space left on device" in result.output
    assert path.read_text() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind


# --- content -----------------------------------------------------------------------------------

def test_a_commit_touching_ten_thousand_files(tmp_path):
    b = RepoBuilder(tmp_path / "repo")
    b.commit("chore: base", "2026-02-11T10:00:00+00:00", {"README.md": "x\n"})
    b.commit("chore: vendor everything", f"{DAY}T10:00:00+00:00",
             {f"pkg{i % 50}/file{i}.txt": f"{i}\n" for i in range(10_000)})
    result, path = report(tmp_path / "repo", tmp_path, fmt="json")
    commit = json.loads(path.read_text())["repos"][0]["commits"][0]
    assert result.exit_code == 0 and len(commit["files"]) == 10_000 and commit["added"] == 10_000
    assert "10000 个文件" in commit["analysis"]["summary"]


def test_a_fifty_megabyte_text_diff_is_counted_not_diffed(tmp_path):
    b = RepoBuilder(tmp_path / "repo")
    b.commit("chore: base", "2026-02-11T10:00:00+00:00", {"README.md": "x\n"})
    big = b"0123456789abcdef0123456789abcdef0123456789abcdef012\n" * 1_000_000  # 52 MB, 1M lines
    b.commit("data: add a huge fixture", f"{DAY}T10:00:00+00:00", {"data/huge.txt": big})
    del big
    result, path = report(tmp_path / "repo", tmp_path, fmt="json")
    change = json.loads(path.read_text())["repos"][0]["commits"][0]["files"][0]
    assert result.exit_code == 0 and change["large"] and change["added"] == 1_000_000
    decoded = day_commits(tmp_path / "repo", DAY)[date.fromisoformat(DAY)][0]
    assert decoded.patch_texts() == [("data/huge.txt", None)]


def test_binary_submodule_rename_and_odd_authors(tmp_path):
    b = RepoBuilder(tmp_path / "repo")
    b.commit("chore: base", "2026-02-11T10:00:00+00:00", {"src/old.py": lines(30, "keep"), "lib@submodule": "a" * 40})
    files = {k: v for k, v in b.files.items() if k != "src/old.py"}
    files.update({"src/new.py": lines(30, "keep") + "more\n", "img.bin": bytes(range(256)), "lib@submodule": "b" * 40})
    b.files = files
    b.commit("refactor: move, add an image, bump lib", f"{DAY}T10:00:00+00:00", {})
    b.commit("fix: from the future", "2031-01-01T00:00:00+14:00", {"src/new.py": "x\n"})
    result, path = report(tmp_path / "repo", tmp_path, fmt="json")
    commit = json.loads(path.read_text())["repos"][0]["commits"][0]
    by_path = {f["path"]: f for f in commit["files"]}
    assert result.exit_code == 0 and commit["subject"] == "refactor: move, add an image, bump lib"
    assert by_path["src/new.py"]["status"] == "renamed" and by_path["src/new.py"]["old_path"] == "src/old.py"
    assert by_path["img.bin"]["binary"] and by_path["lib"]["submodule"]


def raw_commit(path, tree_entries: bytes, person: bytes, message: bytes):
    """A commit written byte for byte, as old or broken tools leave them (pygit2 refuses to make these)."""
    repo = pygit2.init_repository(str(path), initial_head="main")
    blob = repo.create_blob(b"x\n")
    tree = repo.odb.write(pygit2.enums.ObjectType.TREE, tree_entries + b"\x00" + blob.raw)
    raw = (b"tree " + str(tree).encode() + b"\nauthor " + person + b" 1770890400 +0000\n"
           b"committer " + person + b" 1770890400 +0000\n\n" + message)
    repo.references.create("refs/heads/main", repo.odb.write(pygit2.enums.ObjectType.COMMIT, raw), force=True)


def test_an_author_with_no_email(tmp_path):
    raw_commit(tmp_path / "repo", b"100644 a.txt", b"No Mail <>", b"fix: anonymous\n")
    result, path = report(tmp_path / "repo", tmp_path, fmt="json")
    commit = json.loads(path.read_text())["repos"][0]["commits"][0]
    assert result.exit_code == 0 and (commit["author"], commit["email"]) == ("No Mail", "")


def test_non_utf8_bytes_in_message_author_and_paths(tmp_path):
    raw_commit(tmp_path / "repo", b"100644 caf\xe9.txt", b"Jos\xe9 <j@example.com>", b"fix: caf\xe9 \xff\xfe | <b>\n")
    result, path = report(tmp_path / "repo", tmp_path)
    text = path.read_text(encoding="utf-8")
    assert result.exit_code == 0 and "caf\ufffd" in text and "Jos\ufffd" in text and "<b>" not in text
    json_result, json_path = report(tmp_path / "repo", tmp_path, fmt="json")
    assert json.loads(json_path.read_text())["repos"][0]["commits"][0]["files"][0]["path"] == "caf\ufffd.txt"


def facts_with(message: str, author: str) -> CommitFacts:
    from datetime import datetime, timezone

    return CommitFacts.from_message(sha="ab" * 20, author=author, email="x@y",
                                    time=datetime(2026, 2, 12, tzinfo=timezone.utc), message=message,
                                    files=[FileChange("src/a.py", "modified", 3, 1)])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=400), st.text(max_size=40))
def test_any_message_keeps_the_report_structure(message, author):
    analyzer = RuleAnalyzer("zh", RunStats())
    entries = analyzer.analyze_day([facts_with(message, author)])
    text = render_markdown(build_day(date(2026, 2, 12), "zh", "UTC", [("acme/x", "/x", entries)]))
    rows = [line for line in text.splitlines() if line.startswith("| 2026-")]
    assert len(rows) == 1 and len(re.findall(r"(?<!\\)\|", rows[0])) == 4
    assert [line for line in text.splitlines() if line.startswith("# ")] == [text.splitlines()[0]]
    assert text.count("\n#### ") == 1 and broken_links(text) == []


# --- no network, ever --------------------------------------------------------------------------

@pytest.mark.real_model
def test_the_whole_cli_runs_with_sockets_forbidden(tmp_path, simple_repo, monkeypatch):
    bundled = models.bundled_model_path()
    if bundled is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install the tiny model")
        pytest.skip("the bundled model is not installed")

    def no_network(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    result = run_cli("--repo", str(tmp_path / "repo"), "--since", DAY, "--until", DAY, "--tz", "UTC", "-q",
                     "--lang", "en", "--output-dir", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "c"),
                     "--format", "json", "--threads", "2", "--force-model")
    assert result.exit_code == 0, result.output
    run = json.loads((tmp_path / "out" / f"{DAY}.json").read_text())["run"]
    assert run["model_loaded"] and run["model_calls"] >= 1
