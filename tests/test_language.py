"""Each language's punctuation and plural forms come from its catalogue; Markdown escapes as a viewer undoes."""

from __future__ import annotations

import re

import pytest

from offline_report.catalog import catalog, words
from offline_report.report.render import inline

from .support.cli import run_cli, unescape
from .support.gitrepo import RepoBuilder, lines
from .support.seed_day import SEED_DAY

FULL_WIDTH = re.compile(r"[\u3000-\u303f\uff00-\uffef]")  # ：（）【】，。 and the rest of CJK punctuation
SINGULAR_AS_PLURAL = re.compile(r"(?<![\d.,])1 (commits|files|tests|lines|authors|test files|source lines|reports)\b")


def report(repo, out, lang, fmt, day):
    result = run_cli("--repo", str(repo), "--since", day, "--until", day, "--tz", "Asia/Shanghai", "--lang", lang,
                     "--format", fmt, "--output-dir", str(out), "--no-llm", "-q")
    assert result.exit_code == 0, result.output
    return (out / f"{day}.{fmt}").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_an_english_report_has_no_full_width_punctuation(seed_repo, tmp_path, fmt):
    text = report(seed_repo, tmp_path / "out", "en", fmt, SEED_DAY)
    assert FULL_WIDTH.findall(text) == []
    assert "**🎯 Change type**: " in text or "<strong>🎯 Change type</strong>" in text
    zh = report(seed_repo, tmp_path / "zh", "zh", fmt, SEED_DAY)
    assert "：" in zh  # the Chinese report keeps its own punctuation


def test_one_is_singular_and_more_are_plural(tmp_path):
    b = RepoBuilder(tmp_path / "r")
    b.commit("chore: base", "2026-03-01T08:00:00+08:00", {"src/a.py": lines(3)})
    b.commit("feat: one file", "2026-03-02T09:00:00+08:00", {"src/a.py": lines(4)})
    text = report(tmp_path / "r", tmp_path / "out", "en", "md", "2026-03-02")
    assert SINGULAR_AS_PLURAL.findall(text) == []
    assert "1 commit today" in text and "1 commit · 1 author · 1 file ·" in text and "Feature (1 file, +1/-0)" in text
    assert words("en", "rules", "files_changed", files=2, added=3, removed=1) == "2 files changed (+3/-1)"
    assert words("en", "clone", "partial_clone", count=1).startswith("1 commit of this day is only partly")
    assert words("zh", "rules", "files_changed", files=1, added=3, removed=1) == "改动 1 个文件（+3/-1）"


def test_every_english_count_is_said_with_its_plural_form():
    """A sentence that puts a number before a plural noun uses {n:# thing|# things}: none says "{n} things"."""
    def sentences(table):
        for value in table.values():
            yield from sentences(value) if isinstance(value, dict) else [value]
    bare = [s for s in sentences(catalog("en")) if isinstance(s, str)
            and (re.search(r"\{(count|files|total|lines|commits|source_lines|total_lines|authors|landed|reported)\}"
                           r" [a-z]+s\b", s) or "(s)" in s)]
    assert bare == []


def test_markdown_escapes_with_backslashes_a_viewer_removes():
    text = inline("numpy: ~=1.26.4 → <3,>=2.1 & AT&T &amp; <b>")
    assert text == r"numpy: \~=1.26.4 → \<3,\>=2.1 & AT&T \&amp; \<b\>"
    assert unescape(text) == "numpy: ~=1.26.4 → <3,>=2.1 & AT&T &amp; <b>"


def test_a_recommendation_names_a_package_bumped_in_two_manifests_once():
    from offline_report.git.commits import FileChange
    from offline_report.facts import DependencyChange
    from offline_report.rules.classify import classify
    from offline_report.rules.writer import risks_and_recommendations

    from .support.facts import facts

    commit = facts("chore: move to numpy 2", [FileChange("pyproject.toml", "modified", 1, 1),
                                              FileChange("requirements.txt", "modified", 1, 1)])
    commit.diff.dependencies = [
        DependencyChange("numpy", "pyproject.toml", "~=1.26.4", "<3,>=2.1", "changed", True, "dependencies"),
        DependencyChange("numpy", "requirements.txt", "~=1.26.4", "<3,>=2.1", "changed", True, "requirements")]
    signals = classify(commit).signals
    risks, recommendations = risks_and_recommendations(signals, catalog("en")["rules"])
    (bump,) = [r for r in risks if r["code"] == "major_bump"]
    assert bump["values"] == {"items": ["numpy ~=1.26.4 → <3,>=2.1"]}
    (advice,) = [r for r in recommendations if "migration notes" in r]
    assert advice.count("numpy") == 1
