"""Per-commit analysis: rule classification, then the cache or the model, the guard, and the rule fallback."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from .classify import classify
from .gitlog import CommitFacts
from .report import CommitEntry
from .rules import analysis_for


@dataclass
class RunStats:
    """What one run did; serialised as the JSON `run` object and the report footer."""

    use_llm: bool = True
    model: str | None = None
    model_label: str | None = None
    model_loaded: bool = False
    model_calls: int = 0
    model_analyses: int = 0
    cache_hits: int = 0
    rule_analyses: int = 0
    fallbacks: int = 0
    fallback_reasons: Counter = field(default_factory=Counter)
    prompt_tokens: int = 0
    generated_tokens: int = 0
    generation_s: float = 0.0
    votes_counted: bool | None = None
    started: float = field(default_factory=time.monotonic)

    def as_dict(self) -> dict:
        wall = time.monotonic() - self.started
        return {
            "use_llm": self.use_llm,
            "model": self.model,
            "model_label": self.model_label,
            "model_loaded": self.model_loaded,
            "model_calls": self.model_calls,
            "model_analyses": self.model_analyses,
            "cache_hits": self.cache_hits,
            "rule_analyses": self.rule_analyses,
            "fallbacks": self.fallbacks,
            "fallback_reasons": dict(self.fallback_reasons),
            "prompt_tokens": self.prompt_tokens,
            "generated_tokens": self.generated_tokens,
            "tokens_per_s": round(self.generated_tokens / self.generation_s, 2) if self.generation_s else None,
            "votes_counted": self.votes_counted,
            "wall_s": round(wall, 3),
        }


class RuleAnalyzer:
    """Analysis from git facts alone (--no-llm)."""

    def __init__(self, lang: str, stats: RunStats):
        self.lang = lang
        self.stats = stats

    def analyze(self, facts: CommitFacts) -> CommitEntry:
        cls = classify(facts, self.lang)
        analysis = rule_analysis(cls.importance, facts, cls, self.lang)
        self.stats.rule_analyses += 1
        return CommitEntry(facts=facts, change_type=cls.change_type, importance=cls.importance,
                           importance_reasons=cls.reasons, analysis=analysis, rule_importance=cls.importance)


def rule_analysis(tier: str, facts: CommitFacts, cls, lang: str, fallback_reason: str | None = None) -> dict:
    return {"source": "rules", "from_cache": False, "fallback_reason": fallback_reason,
            **analysis_for(tier, facts, cls, lang)}
