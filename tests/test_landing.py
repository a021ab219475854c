"""Every commit that lands is reported once: landing days, merges and what they brought, upstream syncs, late
arrivals, force-pushes, and the counts that say a record is complete."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import pygit2

from .support.cli import broken_links, run_cli
from .support.gitrepo import RepoBuilder, lines

DAY1 = date(2026, 3, 2)


def day(n: int) -> str:
    return (DAY1 + timedelta(days=n - 1)).isoformat()


def at(n: int, clock: str) -> str:
    return f"{day(n)}T{clock}+00:00"


class Nights:
    """A repository built night by night, with the nightly command run after each night."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.b = RepoBuilder(tmp_path / "repo")
        self.out = tmp_path / "out"
        self.config = tmp_path / "offline-report.toml"
        self.config.write_text(f'[[repos]]\npath = "{tmp_path / "repo"}"\nupstream = "upstream"\n', encoding="utf-8")
        self.runs = []

    def nightly(self, night: int, first: bool = False):
        args = ["--config", str(self.config), "--tz", "UTC", "--no-llm", "--format", "json", "--output-dir",
                str(self.out), "--cache-dir", str(self.tmp / "cache"), "--until", day(night), "--lang", "en"]
        result = run_cli(*args, *(["--since", day(night)] if first else []))
        assert result.exit_code == 0, result.output
        self.runs.append(result.output)
        return result

    def reported(self) -> Counter:
        seen = Counter()
        for path in self.out.glob("*.json"):
            for repo in json.loads(path.read_text())["repos"]:
                for commit in repo["commits"]:
                    seen[commit["sha"]] += 1
                    seen.update(b["sha"] for b in commit["brought"])
        return seen

    def json_day(self, n: int) -> dict:
        return json.loads((self.out / f"{day(n)}.json").read_text())["repos"][0]


def reachable(repo: pygit2.Repository) -> set[str]:
    return {str(c.id) for c in repo.walk(repo.head.target, pygit2.GIT_SORT_NONE)}


def build_upstream(nights: Nights, base) -> pygit2.Oid:
    """60 upstream commits dated over three weeks before night 3, the last one touching the fork's core.py."""
    repo, tip = nights.b.repo, base
    files = dict(nights.b.files)
    for i in range(60):
        when = f"{(DAY1 - timedelta(days=21) + timedelta(hours=8 * i)).isoformat()}T00:00:00+00:00"
        files[f"up/mod{i % 7}.py"] = lines(i + 1, "upstream")
        if i == 59:
            files["core.py"] = "upstream's core\n"
        tip = repo.create_commit(None, sig("Upstream Dev", when), sig("Upstream Dev", when), f"up: change {i}",
                                 nights.b.tree(files), [tip])
    repo.references.create("refs/heads/upstream", tip, force=True)
    return tip


def sig(name: str, when: str) -> pygit2.Signature:
    from .support.gitrepo import signature

    return signature((name, name.lower().replace(" ", ".") + "@example.com"), when)


def test_nightly_runs_report_every_commit_that_lands_exactly_once(tmp_path):
    n = Nights(tmp_path)
    b = n.b
    base = b.commit("feat: base", at(1, "08:00:00"), {"core.py": "core\n", "a.py": "a\n"})
    b.repo.references.create("refs/heads/upstream", base)  # the fork starts from upstream
    b.commit("fix: fork's own patch to core", at(1, "09:00:00"), {"core.py": "fork's core\n"})
    # Night 1, and a topic branch written on days 0 and 1 that is not on main yet.
    t1 = b.commit("feat: topic part 1", at(0, "10:00:00"), {"topic.py": lines(3)}, update_head=False,
                  author=("Tom", "tom@example.com"))
    topic_files = dict(b.files, **{"topic.py": lines(3)})
    t2 = b.repo.create_commit(None, sig("Tom", at(1, "11:00:00")), sig("Tom", at(1, "11:00:00")),
                              "feat: topic part 2", b.tree(dict(topic_files, **{"topic2.py": lines(2)})), [t1])
    n.nightly(1, first=True)
    # Night 2: main moves on, then the topic branch is merged --no-ff (the merge dated day 2).
    b.commit("docs: readme", at(2, "09:00:00"), {"README.md": "hello\n"})
    merge_files = dict(b.files, **{"topic.py": lines(3), "topic2.py": lines(2)})
    merge = b.commit("Merge branch 'topic'", at(2, "12:00:00"), merge_files, parents=[b.head, t2])
    n.nightly(2)
    # Night 3: an upstream sync of 60 commits dated over the three weeks before.
    upstream_tip = build_upstream(n, base)
    sync_files = dict(b.files)
    upstream_tree = b.repo[upstream_tip].peel(pygit2.Commit).tree
    for entry in upstream_tree["up"]:
        sync_files[f"up/{entry.name}"] = b.repo[entry.id].data
    sync_files["core.py"] = "upstream's core, with the fork's patch\n"
    sync = b.commit("Merge upstream into the fork", at(3, "10:00:00"), sync_files, parents=[b.head, upstream_tip])
    evening = b.head
    n.nightly(3)
    # Night 4: a fast-forward of two commits written on the evening of day 3 (after night 3's report).
    late1 = b.commit("fix: written yesterday evening", at(3, "20:00:00"), {"a.py": "a2\n"}, parents=[evening])
    late2 = b.commit("perf: also yesterday", at(3, "21:00:00"), {"a.py": "a3\n"})
    last = b.commit("feat: day four", at(4, "09:00:00"), {"b.py": "b\n"})
    n.nightly(4)
    # Night 5: the last commit is amended and force-pushed, keeping its date.
    amended = b.commit("feat: day four (amended)", at(4, "09:00:00"), {"b.py": "b2\n"}, parents=[late2])
    n.nightly(5)
    # Night 6: a squash-merged pull request.
    squash = b.commit("feat: squashed pull request (#12)", at(6, "15:00:00"), {"c.py": lines(4)})
    n.nightly(6)

    everything = reachable(b.repo)
    seen = n.reported()
    assert {sha: count for sha, count in seen.items() if count != 1} == {}
    assert everything <= set(seen), "commits reachable at the end but in no report"
    assert str(last) in seen and str(last) not in everything  # reported before the force-push, replaced since

    night2 = n.json_day(2)
    merge_entry = next(c for c in night2["commits"] if c["sha"] == str(merge))
    assert {c["sha"] for c in merge_entry["brought"]} == {str(t1), str(t2)}
    assert merge_entry["merge_summary"]["commits"] == 2 and merge_entry["merge_summary"]["authors"] == ["Tom"]
    assert all(c["landed_at"].startswith(day(2)) and c["via"] == str(merge) for c in merge_entry["brought"])
    assert {c["author_time"][:10] for c in merge_entry["brought"]} == {day(0), day(1)}
    assert night2["coverage"] == {"landed": 4, "reported": 4, "late": 0, "complete": True, "merges_left_out": 0,
                                  "filtered_out": 0}
    # counted once: the day's lines are those of its entries (the merge's diff holds what it brought)
    numbers = night2["overview"]["numbers"]
    assert numbers["commits"] == 4 and numbers["added"] == sum(c["added"] for c in night2["commits"])

    night3 = n.json_day(3)
    assert [c["sha"] for c in night3["commits"]] == [str(sync)]
    summary = night3["commits"][0]["merge_summary"]
    assert summary["sync"] and summary["commits"] == 60 and summary["upstream_commits"] == 60
    assert summary["local_patches"] == ["core.py"]
    assert summary["first"] < day(1) and all(c["analysis"]["source"] == "rules" for c in night3["commits"][0]["brought"])

    night4 = n.json_day(4)
    late = {c["sha"]: c for c in night4["commits"] if c["late"]}
    assert set(late) == {str(late1), str(late2)} and all(c["landed_at"].startswith(day(3)) for c in late.values())
    assert night4["coverage"]["late"] == 2

    night5 = n.json_day(5)
    assert [c["sha"] for c in night5["commits"]] == [str(amended)] and night5["commits"][0]["late"]
    assert any("History was rewritten" in note for note in night5["notes"])
    assert "History was rewritten" in n.runs[4]
    assert [c["sha"] for c in n.json_day(6)["commits"]] == [str(squash)]


def test_an_explicit_window_of_a_merge_day_holds_what_it_brought_and_the_sync_is_one_section(tmp_path):
    n = Nights(tmp_path)
    b = n.b
    base = b.commit("feat: base", at(1, "08:00:00"), {"core.py": "core\n"})
    b.repo.references.create("refs/heads/upstream", base)
    upstream_tip = build_upstream(n, base)
    files = dict(b.files)
    for entry in b.repo[upstream_tip].peel(pygit2.Commit).tree["up"]:
        files[f"up/{entry.name}"] = b.repo[entry.id].data
    b.commit("Merge upstream", at(3, "10:00:00"), files, parents=[b.head, upstream_tip])
    b.commit("fix: after the sync", at(3, "11:00:00"), {"core.py": "core 2\n"})
    out = tmp_path / "md"
    common = ["--repo", str(b.repo.workdir), "--tz", "UTC", "--no-llm", "--since", day(3), "--until", day(3),
              "--lang", "en", "--cache-dir", str(tmp_path / "cache")]
    assert run_cli(*common, "--output-dir", str(out)).exit_code == 0
    markdown = (out / f"{day(3)}.md").read_text()
    assert markdown.count("\n#### ") == 2  # the sync and the fix, not 62 sections
    assert "Brought" in markdown or "Upstream sync" in markdown
    assert "62 commit(s) landed in this window; each is in this report." in markdown
    assert broken_links(markdown) == []
    data = run_cli(*common, "--format", "json", "--stdout")
    repo = json.loads(data.stdout)["repos"][0]
    assert sum(1 + len(c["brought"]) for c in repo["commits"]) == 62
    no_merges = json.loads(run_cli(*common, "--format", "json", "--stdout", "--no-merges").stdout)["repos"][0]
    assert len(no_merges["commits"]) == 61 and not any(c["merge"] for c in no_merges["commits"])
    assert no_merges["coverage"]["merges_left_out"] == 1 and no_merges["coverage"]["reported"] == 61
    assert not no_merges["coverage"]["complete"]


def test_a_day_file_counts_its_own_day_whatever_range_the_run_covered(tmp_path):
    b = RepoBuilder(tmp_path / "repo")
    for i in range(3):
        b.commit(f"fix: first day {i}", at(1, f"1{i}:00:00"), {"a.py": f"{i}\n"})
    b.commit("fix: second day", at(2, "10:00:00"), {"a.py": "x\n"})
    common = ["--repo", str(tmp_path / "repo"), "--tz", "UTC", "--no-llm", "--format", "json", "--stdout",
              "--cache-dir", str(tmp_path / "cache")]
    both = [json.loads(x) for x in run_cli(*common, "--since", day(1), "--until", day(2)).stdout.splitlines()]
    alone = json.loads(run_cli(*common, "--since", day(2), "--until", day(2)).stdout)
    assert [d["run"]["rule_analyses"] for d in both] == [3, 1]
    assert alone["run"]["rule_analyses"] == both[1]["run"]["rule_analyses"] == 1
