"""Commit messages as their authors wrote them: a pull request's Markdown description rendered, never its hostile parts."""

from __future__ import annotations

import re

import pytest

from offline_report.git.message import clean_body
from offline_report.report.message_body import to_html, to_markdown

from .support.cli import broken_links, run_cli
from .support.gitrepo import RepoBuilder, lines
from .support.htmlpage import Page

DESCRIPTION = """## What?

Adds a `nixlDuration` type to the **agent** API, wrapped at
seventy-two columns the way git wraps a message, so this
sentence runs over three lines.

- Add `nixlDuration`
- Fix the *timer* when the
  clock wraps

```cpp
auto d = nixlDuration{5};  // </details> | # not a heading
```

See [the design note](https://example.com/design?a=1&b=2) and [click me](javascript:alert(1)).

<script>alert("x")</script>

| not | a table |
|-----|---------|

Signed-off-by: Alice <alice@example.com>
"""
SUBJECT = "Merge pull request #41 from alice/duration\n\nAdd a duration type\n\n"


def pr_repo(path) -> None:
    b = RepoBuilder(path, remote="https://github.com/acme/nixl.git")
    b.commit("feat: start", "2026-03-02T08:00:00+00:00", {"src/a.cpp": lines(5)})
    side = b.commit("feat: a duration type", "2026-03-02T09:00:00+00:00",
                    dict(b.files, **{"src/duration.h": lines(40)}), update_head=False)
    b.commit(SUBJECT + DESCRIPTION, "2026-03-02T10:00:00+00:00", dict(b.files, **{"src/duration.h": lines(40)}),
             parents=[b.head, side])


def test_the_body_in_html_keeps_the_authors_markup_and_none_of_the_hostile_parts():
    html = to_html(clean_body(DESCRIPTION))
    page = Page(html)
    tags = [tag for tag, _ in page.elements]
    assert {"p", "ul", "li", "strong", "em", "code", "pre", "a"} <= set(tags)
    assert not {"h1", "h2", "h3", "h4", "h5", "h6", "script", "table"} & set(tags)
    assert "What?" in page.text_of("p")  # the heading, demoted to a paragraph
    links = [attrs for tag, attrs in page.elements if tag == "a"]
    assert [a["href"] for a in links] == ["https://example.com/design?a=1&b=2"]
    assert links[0]["rel"] == "noopener noreferrer"
    assert "&lt;script&gt;" in html and "javascript:" not in "".join(a["href"] for a in links)
    # Wrapped lines are one paragraph.
    assert any("wraps a message, so this sentence" in " ".join(t.split()) for t in page.text_of("p"))


def test_the_body_in_markdown_reflows_and_escapes_what_would_break_the_report():
    text = to_markdown(clean_body(DESCRIPTION))
    assert "**What?**" in text and not re.search(r"^#", text, re.M)
    assert "Adds a `nixlDuration` type to the **agent** API, wrapped at seventy-two columns" in text
    assert "- Add `nixlDuration`\n- Fix the *timer* when the clock wraps" in text
    assert "```cpp\nauto d = nixlDuration{5};  // </details> | # not a heading\n```" in text
    assert "[the design note](<https://example.com/design?a=1&b=2>)" in text
    assert "](javascript:" in text.replace("\\", "") and "(<javascript:" not in text  # text, never a link
    assert "\\<script\\>" in text and "<script>" not in text
    assert "\\| not \\| a table \\|" in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_pull_request_description_renders_in_both_reports_without_breaking_them(tmp_path, lang):
    pr_repo(tmp_path / "repo")
    out = tmp_path / "out"
    for fmt in ("md", "html"):
        result = run_cli("--repo", str(tmp_path / "repo"), "--since", "2026-03-02", "--tz", "UTC", "--no-llm",
                         "--lang", lang, "--format", fmt, "--output-dir", str(out))
        assert result.exit_code == 0, result.output
    markdown = (out / "2026-03-02.md").read_text(encoding="utf-8")
    details = re.findall(r"<details><summary>[^<]*</summary>\n\n(.*?)\n\n</details>", markdown, re.S)
    body = next(d for d in details if "nixlDuration" in d)
    assert "- Add `nixlDuration`" in body and "```cpp" in body and "Signed-off-by" not in body
    assert markdown.count("<details><summary>") == len(re.findall(r"^</details>$", markdown, re.M))
    # The report's own headings and table are all there is of them: the body adds none.
    outside = markdown.replace(body, "")
    assert [line for line in markdown.splitlines() if line.startswith("#")] == \
        [line for line in outside.splitlines() if line.startswith("#")]
    table = [line for line in markdown.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 2 and "Add a duration type" in table[2]  # header, rule, one row per entry
    assert broken_links(markdown) == []
    page = Page((out / "2026-03-02.html").read_text(encoding="utf-8"))
    in_body = [(tag, attrs) for tag, attrs in page.elements if tag in ("script", "a")]
    assert not any(attrs.get("href", "").startswith("javascript:") for _, attrs in in_body)
    assert ("a", {"href": "https://example.com/design?a=1&b=2", "rel": "noopener noreferrer"}) in in_body
