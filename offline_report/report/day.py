"""The day model: commits per repository, grouped by importance, with stats and unique anchors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..rules.classify import TIERS
from ..git.commits import CommitFacts

GROUP_ORDER = tuple(reversed(TIERS))  # high first


@dataclass
class CommitEntry:
    facts: CommitFacts
    change_type: str
    importance: str
    importance_reasons: list[str]
    analysis: dict
    anchor: str = ""
    rule_importance: str | None = None
    vote: dict | None = None


@dataclass
class Group:
    tier: str
    anchor: str
    commits: list[CommitEntry]


@dataclass
class RepoDay:
    name: str
    path: str
    commits: list[CommitEntry]
    anchor: str = ""
    stats_anchor: str = ""
    toc_anchor: str = ""
    groups: list[Group] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def stats(self) -> dict:
        counts = {tier: 0 for tier in GROUP_ORDER}
        for entry in self.commits:
            counts[entry.importance] += 1
        return {"total": len(self.commits), **counts}


@dataclass
class DayReport:
    day: date
    lang: str
    tz_name: str
    repos: list[RepoDay]
    run: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(r.commits) for r in self.repos)


class AnchorRegistry:
    """Hands out anchor ids that are unique within one file."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def take(self, wanted: str) -> str:
        base = slug(wanted) or "section"
        anchor, n = base, 2
        while anchor in self._used:
            anchor, n = f"{base}-{n}", n + 1
        self._used.add(anchor)
        return anchor


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def build_day(day: date, lang: str, tz_name: str, repos: list[tuple[str, str, list[CommitEntry]]]) -> DayReport:
    """repos: (name, path, entries newest first). Groups keep that order within each tier."""
    anchors = AnchorRegistry()
    report = DayReport(day=day, lang=lang, tz_name=tz_name, repos=[])
    for name, path, entries in repos:
        repo = RepoDay(name=name, path=path, commits=entries)
        repo.anchor = anchors.take(name)
        repo.stats_anchor = anchors.take(f"{name}-stats")
        repo.toc_anchor = anchors.take(f"{name}-toc")
        for entry in entries:
            entry.anchor = anchors.take(entry.facts.short_sha)
        for tier in GROUP_ORDER:
            members = [e for e in entries if e.importance == tier]
            if members:
                repo.groups.append(Group(tier, anchors.take(f"{name}-{tier}"), members))
        report.repos.append(repo)
    return report
