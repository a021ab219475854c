"""Deterministic analysis built only from git facts: every section of a tier, no model needed."""

from __future__ import annotations

import re
from collections import OrderedDict

from .classify import Classification, Signals, is_public_api, path_kind
from ..git.commits import CommitFacts

MAX_SUMMARY_BULLETS = 6
MAX_MODULES = 8
MAX_NAMED_FILES = 3
MAX_POINT_CHARS = 300
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])(\s+|$)")
_TRAILER = re.compile(
    r"^(Signed-off-by|Co-authored-by|Reviewed-by|Acked-by|Tested-by|Reported-by|Suggested-by|Helped-by|Cc|"
    r"Change-Id|Fixes|Closes|Refs|See-also|This reverts commit)\b",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+")
_PERF_WORDS = re.compile(r"\b(perf|performance|latency|throughput|faster|slower|slowdown|speed\s*up|optimi[sz]\w*)\b", re.I)

T = {
    "zh": {
        "files_changed": "改动 {files} 个文件（+{added}/-{removed}）",
        "module": "{module} — {files} 个文件，+{added}/-{removed}",
        "more_modules": "其余 {count} 个模块",
        "root": "（仓库根目录）",
        "arch_spread": "改动横跨 {count} 个顶层模块：{modules}",
        "arch_focused": "改动集中在 {modules}",
        "arch_api": "涉及公共接口文件：{files}",
        "arch_added": "新增 {count} 个文件",
        "arch_deleted": "删除 {count} 个文件",
        "perf_signal": "提交信息提到性能相关内容，影响需用基准测试确认",
        "perf_type": "提交类型为性能优化，影响需用基准测试确认",
        "perf_none": "git 事实中没有性能相关信号",
        "sec_signal": "涉及安全相关的路径或描述，需要安全审查",
        "sec_none": "未发现安全相关信号",
        "maint_tests": "同时修改了 {count} 个测试文件",
        "maint_no_tests": "源码改动没有伴随测试改动",
        "maint_no_source": "未改动源码",
        "compat_breaking": "提交标记了破坏性变更",
        "compat_deps": "依赖清单或锁文件有变更",
        "compat_api": "公共接口文件有变更，调用方可能受影响",
        "compat_none": "未发现兼容性信号",
        "risk_no_tests": "源码改动（{lines} 行）没有伴随测试改动，回归可能未被覆盖",
        "rec_no_tests": "为改动的源码补充或更新测试",
        "risk_deps": "依赖版本变更可能带来行为差异或新的传递依赖",
        "rec_deps": "核对依赖的变更日志，并在干净环境中重新构建",
        "risk_deleted": "删除了 {count} 个文件，其他代码或文档可能仍在引用",
        "rec_deleted": "搜索对已删除文件的引用",
        "risk_ci": "CI 配置变更可能改变流水线的行为",
        "rec_ci": "确认主分支上的流水线运行正常",
        "risk_breaking": "破坏性变更会影响下游使用者",
        "rec_breaking": "在发布说明中写明迁移步骤",
        "risk_large": "改动较大（{lines} 行源码），审查难度高",
        "rec_large": "按模块分开审查，重点关注接口变化",
        "risk_binary": "包含 {count} 个二进制文件，差异无法审查",
        "rec_binary": "确认二进制文件的来源与用途",
        "risk_submodule": "更新了 {count} 个子模块指针",
        "rec_submodule": "查看子模块新引入的提交",
        "risk_security": "涉及安全敏感的代码或描述",
        "rec_security": "安排一次安全审查",
        "risk_huge_file": "{count} 个文件过大，未逐行比较差异",
        "rec_huge_file": "确认大文件是否应纳入版本库",
        "risk_none": "git 事实中没有发现明显的风险信号",
        "rec_none": "按常规流程审查即可",
        "low_line": "{description}（{files} 个文件，+{added}/-{removed}）",
        "list_sep": "、",
        "clause_sep": "；",
    },
    "en": {
        "files_changed": "{files} files changed (+{added}/-{removed})",
        "module": "{module} — {files} files, +{added}/-{removed}",
        "more_modules": "{count} more modules",
        "root": "(repository root)",
        "arch_spread": "Spans {count} top-level modules: {modules}",
        "arch_focused": "Focused on {modules}",
        "arch_api": "Touches public API files: {files}",
        "arch_added": "Adds {count} files",
        "arch_deleted": "Deletes {count} files",
        "perf_signal": "The message mentions performance; confirm the effect with a benchmark",
        "perf_type": "Typed as a performance change; confirm the effect with a benchmark",
        "perf_none": "No performance signal in the git facts",
        "sec_signal": "Touches security-related paths or wording; needs a security review",
        "sec_none": "No security signal found",
        "maint_tests": "Also changes {count} test files",
        "maint_no_tests": "Source changed without test changes",
        "maint_no_source": "No source code changed",
        "compat_breaking": "Marked as a breaking change",
        "compat_deps": "Dependency manifests or lockfiles changed",
        "compat_api": "Public API files changed; callers may be affected",
        "compat_none": "No compatibility signal found",
        "risk_no_tests": "Source changed ({lines} lines) without test changes; regressions may go unnoticed",
        "rec_no_tests": "Add or update tests for the changed source",
        "risk_deps": "Dependency version changes can alter behaviour or pull in new transitive dependencies",
        "rec_deps": "Read the dependencies' changelogs and rebuild in a clean environment",
        "risk_deleted": "{count} files deleted; other code or docs may still refer to them",
        "rec_deleted": "Search for references to the deleted files",
        "risk_ci": "CI configuration changes can alter what the pipeline checks",
        "rec_ci": "Check that the pipeline still passes on the main branch",
        "risk_breaking": "A breaking change affects downstream users",
        "rec_breaking": "Document the migration steps in the release notes",
        "risk_large": "Large change ({lines} source lines); hard to review",
        "rec_large": "Review module by module, interfaces first",
        "risk_binary": "{count} binary files; their diff cannot be reviewed",
        "rec_binary": "Confirm where the binary files come from and why",
        "risk_submodule": "{count} submodule pointers updated",
        "rec_submodule": "Look at the commits the submodule update brings in",
        "risk_security": "Touches security-sensitive code or wording",
        "rec_security": "Schedule a security review",
        "risk_huge_file": "{count} files too large to diff line by line",
        "rec_huge_file": "Check whether the large files belong in the repository",
        "risk_none": "No risk signal found in the git facts",
        "rec_none": "Review as usual",
        "low_line": "{description} ({files} files, +{added}/-{removed})",
        "list_sep": ", ",
        "clause_sep": "; ",
    },
}


def analysis_for(tier: str, facts: CommitFacts, cls: Classification, lang: str) -> dict:
    """The rule-based analysis of one commit, with exactly the fields its tier requires."""
    text = T[lang]
    if tier == "low":
        return {"summary": low_line(facts, text)}
    risks, recommendations = risks_and_recommendations(cls.signals, text)
    analysis = {"summary": summary_bullets(facts, text), "impact": impact_lines(facts, text)}
    if tier == "high":
        analysis["insights"] = insights(facts, cls.signals, text)
        analysis["risks"] = risks
    analysis["recommendations"] = recommendations
    return analysis


def description(facts: CommitFacts) -> str:
    subject = facts.subject
    if facts.conventional_type and ":" in subject:
        subject = subject.split(":", 1)[1].strip()
    return subject or facts.short_sha


def low_line(facts: CommitFacts, text: dict) -> str:
    return text["low_line"].format(description=description(facts), files=len(facts.files),
                                   added=facts.added, removed=facts.removed)


def summary_bullets(facts: CommitFacts, text: dict) -> list[str]:
    bullets = body_points(facts.body)[:MAX_SUMMARY_BULLETS - 1] or [description(facts)]
    bullets.append(text["files_changed"].format(files=len(facts.files), added=facts.added, removed=facts.removed))
    return bullets


def body_points(body: str) -> list[str]:
    """Bullet items of the body, else its paragraphs: wrapped lines joined, trailers left out, never cut."""
    items: list[list[str]] = []
    current: list[str] | None = None
    for line in body.splitlines():
        stripped = line.strip()
        if stripped == "---":
            break  # bots put machine-readable metadata after a rule
        if not stripped or _TRAILER.match(stripped):
            current = None
        elif _BULLET.match(line):
            current = [_BULLET.sub("", line).strip()]
            items.append(current)
        elif current is not None:
            current.append(stripped)
        else:
            current = [stripped]
            items.append(current)
    return [first_sentences(" ".join(item)) for item in items]


def first_sentences(text: str, limit: int = MAX_POINT_CHARS) -> str:
    """Whole sentences up to about `limit` characters; a text with no sentence end stays whole."""
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    fitting = [end for end in ends if end <= limit]
    if fitting:
        return text[: fitting[-1]].strip()
    return text[: ends[0]].strip() if ends else text


def modules(facts: CommitFacts) -> "OrderedDict[str, list[int]]":
    """Top-level modules by lines changed: module -> [files, added, removed]."""
    table: dict[str, list[int]] = {}
    for change in facts.files:
        module = change.path.split("/", 1)[0] + "/" if "/" in change.path else ""
        row = table.setdefault(module, [0, 0, 0])
        row[0] += 1
        row[1] += change.added
        row[2] += change.removed
    return OrderedDict(sorted(table.items(), key=lambda kv: (-(kv[1][1] + kv[1][2]), -kv[1][0], kv[0])))


def impact_lines(facts: CommitFacts, text: dict) -> list[str]:
    table = modules(facts)
    lines = [
        text["module"].format(module=module or text["root"], files=files, added=added, removed=removed)
        for module, (files, added, removed) in list(table.items())[:MAX_MODULES]
    ]
    if len(table) > MAX_MODULES:
        lines.append(text["more_modules"].format(count=len(table) - MAX_MODULES))
    return lines


def _named(names: list[str], text: dict) -> str:
    shown = names[:MAX_NAMED_FILES]
    more = len(names) - len(shown)
    return text["list_sep"].join(shown) + (f" (+{more})" if more > 0 else "")


def insights(facts: CommitFacts, s: Signals, text: dict) -> dict:
    mods = [m or text["root"] for m in modules(facts)]
    architecture = [
        text["arch_spread"].format(count=len(mods), modules=_named(mods, text)) if len(mods) >= 3
        else text["arch_focused"].format(modules=_named(mods, text))
    ]
    api_files = [f.path for f in facts.files if path_kind(f.path) == "source" and is_public_api(f.path)]
    if api_files:
        architecture.append(text["arch_api"].format(files=_named(api_files, text)))
    added = sum(f.status == "added" for f in facts.files)
    if added >= 3:
        architecture.append(text["arch_added"].format(count=added))
    if s.deleted_files >= 3:
        architecture.append(text["arch_deleted"].format(count=s.deleted_files))
    return {
        "architecture": text["clause_sep"].join(architecture),
        "performance": _performance(facts, text),
        "security": text["sec_signal"] if s.security else text["sec_none"],
        "maintainability": _maintainability(s, text),
        "compatibility": _compatibility(s, text),
    }


def _performance(facts: CommitFacts, text: dict) -> str:
    if facts.conventional_type == "perf":
        return text["perf_type"]
    return text["perf_signal"] if _PERF_WORDS.search(facts.message) else text["perf_none"]


def _maintainability(s: Signals, text: dict) -> str:
    if not s.source_changed:
        return text["maint_no_source"]
    if s.tests_changed:
        return text["maint_tests"].format(count=s.kinds.get("test", 0))
    return text["maint_no_tests"]


def _compatibility(s: Signals, text: dict) -> str:
    for flag, key in ((s.breaking, "compat_breaking"), (s.deps_changed, "compat_deps"), (s.public_api, "compat_api")):
        if flag:
            return text[key]
    return text["compat_none"]


def risks_and_recommendations(s: Signals, text: dict) -> tuple[list[str], list[str]]:
    checks = [
        (s.breaking, "breaking", {}),
        (s.security, "security", {}),
        (s.source_changed and not s.tests_changed, "no_tests", {"lines": s.source_lines}),
        (s.source_lines >= 300, "large", {"lines": s.source_lines}),
        (s.deps_changed, "deps", {}),
        (s.deleted_files > 0, "deleted", {"count": s.deleted_files}),
        (s.ci_changed, "ci", {}),
        (s.binary_files > 0, "binary", {"count": s.binary_files}),
        (s.submodules > 0, "submodule", {"count": s.submodules}),
        (s.large_files > 0, "huge_file", {"count": s.large_files}),
    ]
    found = [(key, values) for flag, key, values in checks if flag] or [("none", {})]
    risks = [text[f"risk_{key}"].format(**values) for key, values in found]
    recommendations = [text[f"rec_{key}"] for key, _ in found]
    return risks, recommendations
