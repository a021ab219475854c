"""Deterministic analysis built only from git facts: every section of a tier, no model needed."""

from __future__ import annotations

import re
from collections import OrderedDict

from ..analysis import fields_of
from ..catalog import catalog
from .classify import Classification, Signals
from ..git.commits import CommitFacts

MAX_SUMMARY_BULLETS = 6
MAX_MODULES = 8
MAX_NAMED_FILES = 3
MAX_POINT_CHARS = 300
_SENTENCE_END = re.compile(r"(?<=[.!?\u3002\uff01\uff1f])(\s+|$)")
_TRAILER = re.compile(
    r"^(Signed-off-by|Co-authored-by|Reviewed-by|Acked-by|Tested-by|Reported-by|Suggested-by|Helped-by|Cc|"
    r"Change-Id|Fixes|Closes|Refs|See-also|This reverts commit)\b",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+")
_PERF_WORDS = re.compile(r"\b(perf|performance|latency|throughput|faster|slower|slowdown|speed\s*up|optimi[sz]\w*)\b", re.I)

def analysis_for(tier: str, facts: CommitFacts, cls: Classification, lang: str) -> dict:
    """The rule-based analysis of one commit: one writer per field of the tier's spec."""
    text = catalog(lang)["rules"]
    writers = {
        "line": lambda: low_line(facts, text),
        "summary": lambda: summary_bullets(facts, text),
        "impact": lambda: impact_lines(facts, text),
        "insights": lambda: insights(facts, cls.signals, text),
        "risks": lambda: risks_and_recommendations(cls.signals, text)[0],
        "recommendations": lambda: risks_and_recommendations(cls.signals, text)[1],
    }
    return {spec.name: writers["line" if spec.shape == "line" else spec.name]() for spec in fields_of(tier)}


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
    api_files = [f.path for f in facts.files if f.public_api]
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
