"""The day model: commits per repository, grouped by importance, with stats, unique anchors, and its one serialisation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..analysis_spec import TIERS, CommitEntry
from ..catalog import catalog, coded
from ..git.message import clean_body
from ..record.selection import Coverage
from ..rules.classify import SYNC_MIN_COMMITS, is_sync  # noqa: F401 - where the report's readers look
from ..rules.writer import modules
from .views import View, day_view

GROUP_ORDER = tuple(reversed(TIERS))  # high first
SCHEMA_VERSION = 1  # of the JSON output: schemas/day-report.v1.schema.json
MAX_OVERVIEW_TOP = 5
MAX_OVERVIEW_MODULES = 5
MAX_OVERVIEW_AUTHORS = 5


def merge_summary(entry: CommitEntry) -> dict | None:
    """What a merge brought, at a glance: how many, by whom, written when, and the local patches it touches."""
    if not entry.brought:
        return None
    people = sorted({e.facts.author for e in entry.brought}, key=str.casefold)
    written = sorted(e.facts.author_time.date() for e in entry.brought)
    return {"commits": len(entry.brought), "authors": people, "first": written[0].isoformat(),
            "last": written[-1].isoformat(), "sync": is_sync(entry.facts),
            "upstream_commits": sum(bool(e.facts.upstream) for e in entry.brought),
            "local_patches": entry.facts.local_patches}


def entry_json(entry: CommitEntry, lang: str) -> dict:
    """A commit entry as `--format json` writes it."""
    f = entry.facts
    return {
        "sha": f.sha,
        "short_sha": f.short_sha,
        "time": f.time.isoformat(),
        "author_time": f.author_time.isoformat(),
        "committer_time": f.time.isoformat(),
        "landed_at": f.landed_at.isoformat(),
        "late": f.late,
        "via": f.via,
        "upstream": f.upstream,
        "author": f.author,
        "email": f.email,
        "subject": f.subject,
        "title": f.title or f.subject,
        "message": f.message,
        "body": clean_body(f.body),
        "url": f.url,
        "files": [c.as_json() for c in f.files] if f.files_known else None,
        "facts": f.diff.as_json() if f.files_known else None,
        "added": f.added,
        "removed": f.removed,
        "change_type": entry.change_type,
        "scope": f.scope,
        "breaking": f.breaking,
        "pr": f.pr_number,
        "pr_url": f.request_url,
        "request": f.request.as_json() if f.request else None,
        "merge": f.is_merge,
        "importance": entry.importance,
        "rule_importance": entry.rule_importance,
        "importance_reasons": [coded(lang, "reasons", r.code, r.values) for r in entry.reasons],
        "vote": entry.vote.as_json() if entry.vote else None,
        "analysis": entry.analysis.as_json(lang) if entry.analysis else None,
        "anchor": entry.anchor,
        "contents": f.contents,
        "contents_reason": f.contents_reason,
        "merge_summary": merge_summary(entry),
        "brought": [entry_json(member, lang) for member in entry.brought],
    }


@dataclass
class RepoDay:
    name: str
    path: str
    commits: list[CommitEntry]
    anchors: dict[str, str] = field(default_factory=dict)  # section, stats, toc, and one per tier present
    # Catalogue keys of the report section, or (section, key, values) for a sentence with values.
    notes: list = field(default_factory=list)
    summary: dict | None = None  # the overview's paragraph: {"source": "model" | "rules", "text"}
    coverage: Coverage | None = None  # how many commits landed and how many of them are here
    # A week's, month's or range's public API changes between its two ends: (base name, tip name, [ApiChange]).
    api: tuple | None = None

    @property
    def landed(self) -> list[CommitEntry]:
        """Every commit of the section: the entries and what merges brought."""
        return [member for entry in self.commits for member in entry.members()]

    @property
    def stats(self) -> dict:
        counts = {tier: 0 for tier in GROUP_ORDER}
        for entry in self.commits:
            counts[entry.importance] += 1
        return {"total": len(self.commits), "commits": len(self.landed), **counts}

    def as_json(self, lang: str) -> dict:
        words = catalog(lang)["report"]
        return {
            "name": self.name,
            "path": self.path,
            "stats": self.stats,
            "notes": [words[note] if isinstance(note, str) else catalog(lang)[note[0]][note[1]].format(**note[2])
                      for note in self.notes],
            "overview": self.overview(lang),
            "coverage": self.coverage.as_json() if self.coverage else None,
            "commits": [entry_json(entry, lang) for entry in self.commits],
            "anchors": self.anchors,
            "api_changes": self.api_json(lang) if self.api is not None else None,
        }

    def api_json(self, lang: str) -> dict:
        """The API changes as data, each with its words (`text`) and the anchor of the commit that did it."""
        from ..rules.facts_text import api_change_text

        base, tip, changes = self.api
        anchors = {m.facts.sha: m.anchor for e in self.commits for m in e.members() if m.anchor}
        return {"base": base, "tip": tip,
                "changes": [change.as_json() | {"anchor": anchors.get(change.sha),
                                                "text": api_change_text(change, lang)} for change in changes]}

    def overview(self, lang: str) -> dict:
        """The day at a glance: the numbers, the changes that matter most, and the risks gathered.

        Each commit is counted once: a merge's lines, files, highlights and risks are those of its diff against its
        first parent, which holds what it brought; the commit and author counts include what merges brought."""
        landed = self.landed
        by_weight = sorted(self.commits, key=lambda e: (-TIERS.index(e.importance),
                                                          -((e.facts.added or 0) + (e.facts.removed or 0))))
        top = [e for e in by_weight if e.importance != "low"][:MAX_OVERVIEW_TOP]
        return {
            "numbers": {"commits": len(landed), "entries": len(self.commits), "authors": len({(e.facts.author, e.facts.email) for e in landed}),
                        "files": len({f.path for e in self.commits for f in e.facts.files}),
                        "added": sum(e.facts.added or 0 for e in self.commits),
                        "removed": sum(e.facts.removed or 0 for e in self.commits)},
            "authors": most_active(landed),
            "modules": modules_touched(self.commits),
            "top": [{"short_sha": e.facts.short_sha, "subject": e.facts.subject,
                     "title": e.facts.title or e.facts.subject, "importance": e.importance,
                     "anchor": e.anchor, "added": e.facts.added, "removed": e.facts.removed} for e in top],
            "risks": [coded(lang, "overview", r.code, r.values) | {"short_sha": e.facts.short_sha, "anchor": e.anchor}
                      for e in self.commits for r in e.risks],
            "summary": self.summary,
        }


def most_active(entries: list[CommitEntry]) -> list[dict]:
    """The authors with the most commits (what merges brought included), most first."""
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.facts.author] = counts.get(entry.facts.author, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))
    return [{"author": author, "commits": count} for author, count in ranked[:MAX_OVERVIEW_AUTHORS]]


def modules_touched(entries: list[CommitEntry]) -> list[dict]:
    """The top-level modules touched most (by lines; each entry once, a merge by its own diff)."""
    table: dict[str, dict] = {}
    for entry in entries:
        for module, (files, added, removed, _) in modules(entry.facts).items():
            row = table.setdefault(module, {"module": module, "commits": 0, "added": 0, "removed": 0})
            row["commits"] += 1
            row["added"] += added
            row["removed"] += removed
    ranked = sorted(table.values(), key=lambda r: (-(r["added"] + r["removed"]), -r["commits"], r["module"]))
    return ranked[:MAX_OVERVIEW_MODULES]


@dataclass
class DayReport:
    """One report: a day's, or a week's, a month's or a release range's (its view)."""

    day: date  # the last day it covers
    lang: str
    tz_name: str
    repos: list[RepoDay]
    run: dict = field(default_factory=dict)
    view: View | None = None  # None: the day itself

    def __post_init__(self) -> None:
        self.view = self.view or day_view(self.day)

    @property
    def total(self) -> int:
        return sum(len(r.commits) for r in self.repos)

    def as_json(self) -> dict:
        """The day as data: written as the JSON output, and the context every template renders from."""
        return {"schema_version": SCHEMA_VERSION, "date": self.day.isoformat(), "view": self.view.as_json(),
                "lang": self.lang, "tz": self.tz_name,
                "repos": [repo.as_json(self.lang) for repo in self.repos], "run": self.run}


# Why a commit's contents are missing -> the [clone] note that says so once per day section.
CONTENTS_NOTES = {"missing_blobs": "partial_clone", "missing_trees": "trees_absent",
                  "shallow_boundary": "shallow_boundary"}


def contents_notes(entries: list[CommitEntry]) -> list[tuple[str, str, dict]]:
    """One note per kind of missing contents among a day's commits, with how many commits it concerns."""
    counts: dict[str, int] = {}
    for entry in entries:
        reason = entry.facts.contents_reason
        if reason in CONTENTS_NOTES:
            counts[reason] = counts.get(reason, 0) + 1
    return [("clone", CONTENTS_NOTES[reason], {"count": counts[reason]}) for reason in CONTENTS_NOTES
            if reason in counts]


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


def build_day(day: date, lang: str, tz_name: str, repos: list[tuple[str, str, list[CommitEntry]]],
              view: View | None = None) -> DayReport:
    """repos: (name, path, entries newest first). Groups keep that order within each tier."""
    anchors = AnchorRegistry()
    report = DayReport(day=day, lang=lang, tz_name=tz_name, repos=[], view=view)
    for name, path, entries in repos:
        repo = RepoDay(name=name, path=path, commits=entries)
        repo.anchors = {"section": anchors.take(name), "stats": anchors.take(f"{name}-stats"),
                        "toc": anchors.take(f"{name}-toc")}
        if report.view.kind != "day":
            repo.anchors["types"] = anchors.take(f"{name}-types")
        for entry in entries:
            for member in entry.members():
                member.anchor = anchors.take(member.facts.short_sha)
        for tier in GROUP_ORDER:
            if any(e.importance == tier for e in entries):
                repo.anchors[tier] = anchors.take(f"{name}-{tier}")
        report.repos.append(repo)
    return report
