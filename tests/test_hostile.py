"""Hostile message text cannot break the table, the headings or the anchors."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offline_report.report.render import cell, inline

from .support.cli import broken_links, run_cli
from .support.gitrepo import RepoBuilder

HOSTILE = [
    "fix: a | b || c |",
    "feat: <script>alert(1)</script>",
    "docs: `unclosed backtick and ``double``",
    "# heading in a subject",
    "chore: [click](#x) and ](#nowhere)",
    "refactor: " + "very long line " * 80,
    "feat!: *bold* _em_ ~~strike~~ \\ backslash ###",
]


# A character that an even number of backslashes (none included) precedes: Markdown reads it as itself.
UNESCAPED = r"(?<!\\)(?:\\\\)*"


def test_hostile_messages_keep_the_layout(tmp_path):
    b = RepoBuilder(tmp_path / "r")
    for i, subject in enumerate(HOSTILE):
        body = "\n\n# not a heading\n| a | b |\n<img src=x onerror=alert(1)>\n- [x](#y)"
        b.commit(subject + body, f"2026-02-12T{10 + i:02d}:00:00+00:00", {f"src/f{i}.py": f"{i}\n"})
    out = tmp_path / "out"
    result = run_cli("--repo", str(tmp_path / "r"), "--since", "2026-02-12", "--until", "2026-02-12", "--tz", "UTC",
                     "--output-dir", str(out), "--no-llm", "-q")
    assert result.exit_code == 0, result.output
    text = (out / "2026-02-12.md").read_text()
    table = [line for line in text.splitlines() if line.startswith("| 2026-")]
    assert len(table) == len(HOSTILE)
    for row in table:
        assert len(re.findall(r"(?<!\\)\|", row)) == 4, row
    assert not re.search(UNESCAPED + "<(script|img)", text)
    assert "\\<script\\>" in text and "&lt;" not in text  # a backslash a viewer removes, never an entity
    headings = re.findall(r"^(#+) ", text, re.M)
    assert headings.count("#") == 1 and headings.count("####") == len(HOSTILE)
    assert broken_links(text) == []


def test_json_to_stdout_is_one_object_per_line(tmp_path):
    b = RepoBuilder(tmp_path / "r")
    b.commit("fix: one", "2026-02-11T10:00:00+00:00", {"a.py": "1\n"})
    b.commit("fix: two", "2026-02-12T10:00:00+00:00", {"a.py": "2\n"})
    result = run_cli("--repo", str(tmp_path / "r"), "--since", "2026-02-11", "--until", "2026-02-12", "--tz", "UTC",
                     "--no-llm", "--format", "json", "--stdout", "-q")
    lines = result.stdout.strip().splitlines()
    assert [json.loads(line)["date"] for line in lines] == ["2026-02-11", "2026-02-12"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=300))
def test_any_text_stays_inside_one_cell_and_one_line(text):
    rendered = cell(text)
    assert "\n" not in rendered
    assert not re.search(r"(?<!\\)\|", rendered)
    assert not re.search(UNESCAPED + "[<>]", rendered.replace("<br>", ""))
    assert not re.search(UNESCAPED + "&#?[A-Za-z0-9]+;", rendered)  # no character reference a viewer would decode
    heading = inline(text)
    assert "\n" not in heading and not heading.startswith("#")
    assert not re.search(r"(?<!\\)\]\(#", heading)


@given(st.text(alphabet=st.sampled_from(list("ab1 9._-+=#*`[]|~\\<>&\t\n")) | st.characters(), max_size=40))
@settings(max_examples=400, deadline=None)
def test_inline_text_skips_the_escaping_rules_only_when_none_of_them_applies(text):
    from offline_report.report import render

    quick = render.inline(text)
    every_rule = render._NEEDS_ESCAPING
    try:
        render._NEEDS_ESCAPING = re.compile("")  # matches everything: all five rules run
        assert render.inline(text) == quick
    finally:
        render._NEEDS_ESCAPING = every_rule
