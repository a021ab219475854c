"""The analysis from git facts alone (RuleAnalyzer, one of the two analysis_spec.Analyzer; the model's is in llm/)."""

from __future__ import annotations

from ..analysis_spec import Analysis, CommitEntry
from ..git.commits import CommitFacts
from .classify import Classification, classify, day_risks
from .writer import analysis_for
from ..stats import RunStats


def contents_key(facts: CommitFacts) -> tuple:
    """Part of a cache key: what of the commit this clone held, so that an answer made without its contents is
    made again once the objects arrive (git fetch --unshallow). Empty for a complete commit: old keys stay valid."""
    return () if facts.contents == "complete" else (facts.contents, facts.contents_reason)


def rule_entry(facts: CommitFacts, cls: Classification) -> CommitEntry:
    return CommitEntry(facts=facts, change_type=cls.change_type, importance=cls.importance, reasons=list(cls.reasons),
                       rule_importance=cls.importance, risks=day_risks(facts, cls.signals))


def rule_analysis(tier: str, facts: CommitFacts, cls: Classification, lang: str,
                  fallback_reason: str | None = None, from_cache: bool = False) -> Analysis:
    return Analysis(tier, analysis_for(tier, facts, cls, lang), source="rules", from_cache=from_cache,
                    fallback_reason=fallback_reason)


class RuleAnalyzer:
    """Analysis from git facts alone (--no-llm)."""

    def __init__(self, lang: str, stats: RunStats, team_rules=()):
        self.lang = lang
        self.stats = stats
        self.team_rules = team_rules

    def plan(self, commits: list[CommitFacts]) -> str | None:
        return None

    def day_summary(self, entries: list[CommitEntry], fresh: bool = True) -> dict | None:
        return None  # the overview's numbers, highlights and risks come from the facts alone

    def finish(self) -> None:
        return None

    def analyze_day(self, commits: list[CommitFacts], progress=None) -> list[CommitEntry]:
        entries = []
        for facts in commits:
            cls = classify(facts, self.team_rules)
            entry = rule_entry(facts, cls)
            entry.analysis = rule_analysis(cls.importance, facts, cls, self.lang)
            self.stats.count("rule_analyses")
            entries.append(entry)
            if progress:
                progress.advance()
        return entries

    analyze_by_rules = analyze_day
