"""Rule-based classification: change type, importance prior with its reasons, and path signals.

Every rule lives in the tables below, in the order it is applied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from ..analysis_spec import TIERS, Reason
from ..facts import salience
from ..git.commits import CommitFacts, FileChange
from ..git.message import clean_body

# "merge" is no longer given (a merge is typed by what it brought); it stays a known value of older reports.
CHANGE_TYPES = ("feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci", "chore", "revert",
                "security", "deps", "config", "release", "sync", "merge")

# Importance a change type starts from, before the adjustments below.
BASE_IMPORTANCE = {
    "feat": "medium", "fix": "medium", "perf": "medium", "refactor": "medium", "revert": "medium",
    "security": "high", "build": "low", "ci": "low", "docs": "low", "test": "low", "chore": "low",
    "style": "low", "deps": "low", "config": "low", "release": "low", "sync": "low", "merge": "low",
}
# A merge that brings at least this many commits is an upstream sync or a long-lived branch: its own entry, typed
# "sync", and what it brought is analysed by the rules (so one sync never costs hundreds of model calls).
SYNC_MIN_COMMITS = 20
# A manifest or lockfile that changes by at most this many lines beside the project's own version bump changes
# nothing else: the bump and the lockfile it regenerates.
VERSION_BUMP_LINES = 4

SECURITY_PATH = re.compile(
    r"(^|[/_.-])(auth|authn|authz|security|crypto|secrets?|passwords?|passwd|ssl|tls|certs?|permissions?|sandbox)"
    r"([/_.-]|$)",
    re.IGNORECASE,
)
SECURITY_MESSAGE = re.compile(
    r"\b(security|vulnerab\w*|cve-\d+|exploit\w*|injection|xss|csrf|ssrf|rce|privilege\w*|authn|authz|authenticat\w*|authoriz\w*|"
    r"credential\w*|password\w*|secret\w*|sanitiz\w*|overflow|denial of service|dos attack|unsafe|"
    r"path traversal|directory traversal)\b",
    re.IGNORECASE,
)

SEVERE_BUG = re.compile(r"\b(data race|race condition|deadlock|corrupt\w*|data loss|lost (requests|data|writes)|"
                        r"use[- ]after[- ]free|segfault|memory leak|panic\w*)\b", re.IGNORECASE)

# Change type from the leading verb of an untyped subject ("nixl_ep: Migrate to ..." reads "Migrate to ...").
LEADING_VERB_TYPES: list[tuple[str, re.Pattern]] = [
    ("feat", re.compile(r"^(add|adds|added|implement\w*|support\w*|introduce\w*|enable\w*|allow\w*|create\w*|new)\b", re.I)),
    # Behaviour put right: relaxing a check that refused valid input, tightening one that let bad input through.
    ("fix", re.compile(r"^(fix\w*|resolve\w*|correct\w*|handle\w*|prevent\w*|avoid\w*|repair\w*|hotfix|"
                       r"relax\w*|loosen\w*|tighten\w*|harden\w*|ensure\w*|restore\w*)\b", re.I)),
    ("refactor", re.compile(r"^(migrate\w*|refactor\w*|move\w*|rename\w*|restructure\w*|reorgani[sz]\w*|"
                            r"simplif\w*|split\w*|extract\w*|replace\w*|rework\w*|unify\w*|consolidate\w*|"
                            r"remove\w*|delete\w*|drop\w*|clean\s*up\w*|cleanup)\b", re.I)),
    ("deps", re.compile(r"^(bump\w*|upgrade\w*|downgrade\w*|update\w*\s+\S+\s+(to|from)\s+v?\d)", re.I)),
    ("perf", re.compile(r"^(speed\w* up|optimi[sz]\w*|accelerate\w*|reduce\w* (latency|memory|allocations))\b", re.I)),
]
_BODY_BULLET = re.compile(r"^\s*(?:[-*\u2022+]|\d+[.)])\s+")
MAX_BODY_LINES_FOR_TYPE = 20
# "scope: rest" of a subject that is not a conventional commit, e.g. "libfabric: CQ batch reads".
UNTYPED_SCOPE = re.compile(r"^(?P<scope>[\w./-]{2,40}):\s+(?P<rest>\S.*)$")

# Change type from words of an untyped subject, first match wins.
SUBJECT_TYPE_SIGNALS: list[tuple[str, re.Pattern]] = [
    ("revert", re.compile(r"^revert\b", re.I)),
    ("security", re.compile(r"\b(security|vulnerab\w*|cve-\d+)\b", re.I)),
    ("fix", re.compile(r"\b(fix\w*|bug\w*|crash\w*|repair\w*|resolve[sd]?|hotfix|regression|patch)\b", re.I)),
    ("perf", re.compile(r"\b(perf|performance|speed\s*up|faster|optimi[sz]\w*|latency)\b", re.I)),
    ("deps", re.compile(r"\b(bump|upgrade|downgrade|dependenc\w*|deps)\b", re.I)),
    ("docs", re.compile(r"\b(docs?|documentation|readme|typo|comment\w*)\b", re.I)),
    ("test", re.compile(r"\b(tests?|testing|coverage|unittest\w*)\b", re.I)),
    ("refactor", re.compile(r"\b(refactor\w*|clean\s*up|cleanup|simplif\w*|rename\w*|restructur\w*|move[sd]?)\b", re.I)),
    ("ci", re.compile(r"\b(ci|pipeline|workflow|github actions)\b", re.I)),
    ("feat", re.compile(r"\b(add\w*|implement\w*|introduc\w*|support\w*|new|enable\w*|allow\w*|feature)\b", re.I)),
]

# A change type from the kinds of paths alone, when every changed file is of that kind.
PATH_ONLY_TYPES = {"docs": "docs", "test": "test", "ci": "ci", "lockfile": "deps", "manifest": "deps",
                   "build": "build", "config": "config"}

LARGE_SOURCE_LINES = 300
LARGE_FEATURE_LINES = 100
SMALL_CHANGE_LINES = 10
MANY_DELETED_SOURCE_FILES = 3
LARGE_DOCS_LINES = 500


@dataclass
class Signals:
    """What the changed paths and the message say, independent of any model."""

    kinds: dict[str, int] = field(default_factory=dict)
    # Line counts of the files this clone holds; when lines_known is False they are a lower bound, never "small".
    source_lines: int = 0
    total_lines: int = 0
    lines_known: bool = True
    contents_reason: str | None = None  # why the commit's contents are (partly) missing from this clone
    source_changed: bool = False
    tests_changed: bool = False
    docs_only: bool = False
    tests_only: bool = False
    ci_only: bool = False
    ci_changed: bool = False
    deps_changed: bool = False
    lockfile_only: bool = False
    # The project's own version bumped, with nothing else than the manifests, the lockfiles it regenerates and docs.
    release_only: bool = False
    public_api: bool = False
    security: bool = False
    deleted_files: int = 0
    deleted_source_files: int = 0
    binary_files: int = 0
    renamed_files: int = 0
    submodules: int = 0
    large_files: int = 0
    breaking: bool = False
    # From the diff facts.
    removed_public: list[str] = field(default_factory=list)
    added_public: list[str] = field(default_factory=list)
    major_bumps: list[str] = field(default_factory=list)
    major_bump_names: list[str] = field(default_factory=list)  # each bumped package once
    undocumented_options: list[str] = field(default_factory=list)
    undocumented_env: list[str] = field(default_factory=list)
    tests_added: int = 0
    severe_bug: bool = False


@dataclass
class Classification:
    change_type: str
    importance: str
    reasons: list[Reason]
    signals: Signals
    team_fixed: bool = False  # a team rule applied: the model's vote does not move the importance


def is_sync(facts: CommitFacts) -> bool:
    """A merge that brought many commits (an upstream sync, a long-lived branch), or any of a named upstream's."""
    return len(facts.brought) >= SYNC_MIN_COMMITS or any(c.upstream for c in facts.brought)


def compute_signals(facts: CommitFacts) -> Signals:
    s = Signals(breaking=facts.breaking, lines_known=facts.lines_known, contents_reason=facts.contents_reason)
    bump_files = version_bump_files(facts)
    for change in facts.files:
        _add_file(s, change, change.path in bump_files)
    kinds = set(s.kinds)
    s.release_only = bool(bump_files) and kinds <= {"manifest", "lockfile", "docs"} and not s.deps_changed
    s.docs_only = bool(kinds) and kinds <= {"docs"}
    s.tests_only = bool(kinds) and kinds <= {"test"}
    s.ci_only = bool(kinds) and kinds <= {"ci"}
    s.lockfile_only = bool(kinds) and kinds <= {"lockfile"}
    s.security = s.security or bool(SECURITY_MESSAGE.search(_title(facts)))
    s.severe_bug = bool(SEVERE_BUG.search(_title(facts)))
    _add_diff_facts(s, facts)
    return s


def _add_diff_facts(s: Signals, facts: CommitFacts) -> None:
    d = facts.diff
    s.removed_public, s.added_public = _public_symbols(facts)
    bumps = [x for x in d.dependencies if x.major and x.change == "changed"]
    s.major_bumps = list(dict.fromkeys(f"{x.name} {x.old} → {x.new}" for x in bumps))  # the same bump in two manifests: once
    s.major_bump_names = list(dict.fromkeys(x.name for x in bumps))
    if not d.docs:
        s.undocumented_options = list(d.options_added)
        s.undocumented_env = list(d.env_added)
    s.tests_added = len(d.tests_added)
    # Tests that live beside the code they test (Rust's #[test], a test function in a source file) are tests too.
    s.tests_changed = s.tests_changed or bool(d.tests_added or d.tests_removed)


def _public_symbols(facts: CommitFacts) -> tuple[list[str], list[str]]:
    """Public interface removed and added, by name: never test code, constructors or destructors; a definition
    moved (paired in the facts) is neither, and one renamed is removed by its old name, which its callers use."""
    d = facts.diff
    changed = {(x.path, x.name) for x in d.symbols_changed}
    added = {x.name for x in d.symbols_added}  # the same name defined again elsewhere is not removed
    removed = [x.name for x in salience.ordered(d.symbols_removed)
               if salience.is_interface(x) and (x.path, x.name) not in changed and x.name not in added]
    removed += [x.old for x in d.renamed if x.what == "symbol" and x.public and x.old not in added]
    return (list(dict.fromkeys(removed)),
            list(dict.fromkeys(x.name for x in salience.ordered(d.symbols_added) if salience.is_interface(x))))


def _title(facts: CommitFacts) -> str:
    return facts.title or facts.subject


def version_bump_files(facts: CommitFacts) -> set[str]:
    """The manifests whose only change is the project's own version, and the lockfiles that bump regenerated: a
    release, never a dependency change."""
    d = facts.diff
    if not d.version_bumps:
        return set()
    bumped = {b.manifest for b in d.version_bumps} - {x.manifest for x in d.dependencies}

    def small(change: FileChange) -> bool:
        return change.lines_known and max(change.added, change.removed) <= VERSION_BUMP_LINES

    found = {f.path for f in facts.files if f.kind == "manifest" and f.path in bumped and small(f)}
    if found and not d.dependencies:
        found |= {f.path for f in facts.files if f.kind == "lockfile" and small(f)}
    return found


def _add_file(s: Signals, change: FileChange, version_only: bool = False) -> None:
    kind = change.kind
    s.kinds[kind] = s.kinds.get(kind, 0) + 1
    lines = (change.added or 0) + (change.removed or 0)  # unknown counts: see Signals.lines_known
    s.total_lines += lines
    if kind == "source":
        s.source_changed = True
        s.source_lines += lines
        s.public_api = s.public_api or change.public_api
        if change.status == "deleted":
            s.deleted_source_files += 1
    s.tests_changed = s.tests_changed or kind == "test"
    s.ci_changed = s.ci_changed or kind == "ci"
    s.deps_changed = s.deps_changed or (kind in ("manifest", "lockfile") and not version_only)
    s.deleted_files += change.status == "deleted"
    s.renamed_files += change.status == "renamed"
    s.binary_files += change.binary
    s.submodules += change.submodule
    s.large_files += change.large
    if kind == "source" and SECURITY_PATH.search(change.path):
        s.security = True


def change_type(facts: CommitFacts, signals: Signals, brought: list["Classification"] | None = None) -> str:
    """The type from the title's conventional prefix, a release's version bump, the paths, the title's words; a
    merge by its title, else by what it brought (an upstream sync is its own type)."""
    if facts.is_merge and is_sync(facts):
        return "sync"
    if facts.conventional_type:
        ctype = _normalise_type(facts.conventional_type, facts.scope)
        if signals.release_only and ctype in ("chore", "build"):
            return "release"
        return "security" if ctype == "fix" and signals.security and not signals.tests_only else ctype
    if signals.release_only:
        return "release"
    subject = _untyped_rest(_title(facts))
    if facts.is_merge:
        return _merge_type(facts, signals, subject, brought or [])
    kinds = set(signals.kinds)
    if len(kinds) == 1 and (only := next(iter(kinds))) in PATH_ONLY_TYPES and only != "manifest":
        return PATH_ONLY_TYPES[only]  # docs-only, tests-only, CI-only... whatever the subject says
    for ctype, pattern in LEADING_VERB_TYPES:
        if pattern.search(subject):
            return ctype
    return _untyped_type(facts, signals, subject)


def _merge_type(facts: CommitFacts, signals: Signals, title: str, brought: list["Classification"]) -> str:
    """A merge: its request title's leading verb, else the type of what it brought (the most important type, then
    the most common), else its title's words when it has a request title, else its paths."""
    for ctype, pattern in LEADING_VERB_TYPES:
        if pattern.search(title):
            return ctype
    if brought:
        return brought_type(brought)
    if facts.request is not None and facts.title != facts.subject:
        return _untyped_type(facts, signals, title)
    kinds = set(signals.kinds)
    if len(kinds) == 1 and (only := next(iter(kinds))) in PATH_ONLY_TYPES:
        return PATH_ONLY_TYPES[only]
    return "chore"


def brought_type(brought: list["Classification"]) -> str:
    """The type of the most important of the commits a merge brought; among equals, the most common, then the
    first brought."""
    ranks: dict[str, tuple[int, int]] = {}
    for cls in brought:
        tier, count = ranks.get(cls.change_type, (-1, 0))
        ranks[cls.change_type] = (max(tier, TIERS.index(cls.importance)), count + 1)
    return max(ranks, key=lambda ctype: ranks[ctype])


def _untyped_type(facts: CommitFacts, signals: Signals, subject: str) -> str:
    """An untyped title that no leading verb types: its words, its paths, its body's verbs, its definitions."""
    kinds = set(signals.kinds)
    for ctype, pattern in SUBJECT_TYPE_SIGNALS:
        if pattern.search(subject):
            return ctype
    if len(kinds) == 1 and (only := next(iter(kinds))) in PATH_ONLY_TYPES:
        return PATH_ONLY_TYPES[only]
    if body_type := _leading_verb_of_body(facts.body):
        return body_type  # a squash merge lists its commits' subjects in the body
    if signals.added_public:
        return "feat"  # new public definitions, whatever the subject's words
    return "chore"


def _leading_verb_of_body(body: str) -> str | None:
    """The type of the first body line that starts with a known verb (bullets and "scope:" ignored)."""
    for line in clean_body(body).splitlines()[:MAX_BODY_LINES_FOR_TYPE]:
        text = _untyped_rest(_BODY_BULLET.sub("", line).strip())
        for ctype, pattern in LEADING_VERB_TYPES:
            if pattern.search(text):
                return ctype
    return None


def _untyped_rest(subject: str) -> str:
    """The subject after a leading "scope: " that is not a conventional type."""
    match = UNTYPED_SCOPE.match(subject)
    return match.group("rest") if match else subject


def _normalise_type(ctype: str, scope: str | None) -> str:
    if ctype in ("chore", "build") and scope and scope.lower() in ("deps", "dependencies", "deps-dev"):
        return "deps"
    return ctype if ctype in CHANGE_TYPES else "chore"


# Each adjustment: (reason code, applies?, effect). Effects: "+1", "-1", "floor:<tier>", "cap:<tier>".
Adjustment = tuple[str, Callable[[str, Signals], bool], str]

ADJUSTMENTS: list[Adjustment] = [
    ("large_change", lambda t, s: s.source_lines >= (LARGE_FEATURE_LINES if t == "feat" else LARGE_SOURCE_LINES), "+1"),
    ("small_change", lambda t, s: s.lines_known and s.total_lines <= SMALL_CHANGE_LINES and not s.breaking, "-1"),
    ("public_api", lambda t, s: s.public_api, "+1"),
    ("deleted_sources", lambda t, s: s.deleted_source_files >= MANY_DELETED_SOURCE_FILES, "+1"),
    # An explicit dependency bump is routine; a manifest change hidden in other work is not.
    ("dependencies", lambda t, s: s.deps_changed and not s.lockfile_only and t != "deps", "floor:medium"),
    ("docs_only", lambda t, s: s.docs_only and s.lines_known and s.total_lines < LARGE_DOCS_LINES, "cap:low"),
    ("docs_only_large", lambda t, s: s.docs_only and s.total_lines >= LARGE_DOCS_LINES, "cap:medium"),
    ("tests_only", lambda t, s: s.tests_only and s.lines_known and s.total_lines < LARGE_SOURCE_LINES, "cap:low"),
    ("tests_only_large", lambda t, s: s.tests_only and s.total_lines >= LARGE_SOURCE_LINES, "cap:medium"),
    ("ci_only", lambda t, s: s.ci_only, "cap:medium"),
    ("severe_bug", lambda t, s: t == "fix" and s.severe_bug, "+1"),
    ("removed_public_symbols", lambda t, s: bool(s.removed_public), "+1"),
    ("major_bump", lambda t, s: bool(s.major_bumps), "floor:medium"),
    ("new_options", lambda t, s: bool(s.undocumented_options), "floor:medium"),
    ("breaking", lambda t, s: s.breaking, "floor:high"),
    ("security", lambda t, s: s.security and not (s.docs_only or s.tests_only), "floor:high"),
]

def classify(facts: CommitFacts, team_rules=()) -> Classification:
    """Type and importance by the built-in rules, then by the team's rules (offline-report.toml [importance])."""
    signals = compute_signals(facts)
    brought = [classify(commit, team_rules) for commit in facts.brought]
    ctype = change_type(facts, signals, brought)
    level = TIERS.index(BASE_IMPORTANCE[ctype])
    reasons = [Reason("type", {"type": ctype, "tier": TIERS[level]})]
    for code, applies, effect in ADJUSTMENTS:
        if not applies(ctype, signals):
            continue
        new_level = _apply(effect, level)
        if new_level != level or effect.startswith("floor"):
            reasons.append(Reason(code, signal_values(code, signals)))
        level = new_level
    level = floor_by_brought(brought, level, reasons)
    level, fixed = apply_team_rules(facts, level, reasons, team_rules)
    return Classification(ctype, TIERS[level], reasons, signals, team_fixed=fixed)


def floor_by_brought(brought: list[Classification], level: int, reasons: list[Reason]) -> int:
    """A merge is at least as important as the most important commit it brought."""
    if not brought:
        return level
    top = max(TIERS.index(cls.importance) for cls in brought)
    if top > level:
        reasons.append(Reason("brought", {"tier": TIERS[top]}))
    return max(level, top)


def apply_team_rules(facts: CommitFacts, level: int, reasons: list[Reason], team_rules) -> tuple[int, bool]:
    """Each rule in turn: its tier is a floor when it matches any changed file (or the subject), and a
    ceiling when it matches every changed file (or the subject). A bound that changes nothing (a floor at
    low, a ceiling at high) is not applied; every applied one adds a team_rule reason naming its pattern."""
    fixed = False
    for rule in team_rules:
        floor, ceiling = rule.bounds(facts)
        bound = TIERS.index(rule.tier)
        effects = [e for e, on in ((f"floor:{rule.tier}", floor and bound > 0),
                                   (f"cap:{rule.tier}", ceiling and bound < len(TIERS) - 1)) if on]
        for effect in effects:
            level = _apply(effect, level)
        if effects:
            fixed = True
            reasons.append(Reason("team_rule", {"pattern": rule.pattern, "tier": rule.tier}))
    return level, fixed


def _apply(effect: str, level: int) -> int:
    if effect == "+1":
        return min(level + 1, len(TIERS) - 1)
    if effect == "-1":
        return max(level - 1, 0)
    kind, tier = effect.split(":")
    bound = TIERS.index(tier)
    return max(level, bound) if kind == "floor" else min(level, bound)


LARGE_UNTESTED_LINES = 300


def day_risks(facts: CommitFacts, s: Signals) -> list[Reason]:
    """What a reader of the day overview should not miss in this commit."""
    found = [
        (facts.breaking, "breaking", {"subject": facts.subject}),
        (bool(s.removed_public), "removed_public", {"items": s.removed_public[:5]}),
        (bool(s.major_bumps), "major_bump", {"items": s.major_bumps[:3]}),
        (s.security and not (s.docs_only or s.tests_only), "security", {"subject": facts.subject}),
        (s.source_lines >= LARGE_UNTESTED_LINES and not s.tests_changed, "large_untested", {"lines": s.source_lines}),
    ]
    return [Reason(code, values) for applies, code, values in found if applies]


# The values each reason's sentence uses (JSON importance_reasons[].values): numbers, and lists of names.
REASON_VALUES = {"large_change": ("source_lines",), "small_change": ("total_lines",),
                 "deleted_sources": ("deleted_source_files",), "removed_public_symbols": ("symbols",),
                 "major_bump": ("bumps",), "new_options": ("options",)}


def signal_values(code: str, s: Signals) -> dict:
    """The numbers and names the reason `code` names, the same in every language."""
    found = {"source_lines": s.source_lines, "total_lines": s.total_lines, "deleted_source_files": s.deleted_source_files,
             "symbols": s.removed_public[:3], "bumps": s.major_bumps[:3], "options": s.undocumented_options[:3]}
    return {key: found[key] for key in REASON_VALUES.get(code, ())}
