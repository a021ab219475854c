"""Clones as teams keep them: partial, shallow, bare, worktree and mailmapped clones give a true report.

Each clone is made with the real `git` command from a source repository that serves filters, then cut off
from it (origin points to a path that does not exist) and reported with sockets forbidden: nothing fetches.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from offline_report.rules.analyzer import contents_key
from offline_report.git.commits import FileChange
from offline_report.llm.prompts import commit_facts_text
from offline_report.rules.classify import classify

from .support.cli import run_cli
from .support.facts import facts
from .support.fakes import FakeEngine, make_gguf
from .support.gitrepo import RepoBuilder, lines

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")

DAY = "2026-02-12"
NOWHERE = "/nonexistent/x"
# The two commits of the day, as `git show --numstat` counts them.
TUNE = {"src/parser.py": (14, 4), "data/big.dat": (40, 0)}
CACHE = {"src/cache.py": (12, 0)}


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any socket use fails the run: a clone's promisor remote must never be contacted."""
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    for name in ("socket", "create_connection", "getaddrinfo"):
        monkeypatch.setattr(socket, name, refuse)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A repository with a large history before the day and two commits on it; it serves filtered clones."""
    path = tmp_path_factory.mktemp("source") / "widgets"
    b = RepoBuilder(path)
    history = {f"lib/m{i:03d}.py": lines(300, f"m{i}") for i in range(60)}
    history.update({"src/parser.py": lines(40, "p"), "data/big.dat": lines(100, "big row"),
                    ".mailmap": "Bob Builder <bob@example.com> <bob@old.example>\n"})
    b.commit("chore: import the code base", "2026-02-10T08:00:00+00:00", history)
    b.commit("docs: readme", "2026-02-11T08:00:00+00:00", {"README.md": "widgets\n"})
    parser = lines(40, "p").splitlines(keepends=True)
    parser = parser[:10] + [f"new {i}\n" for i in range(14)] + parser[14:]  # 4 lines replaced by 14
    b.commit("fix(parser): tune the parser", f"{DAY}T10:00:00+00:00",
             {"src/parser.py": "".join(parser), "data/big.dat": lines(140, "big row")},
             author=("Bob Old", "bob@old.example"))
    b.commit("feat: add a cache", f"{DAY}T12:00:00+00:00", {"src/cache.py": lines(12, "c")})
    b.repo.config["uploadpack.allowFilter"] = True
    b.repo.config["uploadpack.allowAnySHA1InWant"] = True
    return path


def clone(source: Path, tmp_path: Path, *options: str, name: str = "clone") -> Path:
    target = tmp_path / name
    git("clone", "-q", "--no-local", *options, str(source), str(target))
    git("remote", "set-url", "origin", NOWHERE, cwd=target)
    return target


def objects(repo: Path) -> str:
    """What the clone's object store holds; the same before and after a run when nothing was fetched."""
    return git("count-objects", "-v", cwd=repo)


def report(repo: Path, tmp_path: Path, lang: str = "en") -> tuple[object, dict, str]:
    out = tmp_path / "out"
    before = objects(repo)
    result = run_cli("--repo", str(repo), "--since", DAY, "--until", DAY, "--tz", "UTC", "--no-llm", "-q",
                     "--lang", lang, "--output-dir", str(out), "--format", "json", "--no-cache")
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    assert objects(repo) == before  # nothing was fetched
    data = json.loads((out / f"{DAY}.json").read_text())
    return result, data["repos"][0], result.output


def by_subject(repo: dict) -> dict[str, dict]:
    return {c["subject"]: c for c in repo["commits"]}


def assert_every_commit_reported(repo: dict) -> dict[str, dict]:
    commits = by_subject(repo)
    assert set(commits) == {"fix(parser): tune the parser", "feat: add a cache"}
    return commits


def assert_true_counts(commit: dict, expected: dict[str, tuple[int, int]]) -> None:
    """Known line counts are the real ones; unknown ones are null, never zero and never the whole tree."""
    files = {f["path"]: f for f in commit["files"]}
    assert set(files) == set(expected)
    for path, (added, removed) in expected.items():
        assert files[path]["added"] in (added, None) and files[path]["removed"] in (removed, None)
        assert (files[path]["added"] is None) == (files[path]["removed"] is None)
    if commit["contents"] == "complete":
        assert (commit["added"], commit["removed"]) == tuple(map(sum, zip(*expected.values())))
    else:
        assert commit["added"] is None and commit["removed"] is None


def test_the_source_itself_is_complete(source, tmp_path):
    _, repo, output = report(source, tmp_path)
    commits = assert_every_commit_reported(repo)
    assert all(c["contents"] == "complete" and c["contents_reason"] is None for c in commits.values())
    assert_true_counts(commits["fix(parser): tune the parser"], TUNE)
    assert repo["notes"] == [] and "warning" not in output


def test_a_blobless_clone_reports_files_and_kinds_with_unknown_line_counts(source, tmp_path):
    target = clone(source, tmp_path, "--filter=blob:none")
    _, repo, output = report(target, tmp_path)
    commits = assert_every_commit_reported(repo)
    tune = commits["fix(parser): tune the parser"]
    assert tune["contents"] == "partial" and tune["contents_reason"] == "missing_blobs"
    assert_true_counts(tune, TUNE)
    assert {f["status"] for f in tune["files"]} == {"modified"}
    assert_true_counts(commits["feat: add a cache"], CACHE)  # its blob came with the checkout
    partial = sum(c["contents"] == "partial" for c in commits.values())
    many = partial != 1
    assert repo["notes"] == [f"{partial} {'commits of this day are' if many else 'commit of this day is'} only partly "
                             "in this clone (a partial clone: file contents were not fetched). "
                             f"{'Their' if many else 'Its'} files and change kinds are listed; "
                             f"{'their' if many else 'its'} line counts and the facts read from the diff are unknown, "
                             "not zero."]
    assert f"warning: {target}: {partial} {'commits are' if many else 'commit is'} reported without all their " \
           "contents" in output
    # The rules do not read unknown as small, and the low line does not print a size it does not know.
    for commit in commits.values():
        assert not any(reason["code"] == "small_change" for reason in commit["importance_reasons"])


def test_a_blob_size_filtered_clone_knows_all_but_the_large_file(source, tmp_path):
    target = clone(source, tmp_path, "--filter=blob:limit=1k")
    _, repo, _ = report(target, tmp_path)
    tune = assert_every_commit_reported(repo)["fix(parser): tune the parser"]
    assert tune["contents"] == "partial"
    files = {f["path"]: f for f in tune["files"]}
    assert (files["src/parser.py"]["added"], files["src/parser.py"]["removed"]) == (14, 4)
    assert files["data/big.dat"]["added"] is None
    assert_true_counts(tune, TUNE)


def test_a_treeless_clone_reports_commits_from_their_message(source, tmp_path):
    target = clone(source, tmp_path, "--filter=tree:0")
    _, repo, output = report(target, tmp_path, lang="zh")
    commits = assert_every_commit_reported(repo)
    for commit in commits.values():
        assert commit["contents"] == "absent" and commit["contents_reason"] == "missing_trees"
        assert commit["files"] is None and commit["facts"] is None and commit["added"] is None
        assert commit["author"] and commit["message"]
    assert commits["fix(parser): tune the parser"]["change_type"] == "fix"  # from the message alone
    assert repo["notes"] == ["本日有 2 个提交在本克隆中没有文件列表（其树对象未被拉取），只能依据提交信息报告。"]
    assert "2 个提交在报告中缺少部分内容（部分克隆" in output


def test_a_shallow_clone_never_diffs_its_boundary_commit_against_the_empty_tree(source, tmp_path):
    target = clone(source, tmp_path, "--depth", "2")
    _, repo, output = report(target, tmp_path)
    commits = assert_every_commit_reported(repo)
    boundary = commits["fix(parser): tune the parser"]
    assert boundary["contents"] == "absent" and boundary["contents_reason"] == "shallow_boundary"
    assert boundary["files"] is None and boundary["added"] is None and boundary["removed"] is None
    assert boundary["importance"] == "medium"  # a fix, from its message; not "large change" of 60 files
    assert not any("large" in reason["code"] for reason in boundary["importance_reasons"])
    assert_true_counts(commits["feat: add a cache"], CACHE)
    assert commits["feat: add a cache"]["contents"] == "complete"
    assert any("shallow boundary: the walk reached" in note or "shallow clone" in note for note in repo["notes"])
    assert ("1 commit of this day sits on the shallow boundary: its parent is not in this clone, so its diff is "
            "unknown and it is reported from its message alone.") in repo["notes"]
    assert "1 commit is reported without all their contents (shallow clone" in output


def test_a_bare_blobless_clone_works(source, tmp_path):
    target = clone(source, tmp_path, "--bare", "--filter=blob:none", name="widgets.git")
    _, repo, _ = report(target, tmp_path)
    assert repo["name"] == "widgets"
    commits = assert_every_commit_reported(repo)
    assert all(c["contents"] == "partial" for c in commits.values())  # no checkout: no blob at all
    assert_true_counts(commits["fix(parser): tune the parser"], TUNE)


def test_a_partial_commit_is_read_again_by_the_next_run_and_a_complete_one_is_kept(source, tmp_path, monkeypatch):
    """Only a commit this clone held in full is kept in the cache: the blobs a partial one lacked may be there
    by the next night."""
    from offline_report.git import commits as decoding

    target = clone(source, tmp_path, "--filter=blob:none")
    decoded = []
    real = decoding._decode_changes
    monkeypatch.setattr(decoding, "_decode_changes", lambda *args: decoded.append(args[1].id) or real(*args))
    runs = []
    for out in ("first", "again"):
        decoded.clear()
        result = run_cli("--repo", str(target), "--since", DAY, "--until", DAY, "--tz", "UTC", "--no-llm", "-q",
                         "--output-dir", str(tmp_path / out), "--format", "json", "--cache-dir", str(tmp_path / "c"))
        assert result.exit_code == 0, result.output
        runs.append((len(decoded), by_subject(json.loads((tmp_path / out / f"{DAY}.json").read_text())["repos"][0])))
    (first, commits), (again, commits_again) = runs
    partial = sum(c["contents"] == "partial" for c in commits.values())
    assert first == len(commits) == 2 and 0 < partial < first
    assert again == partial and commits_again == commits


def test_a_worktree_of_a_blobless_clone_works(source, tmp_path):
    target = clone(source, tmp_path, "--filter=blob:none")
    git("worktree", "add", "-q", "--detach", str(tmp_path / "side"), "HEAD", cwd=target)
    _, repo, _ = report(tmp_path / "side", tmp_path)
    commits = assert_every_commit_reported(repo)
    assert_true_counts(commits["fix(parser): tune the parser"], TUNE)


def test_mailmap_names_people_as_git_log_does(source, tmp_path):
    target = clone(source, tmp_path)
    _, repo, _ = report(target, tmp_path)
    shown = git("log", "--use-mailmap", "--format=%s|%aN|%aE", "-2", cwd=target).splitlines()
    expected = {line.split("|")[0]: tuple(line.split("|")[1:]) for line in shown}
    assert expected["fix(parser): tune the parser"] == ("Bob Builder", "bob@example.com")
    for subject, commit in by_subject(repo).items():
        assert (commit["author"], commit["email"]) == expected[subject]


def test_unknown_is_never_small_and_the_prompt_says_the_diff_is_absent():
    partial = facts("chore: tidy", [FileChange("src/a.py", "modified", None, None)])
    partial.contents, partial.contents_reason = "partial", "missing_blobs"
    assert partial.added is None and not partial.lines_known
    assert "small_change" not in [r.code for r in classify(partial).reasons]
    assert "contents absent" in commit_facts_text(partial, classify(partial))
    absent = facts("chore: tidy", [])
    absent.contents, absent.contents_reason = "absent", "shallow_boundary"
    text = commit_facts_text(absent, classify(absent))
    assert "files and diff: absent" in text and "message alone" in text
    assert contents_key(absent) == ("absent", "shallow_boundary")
    assert contents_key(facts("chore: tidy", [FileChange("a.py", "modified", 1, 1)])) == ()


class CountingEngine(FakeEngine):
    def __init__(self, info, settings):
        super().__init__()


def test_analyses_made_without_contents_are_redone_once_the_objects_arrive(source, tmp_path, monkeypatch):
    target = clone(source, tmp_path, "--depth", "2")
    model = make_gguf(tmp_path / "model.gguf")

    def run() -> dict:
        out = tmp_path / "out"
        result = run_cli("--repo", str(target), "--since", DAY, "--until", DAY, "--tz", "UTC", "--lang", "en",
                         "--output-dir", str(out), "--cache-dir", str(tmp_path / "cache"), "--model", model, "-q",
                         "--format", "json", engine_factory=CountingEngine)
        assert result.exit_code == 0, result.output
        return json.loads((out / f"{DAY}.json").read_text())

    first = run()
    assert first["run"]["model_calls"] >= 2
    assert run()["run"]["model_calls"] == 0  # same clone, same state: from the cache
    monkeypatch.undo()  # sockets back for git itself; the run below is local too
    git("remote", "set-url", "origin", str(source), cwd=target)
    git("fetch", "-q", "--unshallow", cwd=target)
    git("remote", "set-url", "origin", NOWHERE, cwd=target)
    third = run()
    commits = by_subject(third["repos"][0])
    assert commits["fix(parser): tune the parser"]["contents"] == "complete"
    assert_true_counts(commits["fix(parser): tune the parser"], TUNE)
    cached = {c["subject"]: c["analysis"]["from_cache"] for c in third["repos"][0]["commits"]}
    assert cached == {"fix(parser): tune the parser": False, "feat: add a cache": True}
