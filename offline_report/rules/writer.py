"""Deterministic analysis built only from git facts: every section of a tier, no model needed."""

from __future__ import annotations

import re
from collections import OrderedDict

from ..analysis_spec import fields_of
from ..catalog import catalog
from . import facts_text
from .classify import Classification, Signals
from ..git.commits import CommitFacts

MAX_SUMMARY_BULLETS = 10
MAX_MODULES = 8
MAX_NAMED_FILES = 3
MAX_NAMED_SYMBOLS = 5
_PERF_WORDS = re.compile(r"\b(perf|performance|latency|throughput|faster|slower|slowdown|speed\s*up|optimi[sz]\w*)\b", re.I)

def analysis_for(tier: str, facts: CommitFacts, cls: Classification, lang: str) -> dict:
    """The rule-based analysis of one commit: one writer per field of the tier's spec."""
    words = catalog(lang)
    text = words["rules"]
    found: dict[str, tuple[list[str], list[str]]] = {}

    def risks_and_recs() -> tuple[list[str], list[str]]:  # one list of checks feeds both fields
        if "both" not in found:
            found["both"] = risks_and_recommendations(cls.signals, text, words["clone"])
        return found["both"]

    writers = {
        "line": lambda: low_line(facts, cls, words),
        "summary": lambda: summary_bullets(facts, words),
        "impact": lambda: impact_lines(facts, text, words["clone"]),
        "insights": lambda: insights(facts, cls.signals, text),
        "risks": lambda: risks_and_recs()[0],
        "recommendations": lambda: risks_and_recs()[1],
    }
    return {spec.name: writers["line" if spec.shape == "line" else spec.name]() for spec in fields_of(tier)}


def fact_lines(facts: CommitFacts, words: dict) -> list[str]:
    """What the diff says by name (facts_text.py words each kind of fact)."""
    return facts_text.fact_lines(facts.diff, words)


def low_line(facts: CommitFacts, cls: Classification, words: dict) -> str:
    found = fact_lines(facts, words)
    what = found[0] if found else words["types"].get(cls.change_type, cls.change_type)
    if not facts.files_known:
        return words["clone"]["low_line_absent"].format(what=what, why=_why(facts, words))
    if not facts.lines_known:
        return words["clone"]["low_line_unknown"].format(what=what, files=len(facts.files))
    return words["rules"]["low_line"].format(what=what, files=len(facts.files), added=facts.added,
                                             removed=facts.removed)


def _why(facts: CommitFacts, words: dict) -> str:
    """Why this clone lacks the commit's contents, in the report's language."""
    return words["clone"]["why"].get(facts.contents_reason or "", facts.contents_reason or "")


def summary_bullets(facts: CommitFacts, words: dict) -> list[str]:
    """The facts by name, then the size; never the message's own lines (they are shown as they are)."""
    text = words["rules"]
    bullets = fact_lines(facts, words)[:MAX_SUMMARY_BULLETS - 1]
    if not facts.files_known:
        bullets.append(words["clone"]["files_absent"].format(why=_why(facts, words)))
    elif not facts.lines_known:
        bullets.append(words["clone"]["files_changed_unknown"].format(files=len(facts.files)))
    else:
        bullets.append(text["files_changed"].format(files=len(facts.files), added=facts.added, removed=facts.removed))
    return bullets


def modules(facts: CommitFacts) -> "OrderedDict[str, list[int]]":
    """Top-level modules by lines changed: module -> [files, added, removed, files with unknown line counts]."""
    table: dict[str, list[int]] = {}
    for change in facts.files:
        module = change.path.split("/", 1)[0] + "/" if "/" in change.path else ""
        row = table.setdefault(module, [0, 0, 0, 0])
        row[0] += 1
        row[1] += change.added or 0
        row[2] += change.removed or 0
        row[3] += not change.lines_known
    return OrderedDict(sorted(table.items(), key=lambda kv: (-(kv[1][1] + kv[1][2]), -kv[1][0], kv[0])))


def impact_lines(facts: CommitFacts, text: dict, clone: dict | None = None) -> list[str]:
    table = modules(facts)
    if clone is not None and not facts.files_known:
        return [clone["files_absent"].format(why=clone["why"].get(facts.contents_reason or "", ""))]
    lines = [
        text["module"].format(module=module or text["root"], files=files, added=added, removed=removed)
        if not unknown or clone is None else clone["module_unknown"].format(module=module or text["root"], files=files)
        for module, (files, added, removed, unknown) in list(table.items())[:MAX_MODULES]
    ]
    if len(table) > MAX_MODULES:
        lines.append(text["more_modules"].format(count=len(table) - MAX_MODULES))
    return lines


def _named(names: list[str], text: dict, limit: int = MAX_NAMED_FILES) -> str:
    shown = names[:limit]
    more = len(names) - len(shown)
    return text["list_sep"].join(shown) + (text["and_more"].format(count=more) if more > 0 else "")


def insights(facts: CommitFacts, s: Signals, text: dict) -> dict:
    mods = [m or text["root"] for m in modules(facts)]
    architecture = [
        text["arch_spread"].format(count=len(mods), modules=_named(mods, text)) if len(mods) >= 3
        else text["arch_focused"].format(modules=_named(mods, text))
    ] if facts.files_known else []  # no file list in this clone: nothing to say of its modules
    api_files = [f.path for f in facts.files if f.public_api]
    if api_files:
        architecture.append(text["arch_api"].format(files=_named(api_files, text)))
    added = sum(f.status == "added" for f in facts.files)
    if added >= 3:
        architecture.append(text["arch_added"].format(count=added))
    if s.deleted_files >= 3:
        architecture.append(text["arch_deleted"].format(count=s.deleted_files))
    if s.added_public:
        architecture.append(text["arch_public_added"].format(items=_named(s.added_public, text)))
    found = {
        "architecture": text["clause_sep"].join(architecture),
        "performance": _performance(facts, text),
        "security": text["sec_signal"] if s.security else "",
        "maintainability": _maintainability(s, text),
        "compatibility": _compatibility(s, text),
    }
    return {key: value for key, value in found.items() if value}  # nothing to say: no filler


def _performance(facts: CommitFacts, text: dict) -> str:
    if facts.conventional_type == "perf":
        return text["perf_type"]
    return text["perf_signal"] if _PERF_WORDS.search(facts.message) else ""


def _maintainability(s: Signals, text: dict) -> str:
    if not s.source_changed:
        return ""
    if s.tests_added:
        return text["maint_tests_added"].format(count=s.tests_added)
    if s.tests_changed:
        return text["maint_tests"].format(count=s.kinds.get("test", 0))
    return text["maint_no_tests"]


def _compatibility(s: Signals, text: dict) -> str:
    if s.removed_public:
        return text["compat_removed"].format(items=_named(s.removed_public, text))
    for flag, key in ((s.breaking, "compat_breaking"), (s.deps_changed, "compat_deps"), (s.public_api, "compat_api")):
        if flag:
            return text[key]
    return ""


def risks_and_recommendations(s: Signals, text: dict, clone: dict | None = None) -> tuple[list[dict], list[str]]:
    """The risks as {code, values, text} (code and values the same in every language) and a recommendation for each."""
    unknown = not s.lines_known and clone is not None
    checks = [
        (s.breaking, "breaking", {}),
        (s.security, "security", {}),
        (bool(s.removed_public), "removed_public", {"items": s.removed_public}),
        (bool(s.major_bumps), "major_bump", {"items": s.major_bumps}),
        (bool(s.undocumented_options), "undocumented_options", {"items": s.undocumented_options}),
        (bool(s.undocumented_env), "undocumented_env", {"items": s.undocumented_env}),
        (s.source_changed and not s.tests_changed and not unknown, "no_tests", {"lines": s.source_lines}),
        (s.source_lines >= 300, "large", {"lines": s.source_lines}),
        (s.deps_changed, "deps", {}),
        (s.deleted_files > 0, "deleted", {"count": s.deleted_files}),
        (s.ci_changed, "ci", {}),
        (s.binary_files > 0, "binary", {"count": s.binary_files}),
        (s.submodules > 0, "submodule", {"count": s.submodules}),
        (s.large_files > 0, "huge_file", {"count": s.large_files}),
    ]
    found = [(key, values) for flag, key, values in checks if flag]
    risks = [_risk(key, values, text[f"risk_{key}"], text) for key, values in found]
    # A recommendation names each package once, however many manifests bumped it.
    rec_values = {"major_bump": {"items": s.major_bump_names}}
    recommendations = [text[f"rec_{key}"].format(**_shown(rec_values.get(key, values), text)) for key, values in found]
    if unknown:  # what could not be read is said, never guessed
        if s.source_changed and not s.tests_changed:
            risks.append(_risk("no_tests_unknown", {}, clone["risk_no_tests_unknown"], text))
            recommendations.append(text["rec_no_tests"])
        why = s.contents_reason or ""
        risks.append(_risk("contents", {"why": why}, clone["risk_contents"], text, why=clone["why"].get(why, "")))
        recommendations.append(clone["rec_contents"])
    if not risks:
        risks, recommendations = [_risk("none", {}, text["risk_none"], text)], [text["rec_none"]]
    return risks, recommendations


def _shown(values: dict, text: dict) -> dict:
    """Values as a sentence shows them: a list of names as "a, b, c and 2 more"."""
    return {key: _named(value, text) if isinstance(value, list) else value for key, value in values.items()}


def _risk(code: str, values: dict, sentence: str, text: dict, **shown) -> dict:
    kept = {key: list(value) if isinstance(value, list) else value for key, value in values.items()}
    return {"code": code, "values": kept, "text": sentence.format(**(_shown(values, text) | shown))}
