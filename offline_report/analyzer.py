"""What analysing produces and who produces it: the Analyzer protocol that the rule and the model analyzers implement."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .git.commits import CommitFacts

if TYPE_CHECKING:
    from .report.day import CommitEntry


class Analyzer(Protocol):
    """Turns a day's decoded commits into report entries."""

    def analyze_day(self, commits: list[CommitFacts], progress=None) -> list[CommitEntry]: ...

    def plan(self, commits: list[CommitFacts]) -> str | None:
        """One line on what the run will cost, or None when it is cheap."""

    def day_summary(self, entries: list[CommitEntry], fresh: bool = True) -> dict | None:
        """The overview's paragraph for one repository's day (or period): {"source", "text"}, or None; with fresh
        False, only what needs no new model call."""

    def finish(self) -> None:
        """Whatever the analyzer keeps for the next run."""

    def analyze_by_rules(self, commits: list[CommitFacts], progress=None) -> list[CommitEntry]:
        """Entries analysed by the rules alone, whatever the run's analyzer (what an upstream sync brought)."""
