"""The facts-only report: layout of the seeds, stats, sections per tier, anchors."""

from __future__ import annotations

import json
import re

from .support.cli import broken_links, run_cli, unescape
from .support.seed_day import SEED_COMMITS, SEED_DAY

TIER_SECTIONS = {
    "high": ["🎯 变更类型", "⚡ 重要程度", "📋 变更摘要", "🧭 影响范围", "🔍 技术洞察", "⚠️ 潜在风险", "💡 关注建议"],
    "medium": ["🎯 变更类型", "⚡ 重要程度", "📋 变更摘要", "🧭 影响范围", "💡 关注建议"],
    "low": ["🎯 变更类型", "⚡ 重要程度", "📋 摘要"],
}
BADGE_TIER = {"🔴高": "high", "🟡中": "medium", "🟢低": "low"}


def seed_report(seed_repo, tmp_path, *extra):
    out = tmp_path / "reports"
    result = run_cli("--repo", str(seed_repo), "--since", SEED_DAY, "--until", SEED_DAY, "--tz", "Asia/Shanghai",
                     "--output-dir", str(out), "--no-llm", "-q", *extra)
    assert result.exit_code == 0, result.output
    return out


def commit_blocks(markdown: str) -> list[str]:
    parts = re.split(r'\n<a id="[0-9a-f]{7}(?:-\d+)?"></a>\n(?=#### )', markdown)
    return [p.split("\n---\n")[0] for p in parts[1:]]


def test_seed_day_lists_the_same_commits_in_the_same_order(seed_repo, tmp_path):
    out = seed_report(seed_repo, tmp_path)
    assert sorted(p.name for p in out.iterdir()) == [f"{SEED_DAY}.md"]
    text = (out / f"{SEED_DAY}.md").read_text()
    assert text.startswith(f"# 每日更新报告（{SEED_DAY}）\n")
    assert "\n## ai-dynamo/dynamo\n" in text
    rows = re.findall(r"^\| (2026-\d\d-\d\d \d\d:\d\d:\d\d) \| ([^|]+) \| (.+) \|$", text, re.M)
    assert [(r[0][-8:], r[1]) for r in rows] == [(c[0], c[1]) for c in SEED_COMMITS]
    assert [unescape(re.sub(r"^\[(.*)\]\(#[0-9a-f]{7}\)$", r"\1", r[2])) for r in rows] == [c[2] for c in SEED_COMMITS]


def test_the_table_holds_the_subject_and_the_body_goes_in_the_commit_section(seed_repo, tmp_path):
    text = (seed_report(seed_repo, tmp_path) / f"{SEED_DAY}.md").read_text()
    row = next(line for line in text.splitlines() if "Merge bindings client" in line and line.startswith("|"))
    assert "<br>" not in row and "add_error" not in row
    section = text.split("chore: Merge bindings client and client2 functions (#6158)\n")[-1]
    details = section.split("<details>")[1].split("</details>")[0]
    assert "On timeout: log error, record via add_error, and continue to the next config" in details


def test_stats_add_up_and_match_the_groups(seed_repo, tmp_path):
    text = (seed_report(seed_repo, tmp_path) / f"{SEED_DAY}.md").read_text()
    total, high, medium, low = map(int, re.search(r"本日共 (\d+) 个提交 \| 🔴高 (\d+) \| 🟡中 (\d+) \| 🟢低 (\d+)", text).groups())
    assert total == len(SEED_COMMITS) == high + medium + low
    for heading, count in (("🔴 高重要度变更", high), ("🟡 中重要度变更", medium), ("🟢 低重要度变更", low)):
        if count:
            assert f"\n### {heading} ({count})\n" in text
    badges = re.findall(r"\*\*⚡ 重要程度\*\*：(\S+)", text)
    assert [BADGE_TIER[b] for b in badges].count("high") == high
    assert high > 0 and medium > 0 and low > 0


def test_each_commit_block_has_exactly_its_tier_sections_in_seed_order(seed_repo, tmp_path):
    text = (seed_report(seed_repo, tmp_path) / f"{SEED_DAY}.md").read_text()
    blocks = commit_blocks(text)
    assert len(blocks) == len(SEED_COMMITS)
    tiers_seen = []
    for block in blocks:
        tier = BADGE_TIER[re.search(r"\*\*⚡ 重要程度\*\*：(\S+)", block).group(1)]
        tiers_seen.append(tier)
        labels = re.findall(r"^\*\*([^*]+)\*\*", block, re.M)
        assert labels[0] == "SHA"
        assert labels[1:] == TIER_SECTIONS[tier], block
    assert tiers_seen == sorted(tiers_seen, key=["high", "medium", "low"].index)
    assert text.count("\n---\n") == len(SEED_COMMITS)


def test_groups_keep_time_order_and_commit_links(seed_repo, tmp_path):
    text = (seed_report(seed_repo, tmp_path) / f"{SEED_DAY}.md").read_text()
    assert "https://github.com/ai-dynamo/dynamo/commit/" in text
    blocks = commit_blocks(text)
    by_tier: dict[str, list[str]] = {}
    order = [c[2] for c in SEED_COMMITS]
    for block in blocks:
        tier = BADGE_TIER[re.search(r"\*\*⚡ 重要程度\*\*：(\S+)", block).group(1)]
        subject = unescape(block.split("\n", 1)[0].removeprefix("#### "))
        by_tier.setdefault(tier, []).append(subject)
    for subjects in by_tier.values():
        assert subjects == sorted(subjects, key=order.index)


def test_rule_based_analysis_is_marked_briefly(seed_repo, tmp_path):
    text = (seed_report(seed_repo, tmp_path) / f"{SEED_DAY}.md").read_text()
    assert text.count("--no-llm") == 1
    assert "LLM分析失败" not in text and "暂无分析" not in text


def test_every_toc_link_has_its_anchor(seed_repo, tmp_path):
    text = (seed_report(seed_repo, tmp_path) / f"{SEED_DAY}.md").read_text()
    assert len(re.findall(r"\]\(#", text)) >= len(SEED_COMMITS) + 5
    assert broken_links(text) == []


def test_json_carries_rule_classification(seed_repo, tmp_path):
    out = seed_report(seed_repo, tmp_path, "--format", "json")
    data = json.loads((out / f"{SEED_DAY}.json").read_text())
    commits = {c["subject"]: c for c in data["repos"][0]["commits"]}
    assert commits["docs: pointers to global router (#6190)"]["importance"] == "low"
    assert commits["feat: Flash Indexer (#5785)"]["importance"] == "high"
    assert commits["chore(deps): bump vLLM to 0.15.1 (#6102)"]["change_type"] == "deps"
    flash = commits["feat: Flash Indexer (#5785)"]
    assert flash["importance_reasons"] and flash["analysis"]["source"] == "rules"
    assert flash["short_sha"] == flash["sha"][:7] and len(flash["sha"]) == 40
    assert flash["time"].endswith("+08:00") and flash["pr"] == 5785
    assert {"path", "status", "added", "removed"} <= set(flash["files"][0])
    assert data["repos"][0]["stats"] == {"total": 25, "commits": 25, **{t: sum(c["importance"] == t for c in commits.values())
                                                        for t in ("high", "medium", "low")}}
    assert data["run"]["model_loaded"] is False and data["run"]["model_calls"] == 0


def test_english_report(seed_repo, tmp_path):
    text = (seed_report(seed_repo, tmp_path, "--lang", "en") / f"{SEED_DAY}.md").read_text()
    assert text.startswith(f"# Daily update report ({SEED_DAY})\n")
    assert "🔴 High-importance changes" in text and "💡 Recommendations" in text
    assert broken_links(text) == []


def test_compiled_templates_are_reused_and_an_unusable_template_cache_only_slows_the_start(seed_repo, tmp_path,
                                                                                        monkeypatch):
    import jinja2

    from offline_report.report import render

    def fresh_environments(folder):
        monkeypatch.setattr(render, "_bytecode_cache", lambda: render._QuietBytecodeCache(str(folder)))
        render._environment.cache_clear()

    (tmp_path / "bytecode").mkdir()
    fresh_environments(tmp_path / "bytecode")
    first = (seed_report(seed_repo, tmp_path / "a") / f"{SEED_DAY}.md").read_text()
    assert list((tmp_path / "bytecode").iterdir()), "the compiled templates were kept"

    fresh_environments(tmp_path / "bytecode")
    with monkeypatch.context() as patch:
        patch.setattr(jinja2.Environment, "compile", lambda *a, **k: (_ for _ in ()).throw(AssertionError("compiled")))
        again = (seed_report(seed_repo, tmp_path / "b") / f"{SEED_DAY}.md").read_text()

    (tmp_path / "not-a-folder").write_text("")
    fresh_environments(tmp_path / "not-a-folder")
    unusable = (seed_report(seed_repo, tmp_path / "c") / f"{SEED_DAY}.md").read_text()
    render._environment.cache_clear()
    strip = lambda text: re.sub(r"[\d.]+ (?:s|秒)</sub>", "", text)  # noqa: E731  the footer's wall time
    assert strip(first) == strip(again) == strip(unusable)
