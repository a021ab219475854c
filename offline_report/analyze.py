"""Per-commit analysis: rule classification, then the cache or the model, the guard, and the rule fallback."""

from __future__ import annotations

from itertools import islice

from .rules.classify import TIERS, Classification, classify
from .git.commits import CommitFacts, RepoHandle, patch_texts
from .llm.guard import check_answer
from .llm.prompts import DIFF_TOKENS, PatchText, analysis_instructions, fitted_prompt
from .report.day import CommitEntry
from .rules.writer import analysis_for
from .llm.schema import MAX_TOKENS, PROMPT_VERSION, tier_schema
from .stats import RunStats
from .llm.vote import Vote, ask_vote, combine

MAX_PATCH_FILES = 200  # files whose patch text may enter an excerpt; the rest are only listed
RETRY_MAX_ITEMS = 2


def rule_analysis(tier: str, facts: CommitFacts, cls: Classification, lang: str,
                  fallback_reason: str | None = None) -> dict:
    return {"source": "rules", "from_cache": False, "fallback_reason": fallback_reason,
            **analysis_for(tier, facts, cls, lang)}


class RuleAnalyzer:
    """Analysis from git facts alone (--no-llm)."""

    def __init__(self, lang: str, stats: RunStats):
        self.lang = lang
        self.stats = stats

    def analyze_day(self, handle: RepoHandle, commits: list[CommitFacts], progress=None) -> list[CommitEntry]:
        entries = []
        for facts in commits:
            cls = classify(facts, self.lang)
            self.stats.rule_analyses += 1
            entries.append(CommitEntry(facts=facts, change_type=cls.change_type, importance=cls.importance,
                                       importance_reasons=cls.reasons, rule_importance=cls.importance,
                                       analysis=rule_analysis(cls.importance, facts, cls, self.lang)))
            if progress:
                progress.advance()
        return entries


class ModelAnalyzer:
    """Pass 1: the importance vote (only when calibration says it counts). Pass 2: the tier's analysis."""

    def __init__(self, lang: str, stats: RunStats, session, store, refresh: bool = False):
        self.lang = lang
        self.stats = stats
        self.session = session
        self.store = store
        self.refresh = refresh

    def analyze_day(self, handle: RepoHandle, commits: list[CommitFacts], progress=None) -> list[CommitEntry]:
        classes = [classify(f, self.lang) for f in commits]
        counted = self._votes_count(progress) if commits else False
        votes = [self._vote(f, c) if counted else None for f, c in zip(commits, classes)]
        entries = [self._entry(f, c, v, counted) for f, c, v in zip(commits, classes, votes)]
        # Pass 2 tier by tier, so consecutive prompts share their instructions in llama.cpp's KV cache.
        for entry, cls in sorted(zip(entries, classes), key=lambda ec: TIERS.index(ec[0].importance)):
            entry.analysis = self._analysis(handle, entry.facts, cls, entry.importance)
            if progress:
                progress.advance(tokens=self.stats.generated_tokens)
        return entries

    def _votes_count(self, progress) -> bool:
        if progress is None or self.session.calibration_known():
            return self.session.calibration().counted
        label = progress.label
        progress.set_label(f"{label}: checking the model's votes (once per model)")
        counted = self.session.calibration().counted
        progress.set_label(label)
        return counted

    def _entry(self, facts: CommitFacts, cls: Classification, vote: Vote | None, counted: bool) -> CommitEntry:
        final, why = combine(cls.importance, vote, counted, cls.signals.breaking, cls.signals.security)
        vote_json = None if vote is None else {"importance": vote.importance, "reason": vote.reason,
                                               "method": vote.method, "counted": counted}
        return CommitEntry(facts=facts, change_type=cls.change_type, importance=final,
                           importance_reasons=cls.reasons + [why], rule_importance=cls.importance,
                           vote=vote_json, analysis={})

    def _vote(self, facts: CommitFacts, cls: Classification) -> Vote:
        key = ("vote", facts.sha, self.session.fingerprint, PROMPT_VERSION, self.session.options.vote_method)
        cached = None if self.refresh else self.store.get(*key)
        if cached:
            return Vote(**cached)
        vote = ask_vote(self.session.engine(), facts, cls, self.session.options.vote_method, self.session.options.seed)
        self.stats.model_calls += 1
        self.store.set(vars(vote), *key)
        return vote

    def _analysis(self, handle: RepoHandle, facts: CommitFacts, cls: Classification, tier: str) -> dict:
        key = ("analysis", facts.sha, self.session.fingerprint, PROMPT_VERSION, self.lang, tier)
        cached = None if self.refresh else self.store.get(*key)
        if cached:
            self.stats.cache_hits += 1
            if cached["source"] == "rules":  # rebuilt from the facts, so rule changes apply at once
                self.stats.record_fallback(cached["fallback_reason"], new=False)
                return rule_analysis(tier, facts, cls, self.lang, cached["fallback_reason"]) | {"from_cache": True}
            return {**cached, "from_cache": True}
        analysis = self._fresh_analysis(handle, facts, cls, tier)
        stored = analysis if analysis["source"] == "model" else {"source": "rules",
                                                                  "fallback_reason": analysis["fallback_reason"]}
        self.store.set(stored, *key)  # stored before the next commit starts
        return analysis

    def _fresh_analysis(self, handle: RepoHandle, facts: CommitFacts, cls: Classification, tier: str) -> dict:
        engine = self.session.engine()
        instructions = analysis_instructions(tier, self.lang)
        patches = [PatchText(p, t) for p, t in islice(patch_texts(handle.repo, facts.sha), MAX_PATCH_FILES)]
        prompt = fitted_prompt(engine.format_prompt, engine.count_tokens, instructions, facts, cls, patches,
                               engine.n_ctx, MAX_TOKENS[tier], DIFF_TOKENS[tier])
        fits = engine.count_tokens(prompt) + MAX_TOKENS[tier] <= engine.n_ctx
        reason = "no answer" if fits else "prompt too long for --ctx"
        # The retry asks for fewer items with another seed; the prompt itself does not change.
        for attempt, max_items in enumerate((None, RETRY_MAX_ITEMS) if fits else ()):
            completion = engine.complete(prompt, tier_schema(tier, max_items), MAX_TOKENS[tier],
                                         self.session.options.seed + attempt)
            self.stats.record_completion(completion)
            verdict = check_answer(completion.text, completion.finish_reason, tier, self.lang, [instructions])
            if verdict.ok:
                self.stats.model_analyses += 1
                return {"source": "model", "from_cache": False, "fallback_reason": None, **verdict.data}
            reason = verdict.reason
        self.stats.record_fallback(reason)
        return rule_analysis(tier, facts, cls, self.lang, fallback_reason=reason)
