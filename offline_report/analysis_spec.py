"""The analysis of one commit: the per-tier field spec, the Analysis and Vote values built from it, the CommitEntry a
run's analysis produces, and the Analyzer protocol that the rule and the model analyzers implement.

The spec below is the single description of what each tier holds. The JSON schema the model is bound
to (llm/schema.py), the guard's shape check (llm/guard.py), the prompt's field list (llm/prompts.py),
the rule writer (rules/writer.py) and the templates' loop (templates/analysis.md.j2) all read it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .git.commits import CommitFacts

TIERS = ("low", "medium", "high")
INSIGHT_KEYS = ("architecture", "performance", "security", "maintainability", "compatibility")


@dataclass(frozen=True)
class FieldSpec:
    """One field of an analysis: its JSON shape, how a report shows it, and what the model is asked for."""

    name: str
    shape: str  # "line": one string; "list": a list of strings; "insights": one string per INSIGHT_KEYS
    style: str  # "line", "bullets", "numbered" or "labelled": how the templates show it
    label: str  # the catalogue key of its heading
    guidance: str  # what the model is asked to write (to the model, so in English)
    max_items: int = 1
    max_chars: int = 300

    def as_dict(self) -> dict:
        return asdict(self)


def _list(name: str, style: str, guidance: str, max_items: int) -> FieldSpec:
    return FieldSpec(name, "list", style, name, guidance, max_items)


TIER_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "high": (
        _list("summary", "bullets", "2 to 4 short sentences on what changed", 4),
        _list("impact", "bullets", "the modules or users affected", 4),
        FieldSpec("insights", "insights", "labelled", "insights",
                  "one sentence each for architecture, performance, security, maintainability and compatibility"),
        _list("risks", "numbered", "concrete things that could break", 4),
        _list("recommendations", "numbered", "concrete actions for reviewers", 4),
    ),
    "medium": (
        _list("summary", "bullets", "1 to 3 short sentences on what changed", 3),
        _list("impact", "bullets", "the modules or users affected", 3),
        _list("recommendations", "numbered", "concrete actions for reviewers", 3),
    ),
    "low": (FieldSpec("summary", "line", "line", "low_summary", "one short sentence saying what changed"),),
}
# The output budget of each tier, in tokens.
MAX_TOKENS = {"high": 640, "medium": 360, "low": 120}


def fields_of(tier: str) -> tuple[FieldSpec, ...]:
    return TIER_FIELDS[tier]


@dataclass
class Analysis:
    """What a report says about one commit beyond its facts, and who wrote it."""

    tier: str
    fields: dict[str, Any]
    source: str = "rules"  # "model" or "rules"
    from_cache: bool = False
    fallback_reason: str | None = None  # a guard reason code when the rules stood in for the model
    rejected: list[dict] | None = None  # rejected model answers, kept on request

    def stored(self) -> dict:
        """What the cache keeps of a model's analysis: its fields as the model wrote them."""
        data = {"source": self.source, "from_cache": self.from_cache, "fallback_reason": self.fallback_reason}
        if self.rejected is not None:
            data["rejected"] = self.rejected
        return data | {spec.name: self.fields[spec.name] for spec in fields_of(self.tier)}

    def as_json(self, lang: str) -> dict:
        """The analysis as JSON: a fallback cause and each risk as {code, values, text} (a risk the model wrote in its
        own words has no code)."""
        from .catalog import coded

        fallback = coded(lang, "fallback", self.fallback_reason) if self.fallback_reason else None
        data = {"source": self.source, "from_cache": self.from_cache, "fallback_reason": fallback}
        if self.rejected is not None:
            data["rejected"] = self.rejected
        fields = {spec.name: self.fields[spec.name] for spec in fields_of(self.tier)}
        if "risks" in fields:
            fields["risks"] = [risk if isinstance(risk, dict) else {"code": None, "values": {}, "text": risk}
                               for risk in fields["risks"]]
        return data | fields


@dataclass
class Vote:
    """The model's importance vote from pass 1."""

    importance: str
    reason: str
    method: str
    seconds: float = 0.0
    counted: bool = False

    def cached(self) -> dict:
        return {"importance": self.importance, "reason": self.reason, "method": self.method, "seconds": self.seconds}

    def as_json(self) -> dict:
        return {"importance": self.importance, "reason": self.reason, "method": self.method, "counted": self.counted}


@dataclass
class Reason:
    """A reason code with the values its catalogue sentence needs."""

    code: str
    values: dict = field(default_factory=dict)


@dataclass
class CommitEntry:
    """One commit as a run analysed it: its facts, type and importance with their reasons, its analysis and vote;
    a merge's entry holds the entries of the commits it brought. Reports serialise it (report/day.py)."""

    facts: CommitFacts
    change_type: str
    importance: str
    reasons: list[Reason]
    rule_importance: str
    analysis: Analysis | None = None
    vote: Vote | None = None
    anchor: str = ""
    risks: list[Reason] = field(default_factory=list)  # the commit's risks for the day overview
    brought: list[CommitEntry] = field(default_factory=list)  # a merge's: the commits it brought, newest first

    def members(self) -> list[CommitEntry]:
        """The entry and the commits it brought: every commit it stands for."""
        return [self, *self.brought]


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
