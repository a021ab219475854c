"""Facts read from the diff reach the JSON and the report; types and importance without conventional prefixes."""

from __future__ import annotations

import html
import json
import re

import pytest

from offline_report.rules.classify import classify

from .support.cli import run_cli, unescape
from .support.facts import facts, src
from .support.gitrepo import RepoBuilder
from .support.thirteen import BASE_FILES, THIRTEEN, follow_up_files

DAY = "2026-02-12"


@pytest.fixture
def thirteen_repo(tmp_path):
    b = RepoBuilder(tmp_path / "repo", remote="https://github.com/acme/pkg.git")
    b.commit("initial import", "2026-02-11T10:00:00+00:00", BASE_FILES)
    b.commit("misc: follow-up work\n\nSee the discussion.", f"{DAY}T10:00:00+00:00", follow_up_files())
    return tmp_path / "repo"


def report(repo, tmp_path, fmt, lang="en"):
    out = tmp_path / f"out-{fmt}-{lang}"
    result = run_cli("--repo", str(repo), "--since", DAY, "--until", DAY, "--tz", "UTC", "--lang", lang,
                     "--format", fmt, "--output-dir", str(out), "--no-llm", "-q")
    assert result.exit_code == 0, result.output
    return (out / f"{DAY}.{fmt}").read_text(encoding="utf-8")


def test_all_thirteen_facts_are_in_the_json_outside_the_message(thirteen_repo, tmp_path):
    commit = json.loads(report(thirteen_repo, tmp_path, "json"))["repos"][0]["commits"][0]
    facts_text = json.dumps(commit["facts"])
    assert [name for name in THIRTEEN if name not in facts_text] == []
    assert not any(name in commit["message"] for name in THIRTEEN)
    assert {"symbols_added", "symbols_removed", "symbols_changed", "dependencies", "lockfiles", "options_added",
            "options_removed", "env_added", "env_removed", "tests_added", "tests_removed", "docs",
            "truncated", "moved", "renamed", "signatures", "version_bumps"} == set(commit["facts"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_all_thirteen_facts_are_named_in_the_markdown(thirteen_repo, tmp_path, lang):
    text = html.unescape(unescape(report(thirteen_repo, tmp_path, "md", lang)))
    assert [name for name in THIRTEEN if name not in text] == []


def test_the_rule_analysis_draws_risks_from_the_facts(thirteen_repo, tmp_path):
    commit = json.loads(report(thirteen_repo, tmp_path, "json"))["repos"][0]["commits"][0]
    assert commit["importance"] == "high"
    risks = " ".join(r["text"] for r in commit["analysis"]["risks"])
    assert "init_device" in risks and "httpx" in risks and "--max-retries" in risks
    assert any("init_device" in reason["values"].get("symbols", []) for reason in commit["importance_reasons"])


def test_the_commit_table_holds_one_linked_subject_per_commit(tmp_path):
    b = RepoBuilder(tmp_path / "repo")
    b.commit("base", "2026-02-11T10:00:00+00:00", {"src/a.py": "x = 1\n"})
    b.commit("nixl_ep: Migrate to memory view API\n\n```\n+---+\n| A |\n+---+\n```\n\n* Update based on feedback\n"
             "* fix typo\n* Real change in the API\n\n---------\n\nSigned-off-by: A <a@example.com>",
             f"{DAY}T10:00:00+00:00", {"src/a.py": "def memory_view():\n    return 1\n"})
    text = report(tmp_path / "repo", tmp_path, "md")
    rows = [line for line in text.splitlines() if line.startswith("| 20")]
    assert len(rows) == 1 and "<br>" not in rows[0] and "Migrate to memory view API](#" in rows[0]
    details = text.split("<details>")[1].split("</details>")[0]
    assert "Real change in the API" in details
    assert "Signed-off-by" not in details and "Update based on feedback" not in details and "-----" not in details
    assert not re.search(r"^(- |\d+\. )\\?-{3,}", text, re.M)  # no bullet is a separator
    assert "feedback" not in text.split("</details>")[1]


def test_the_html_commit_table_is_the_markdown_one_and_the_body_is_folded_in_the_card(tmp_path):
    from .support.htmlpage import Page

    b = RepoBuilder(tmp_path / "repo")
    b.commit("base", "2026-02-11T10:00:00+00:00", {"src/a.py": "x = 1\n"})
    b.commit("nixl_ep: Migrate to memory view API\n\n```\n+---+\n| A |\n+---+\n```\n\n* Update based on feedback\n"
             "* fix typo\n* Real change in the API\n\n---------\n\nSigned-off-by: A <a@example.com>",
             f"{DAY}T10:00:00+00:00", {"src/a.py": "def memory_view():\n    return 1\n"})
    page_text = report(tmp_path / "repo", tmp_path, "html")
    table = page_text.split('<table class="commits">')[1].split("</table>")[0]
    rows = [row for row in table.split("<tr")[1:] if "data-importance" in row]
    assert len(rows) == 1
    cells = [text for tags, _, text in Page("<table><tr" + rows[0] + "</table>").texts if "td" in tags]
    assert cells[1:] == ["Alice", "nixl_ep: Migrate to memory view API"] and re.fullmatch(r"[\d-]+ [\d:]+", cells[0])
    assert "Signed-off-by" not in page_text and "-----" not in table and "Real change" not in table
    card = page_text.split('<article class="commit')[1].split("</article>")[0]
    folded = Page(card.split('<details class="message">')[1].split("</details>")[0])
    assert "Real change in the API" in folded.inside("div") and "feedback" not in folded.inside("div")


@pytest.mark.parametrize("subject,paths,ctype", [
    ("nixl_ep: Migrate to memory view API", ["src/ep.py"], "refactor"),
    ("Add a cache layer", ["src/cache.py"], "feat"),
    ("Implement retries for uploads", ["src/up.py"], "feat"),
    ("Support ARM builds", ["src/arch.py"], "feat"),
    ("Resolve a crash on empty input", ["src/a.py"], "fix"),
    ("Refactor the parser", ["src/p.py"], "refactor"),
    ("Move helpers into utils", ["src/u.py"], "refactor"),
    ("Bump serde to 1.0.200", ["Cargo.toml"], "deps"),
    ("Update vllm to 0.15.1", ["requirements.txt"], "deps"),
    ("Cleanup unused helpers", ["src/x.py"], "refactor"),
    ("Explain the cache", ["docs/cache.md"], "docs"),
    ("More cases for the parser", ["tests/test_parser.py"], "test"),
    ("Run the linter on pushes", [".github/workflows/ci.yml"], "ci"),
])
def test_types_without_conventional_prefixes(subject, paths, ctype):
    assert classify(facts(subject, [src(p) for p in paths])).change_type == ctype


def test_the_day_overview_gathers_numbers_highlights_and_risks(thirteen_repo, tmp_path):
    repo = json.loads(report(thirteen_repo, tmp_path, "json"))["repos"][0]
    overview = repo["overview"]
    assert overview["numbers"] == {"commits": 1, "entries": 1, "authors": 1, "files": 8, "added": repo["commits"][0]["added"],
                                   "removed": repo["commits"][0]["removed"]}
    assert [t["anchor"] for t in overview["top"]] == [repo["commits"][0]["anchor"]]
    codes = {r["code"] for r in overview["risks"]}
    assert {"removed_public", "major_bump"} <= codes
    assert any("init_device" in r["text"] for r in overview["risks"])
    text = report(thirteen_repo, tmp_path, "md")
    assert text.index("Day overview") < text.index("| Committed |")


def test_a_squash_merge_is_typed_by_the_verbs_of_its_body():
    commit = facts("libfabric: CQ batch reads and threading model (#1272)", [src("src/rail.cpp")],
                   body="* libfabric: Implement CQ batch reads\n\n- Implement batch CQ reads instead of single reads\n\n"
                        "Signed-off-by: A <a@example.com>")
    assert classify(commit).change_type == "feat"


def test_the_report_is_the_same_whatever_the_hash_seed(thirteen_repo, tmp_path):
    """Facts are gathered in sets; nothing the report says may depend on their iteration order."""
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    command = [sys.executable, "-c", "from offline_report.cli import main; main()", "--repo", str(thirteen_repo),
               "--since", DAY, "--until", DAY, "--tz", "UTC", "--lang", "en", "--format", "json", "--stdout",
               "--no-llm", "--no-cache", "-q"]
    reports = []
    for seed in (0, 1, 2, 3):
        done = subprocess.run(command, cwd=root, capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": str(seed)})
        assert done.returncode == 0, done.stderr
        day = json.loads(done.stdout)
        day.pop("run")  # wall time and counts of the run itself
        reports.append(day)
    assert reports[0]["repos"][0]["commits"][0]["facts"]["symbols_added"]
    assert all(report == reports[0] for report in reports[1:])
