"""Beyond the day: ISO weeks, calendar months and release ranges, built from the same landed commits and analyses."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pygit2

from .support.cli import broken_links, run_cli
from .test_cache import fake_llama, model_file  # noqa: F401 (a fixture)
from .test_cache import run_cli as run_with_standin
from .support.gitrepo import RepoBuilder, lines

MONDAY = date(2026, 2, 2)  # ISO week 2026-W06


def at(offset_days: int, hour: int = 10) -> str:
    return f"{(MONDAY + timedelta(days=offset_days)).isoformat()}T{hour:02d}:00:00+00:00"


def three_weeks(tmp_path) -> tuple[RepoBuilder, dict]:
    """Commits over three ISO weeks, a merged branch in the second, tags v1 (end of week one) and v2 (week three)."""
    b = RepoBuilder(tmp_path / "repo")
    b.commit("feat: start", at(0), {"src/app.py": "def run():\n    pass\n"})
    b.commit("fix: first week", at(3), {"src/app.py": "def run():\n    return 1\n"})
    v1 = b.commit("chore: release v1", at(4), {"VERSION": "1\n"})
    b.repo.references.create("refs/tags/v1", v1)
    topic = b.commit("feat: topic written in week one", at(5), {"src/topic.py": lines(4)}, update_head=False)
    b.commit("docs: second week", at(8), {"README.md": "x\n"})
    files = dict(b.files, **{"src/topic.py": lines(4)})
    merge = b.commit("Merge branch 'topic'", at(9), files, parents=[b.head, topic])
    b.commit("feat!: drop the old API", at(15), {"src/app.py": "def start():\n    return 1\n"})
    v2 = b.commit("perf: third week", at(16), {"src/app.py": "def start():\n    return 2\n"})
    b.repo.references.create("refs/tags/v2", v2)
    b.commit("fix: after v2", at(17), {"src/app.py": "def start():\n    return 3\n"})
    return b, {"v1": v1, "v2": v2, "topic": topic, "merge": merge}


def shas(repo_json: dict) -> list[str]:
    return [s for c in repo_json["commits"] for s in (c["sha"], *(b["sha"] for b in c["brought"]))]


def rev_list(repo: pygit2.Repository, base, tip) -> set[str]:
    walker = repo.walk(tip, pygit2.GIT_SORT_NONE)
    walker.hide(base)
    return {str(c.id) for c in walker}


def test_period_week_writes_one_report_per_week_holding_every_commit_of_its_week(tmp_path):
    b, _ = three_weeks(tmp_path)
    out = tmp_path / "out"
    common = ["--repo", str(tmp_path / "repo"), "--tz", "UTC", "--no-llm", "--lang", "en", "--output-dir", str(out),
              "--since", MONDAY.isoformat(), "--until", (MONDAY + timedelta(days=17)).isoformat()]
    assert run_cli(*common, "--period", "week", "--format", "json").exit_code == 0
    assert sorted(p.name for p in out.glob("*.json")) == ["2026-W06.json", "2026-W07.json", "2026-W08.json"]
    weeks = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    assert weeks["2026-W06"]["view"] == {"kind": "week", "name": "2026-W06", "since": "2026-02-02",
                                         "until": "2026-02-08", "from": None, "to": None}
    everything = {str(c.id) for c in b.repo.walk(b.head, pygit2.GIT_SORT_NONE)}
    per_week = {name: set(shas(data["repos"][0])) for name, data in weeks.items()}
    assert set().union(*per_week.values()) == everything
    assert sum(len(v) for v in per_week.values()) == len(everything)  # each commit in one week only
    assert len(per_week["2026-W07"]) == 3  # the merge, what it brought, and the docs commit
    overview = weeks["2026-W06"]["repos"][0]["overview"]
    assert overview["authors"] == [{"author": "Alice", "commits": 3}] and overview["modules"][0]["module"] == "src/"
    assert run_cli(*common, "--period", "week").exit_code == 0
    markdown = (out / "2026-W08.md").read_text()
    assert markdown.startswith("# Weekly update report (2026-W08: 2026-02-16 to 2026-02-22)")
    assert broken_links(markdown) == []


def test_period_month_names_its_file_by_month(tmp_path):
    three_weeks(tmp_path)
    out = tmp_path / "out"
    result = run_cli("--repo", str(tmp_path / "repo"), "--tz", "UTC", "--no-llm", "--output-dir", str(out),
                     "--period", "month", "--since", "2026-02-10", "--format", "json")
    assert result.exit_code == 0, result.output
    month = json.loads((out / "2026-02.json").read_text())
    assert month["view"]["kind"] == "month" and month["view"]["since"] == "2026-02-01"
    assert len(shas(month["repos"][0])) == 9


def test_range_holds_exactly_git_rev_list_and_groups_by_type_breaking_first(tmp_path):
    b, refs = three_weeks(tmp_path)
    out = tmp_path / "out"
    common = ["--repo", str(tmp_path / "repo"), "--tz", "UTC", "--no-llm", "--lang", "en", "--output-dir", str(out)]
    assert run_cli(*common, "--range", "v1..v2", "--format", "json").exit_code == 0
    data = json.loads((out / "v1..v2.json").read_text())
    assert set(shas(data["repos"][0])) == rev_list(b.repo, refs["v1"], refs["v2"])
    assert data["view"] == {"kind": "range", "name": "v1..v2", "since": "2026-02-06", "until": "2026-02-18",
                            "from": "v1", "to": "v2"}
    assert run_cli(*common, "--range", "v2").exit_code == 0  # one tag: from the tag before it
    markdown = (out / "v1..v2.md").read_text()
    assert markdown.startswith("# Release report v1..v2 (2026-02-06 to 2026-02-18)")
    by_type = markdown.split("Changes by type", 1)[1]
    assert by_type.index("Breaking changes") < by_type.index("drop the old API") < by_type.index("third week")
    assert broken_links(markdown) == []


def test_a_weekly_run_after_cached_daily_runs_makes_no_model_call(tmp_path, fake_llama):
    three_weeks(tmp_path)
    model = model_file(tmp_path)
    common = ["--repo", str(tmp_path / "repo"), "--tz", "UTC", "--lang", "en", "--model", str(model), "--format", "json",
              "--cache-dir", str(tmp_path / "cache"), "-q"]
    daily = run_with_standin(*common, "--output-dir", str(tmp_path / "days"), "--since", "2026-02-09", "--until", "2026-02-15")
    assert daily.exit_code == 0, daily.output
    weekly = run_with_standin(*common, "--output-dir", str(tmp_path / "weeks"), "--period", "week", "--since", "2026-02-09",
                     "--until", "2026-02-15")
    assert weekly.exit_code == 0, weekly.output
    run = json.loads((tmp_path / "weeks" / "2026-W07.json").read_text())["run"]
    assert run["model_calls"] == 0 and run["model_loaded"] is False and run["cache_hits"] == 3


def test_a_day_run_with_a_weekly_rollup_also_writes_the_week_that_ended(tmp_path):
    three_weeks(tmp_path)
    out = tmp_path / "out"
    config = tmp_path / "offline-report.toml"
    config.write_text(f'rollups = ["week"]\n[[repos]]\npath = "{tmp_path / "repo"}"\n', encoding="utf-8")
    common = ["--config", str(config), "--tz", "UTC", "--no-llm", "--format", "json", "--output-dir", str(out)]
    assert run_cli(*common, "--since", "2026-02-14", "--until", "2026-02-16").exit_code == 0
    assert sorted(p.name for p in out.glob("*W*.json")) == ["2026-W07.json"]  # W08 is not over on the 16th
    week = json.loads((out / "2026-W07.json").read_text())
    assert len(shas(week["repos"][0])) == 3 and week["view"]["kind"] == "week"
    shown = run_cli(*common, "config")
    assert "rollups" in shown.output and "offline-report.toml" in shown.output


def test_html_weeks_and_releases_are_pages_the_site_index_lists_beside_the_days(tmp_path):
    from .support.htmlpage import Page

    three_weeks(tmp_path)
    out = tmp_path / "site"
    common = ["--repo", str(tmp_path / "repo"), "--tz", "UTC", "--no-llm", "--lang", "en", "--format", "html",
              "--output-dir", str(out)]
    assert run_cli(*common, "--since", "2026-02-09", "--until", "2026-02-10").exit_code == 0
    assert run_cli(*common, "--period", "week", "--since", "2026-02-09", "--until", "2026-02-15").exit_code == 0
    assert run_cli(*common, "--range", "v1..v2").exit_code == 0
    week = (out / "2026-W07.html").read_text()
    assert "<title>Weekly update report (2026-W07: 2026-02-09 to 2026-02-15)</title>" in week
    release = Page((out / "v1..v2.html").read_text())
    assert release.broken_fragment_links() == []
    index = (out / "index.html").read_text()
    assert 'href="2026-W07.html"' in index and 'href="v1..v2.html"' in index and 'href="2026-02-10.html"' in index
    feed = (out / "feed.xml").read_text()
    assert "2026-W07" not in feed and "2026-02-10" in feed  # the feed follows the days
