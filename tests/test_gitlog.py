"""Commit collection: day windows and time zones, the early stop, merges, renames, binary files."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from offline_report.git.log import WalkStats

from .support.cli import run_cli
from .support.gitrepo import RepoBuilder, day_commits, lines


def subjects(buckets):
    return {day.isoformat(): [c.message.split("\n")[0] for c in commits] for day, commits in buckets.items()}


def test_late_evening_commit_belongs_to_its_local_day(tmp_path):
    b = RepoBuilder(tmp_path / "r")
    b.commit("base", "2026-02-10T12:00:00+08:00", {"a": "1\n"})
    b.commit("late", "2026-02-12T23:30:00+08:00", {"a": "2\n"})
    shanghai = day_commits(tmp_path / "r", "2026-02-11", "2026-02-12", "Asia/Shanghai")
    utc = day_commits(tmp_path / "r", "2026-02-11", "2026-02-12", "UTC")
    assert subjects(shanghai) == {"2026-02-11": [], "2026-02-12": ["late"]}
    assert subjects(utc) == {"2026-02-11": [], "2026-02-12": ["late"]}  # 15:30 UTC, the same day
    # 01:30 +08:00 is 17:30 UTC on the previous day.
    b.commit("early", "2026-02-13T01:30:00+08:00", {"a": "3\n"})
    utc = day_commits(tmp_path / "r", "2026-02-12", "2026-02-13", "UTC")
    shanghai = day_commits(tmp_path / "r", "2026-02-12", "2026-02-13", "Asia/Shanghai")
    assert subjects(utc) == {"2026-02-12": ["early", "late"], "2026-02-13": []}
    assert subjects(shanghai) == {"2026-02-12": ["late"], "2026-02-13": ["early"]}


def test_extreme_offsets_are_placed_by_their_instant(tmp_path):
    b = RepoBuilder(tmp_path / "r")
    b.commit("west", "2026-03-01T23:00:00-12:00", {"a": "1\n"})
    b.commit("east", "2026-03-02T00:30:00+14:00", {"a": "2\n"})
    utc = day_commits(tmp_path / "r", "2026-03-01", "2026-03-02")
    assert subjects(utc) == {"2026-03-01": ["east"], "2026-03-02": ["west"]}


def test_walk_stops_early_instead_of_walking_all_history(tmp_path):
    b = RepoBuilder(tmp_path / "r")
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    for i in range(400):
        b.commit(f"c{i}", start + timedelta(hours=6 * i), {"a": f"{i}\n"})
    last_day = (start + timedelta(hours=6 * 399)).date()
    walk = WalkStats()
    buckets = day_commits(tmp_path / "r", last_day.isoformat(), walk=walk)
    assert len(buckets[last_day]) == 4
    assert walk.visited <= 4 + 4 * 3 + 2  # the day, the skew margin of two days, and the stopping commit


def test_walk_tolerates_clock_skew_between_parent_and_child(tmp_path):
    b = RepoBuilder(tmp_path / "r")
    b.commit("base", "2026-01-01T00:00:00+00:00", {"a": "0\n"})
    b.commit("in range", "2026-02-12T10:00:00+00:00", {"a": "1\n"})
    b.commit("child with a slow clock", "2026-02-11T22:00:00+00:00", {"a": "2\n"})
    buckets = day_commits(tmp_path / "r", "2026-02-12", "2026-02-12")
    assert subjects(buckets) == {"2026-02-12": ["in range"]}


def test_merge_is_diffed_against_first_parent_and_no_merges_drops_it(tmp_path):
    b = RepoBuilder(tmp_path / "r")
    base = b.commit("base", "2026-02-12T01:00:00+00:00", {"a.py": "a\n"})
    side = b.commit("side", "2026-02-12T02:00:00+00:00", {"side.py": lines(5)}, update_head=False)
    main = b.commit("main work", "2026-02-12T03:00:00+00:00", {"m.py": lines(2)})
    merge_files = dict(b.files, **{"side.py": lines(5)})
    b.commit("Merge branch 'side'", "2026-02-12T04:00:00+00:00", merge_files, parents=[main, side])
    buckets = day_commits(tmp_path / "r", "2026-02-12", "2026-02-12")
    merge = buckets[date(2026, 2, 12)][0]
    facts = merge
    assert facts.is_merge and [f.path for f in facts.files] == ["side.py"] and facts.added == 5
    no_merges = day_commits(tmp_path / "r", "2026-02-12", "2026-02-12", no_merges=True)
    assert "Merge branch 'side'" not in subjects(no_merges)["2026-02-12"]
    assert base is not None


def moving_things(path, added: str, subject: str = "move things") -> None:
    """A base commit, then one that renames a file (adding `added` to it), adds a binary and deletes a file."""
    b = RepoBuilder(path)
    body = lines(40, "stable content")
    b.commit("base", "2026-02-12T01:00:00+00:00", {"old/name.py": body, "gone.txt": "x\n"})
    files = {k: v for k, v in b.files.items() if k != "old/name.py"}
    files["new/name.py"] = body + added
    files["logo.png"] = bytes(range(256)) * 4
    b.files = files
    b.commit(subject, "2026-02-12T02:00:00+00:00", {}, delete=("gone.txt",))


def test_renames_binary_files_and_statuses(tmp_path):
    moving_things(tmp_path / "r", "one more\n")
    buckets = day_commits(tmp_path / "r", "2026-02-12", "2026-02-12")
    facts = buckets[date(2026, 2, 12)][0]
    by_path = {f.path: f for f in facts.files}
    assert by_path["new/name.py"].status == "renamed" and by_path["new/name.py"].old_path == "old/name.py"
    assert (by_path["new/name.py"].added, by_path["new/name.py"].removed) == (1, 0)
    assert by_path["logo.png"].binary and by_path["logo.png"].status == "added"
    assert by_path["gone.txt"].status == "deleted" and by_path["gone.txt"].removed == 1


def test_no_remote_means_no_link_and_directory_title(tmp_path):
    b = RepoBuilder(tmp_path / "plain-repo")
    b.commit("feat: hello", "2026-02-12T10:00:00+00:00", {"a.py": "print(1)\n"})
    out = tmp_path / "out"
    result = run_cli("--repo", str(tmp_path / "plain-repo"), "--since", "2026-02-12", "--until", "2026-02-12",
                     "--tz", "UTC", "--output-dir", str(out), "--no-llm", "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    data = json.loads((out / "2026-02-12.json").read_text())
    assert data["repos"][0]["name"] == "plain-repo" and data["repos"][0]["commits"][0]["url"] is None


def test_commit_url_template_and_several_repos_in_one_file(tmp_path):
    for name in ("one", "two"):
        RepoBuilder(tmp_path / name).commit(f"fix: in {name}", "2026-02-12T10:00:00+00:00", {"a.py": "1\n"})
    out = tmp_path / "out"
    result = run_cli("--repo", str(tmp_path / "one"), "--repo", str(tmp_path / "two"), "--since", "2026-02-11",
                     "--until", "2026-02-12", "--tz", "UTC", "--output-dir", str(out), "--no-llm", "-q",
                     "--commit-url", "https://git.example.com/c/{sha}")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["2026-02-12.md"]
    text = (out / "2026-02-12.md").read_text()
    assert "\n## one\n" in text and "\n## two\n" in text and "https://git.example.com/c/" in text


def test_empty_days_flag_writes_files_for_quiet_days(tmp_path):
    RepoBuilder(tmp_path / "r").commit("fix: a", "2026-02-12T10:00:00+00:00", {"a.py": "1\n"})
    out = tmp_path / "out"
    run_cli("--repo", str(tmp_path / "r"), "--since", "2026-02-10", "--until", "2026-02-12", "--tz", "UTC",
            "--output-dir", str(out), "--no-llm", "-q", "--empty-days")
    assert sorted(p.name for p in out.iterdir()) == ["2026-02-10.md", "2026-02-11.md", "2026-02-12.md"]


def test_commits_decoded_in_worker_processes_equal_those_decoded_here(tmp_path, monkeypatch):
    from offline_report.git import decode_pool

    builder = RepoBuilder(tmp_path / "r", remote="https://github.com/acme/widgets.git", bare=True)  # HEAD:.mailmap
    builder.commit("chore: start", "2026-03-01T08:00:00+00:00",
                   {".mailmap": "Alice Liddell <alice@example.com> Alice <alice@example.com>\n"})
    for n in range(60):
        when = f"2026-03-{2 + n // 20:02d}T{9 + n % 20 // 2:02d}:{n % 2 * 30:02d}:00+00:00"
        builder.commit(f"feat: step {n}\n\nAdds step_{n}.", when,
                       {f"src/step_{n % 7}.py": f"def step_{n}(value):\n    return value + {n}\n" + lines(n % 5),
                        "docs/steps.md": lines(n)})
    used: list[int] = []
    counted = decode_pool.worker_count

    def sequential(commits: int) -> int:
        return 1

    def two_workers(commits: int) -> int:
        used.append(counted(commits))
        return 2

    monkeypatch.setattr(decode_pool, "worker_count", sequential)
    here = day_commits(tmp_path / "r", "2026-03-02", "2026-03-04")
    monkeypatch.setattr(decode_pool, "worker_count", two_workers)
    forked = day_commits(tmp_path / "r", "2026-03-02", "2026-03-04")

    assert used, "the 60 commits went through the worker pool"
    assert [len(c) for c in forked.values()] == [20, 20, 20]
    assert forked == here  # message, people (mailmap), links, files, line counts, diff facts, in the same order
    first = forked[date(2026, 3, 4)][0]
    assert first.author == "Alice Liddell" and first.url.endswith(first.sha)
    assert "step_59" in [symbol.name for symbol in first.diff.symbols_added]
    assert [c.patch_texts() for c in forked[date(2026, 3, 4)]] == [c.patch_texts() for c in here[date(2026, 3, 4)]]


def test_a_commit_kept_by_one_run_is_read_back_by_the_next_with_the_same_patches(tmp_path, monkeypatch):
    """A run keeps each decoded commit's files and diff facts in its cache: the next run decodes nothing, yet
    a model's prompt still gets the same patches, read again from the clone."""
    from offline_report.facts import remembered
    from offline_report.git import commits as decoding

    moving_things(tmp_path / "r", "def run(a, b=2):\n    return a\n", "feat: move things")
    decoded = []
    real = decoding._decode_changes
    monkeypatch.setattr(decoding, "_decode_changes", lambda *args: decoded.append(args[1].id) or real(*args))
    remembered.keep_in(tmp_path / "cache")
    try:
        first = day_commits(tmp_path / "r", "2026-02-12")[date(2026, 2, 12)]
        assert len(decoded) == 2
        decoded.clear()
        again = day_commits(tmp_path / "r", "2026-02-12")[date(2026, 2, 12)]
    finally:
        remembered.keep_in(None)
    assert decoded == [] and again == first   # files, line counts, diff facts, message, people, times
    assert [c.patch_texts() for c in again] == [c.patch_texts() for c in first]
    move = next(c for c in again if c.subject == "feat: move things")
    patches = dict(move.patch_texts())
    assert "+def run(a, b=2):" in patches["new/name.py"] and patches["logo.png"] is None
    assert [s.name for s in move.diff.symbols_added] == ["run"]
