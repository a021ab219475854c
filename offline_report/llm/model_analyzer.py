"""The model's analysis of each commit: the cache or the model, the guard, and the rule fallback.

Imported only when a run uses a model (local or on a server): --no-llm never loads the model path."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor, as_completed

from ..analysis_spec import MAX_TOKENS, TIERS, Analysis, CommitEntry, Reason, Vote, fields_of
from ..rules.analyzer import RuleAnalyzer, contents_key, rule_analysis, rule_entry
from ..catalog import counted, words
from ..git.commits import CommitFacts
from ..rules.classify import Classification, classify
from ..stats import RunStats
from .engine import Prompt
from .guard import check_answer
from .prompts import (DIFF_TOKENS, analysis_instructions, commit_patches, day_summary_block, day_summary_instructions,
                      fitted_prompt, known_text)
from .schema import PROMPT_VERSION, tier_schema
from .vote import ask_vote, combine

MAX_PATCH_FILES = 200  # files whose patch text may enter an excerpt; the rest are only listed
RETRY_MAX_ITEMS = 2
# After this many answers in a row fail the guard, the rest of the run uses the rules (unless --force-model).
BREAKER_FAILURES = 5


def context_key(context: str | None) -> tuple:
    """The cache key part of a repository context: nothing when unset, so existing entries stay valid."""
    return ("context", hashlib.sha256(context.encode("utf-8")).hexdigest()[:16]) if context else ()


class ModelAnalyzer:
    """Pass 1: the importance vote (only when calibration says it counts). Pass 2: the tier's analysis."""

    def __init__(self, lang: str, stats: RunStats, session, store, refresh: bool = False, team_rules=(),
                 force_model: bool = False, keep_rejected: bool = False):
        self.force_model = force_model  # run the model even when its answer check failed; no circuit breaker
        self.keep_rejected = keep_rejected  # rejected answers go into Analysis.rejected
        self._failures = 0  # answers in a row that failed the guard
        self.team_rules = team_rules
        self.lang = lang
        self.stats = stats
        self.session = session
        self.store = store
        self.refresh = refresh

    def plan(self, commits: list[CommitFacts]) -> str | None:
        """Commits the model still has to analyse, which model, and the expected time."""
        if self._check_failed_before():
            return None
        todo = [f for f in commits if self.refresh or not any(self.store.get(*self._analysis_key(f, tier))
                                                                for tier in TIERS)]
        if not todo:
            return None
        seconds, measured = self.session.seconds_per_commit()
        days = len({f.time.date() for f in todo})
        return self.session.plan_line(len(todo), days, seconds * len(todo), seconds, measured, self.lang)

    def finish(self) -> None:
        self.session.remember_speed()

    def day_summary(self, entries: list[CommitEntry], fresh: bool = True) -> dict | None:
        """One guarded paragraph over the day's (or period's) analyses, from a model that passed its answer check;
        cached. With fresh False, the model is not asked for it (a period built from cached analyses loads no
        model): a cached paragraph, else the rules' sentence."""
        if not entries or self.stats.model_skipped or not (self.force_model or self._answer_check_passed()):
            return None
        ranked = sorted(entries, key=lambda e: -TIERS.index(e.importance))
        digest = hashlib.sha256("|".join(f"{e.facts.sha}:{e.importance}" for e in ranked).encode()).hexdigest()[:16]
        key = ("day-summary", digest, self.session.fingerprint, PROMPT_VERSION, self.lang)
        cached = self._cached(key)
        if cached is None and fresh:
            cached = self._fresh_day_summary(ranked)
            self.store.set(cached, *key)
        return cached or {"source": "rules", "text": words(self.lang, "overview", "rules_summary",
                                                          **_day_counts(entries, self.lang))}

    def _answer_check_passed(self) -> bool:
        check = self.session.answer_check_known(self.lang)
        return bool(check and check.ok)

    def _fresh_day_summary(self, ranked: list[CommitEntry]) -> dict:
        engine = self.session.engine()
        instructions = day_summary_instructions(self.lang)
        prompt = Prompt(instructions, day_summary_block(ranked))
        if engine.count_tokens(prompt) + MAX_TOKENS["low"] * 2 > engine.n_ctx:
            return {}
        completion = engine.complete(prompt, tier_schema("low"), MAX_TOKENS["low"] * 2, self.session.options.seed)
        self.stats.record_completion(completion)
        known = "\n".join(e.facts.message for e in ranked) + "\n" + day_summary_block(ranked)
        verdict = check_answer(completion.text, completion.finish_reason, "low", self.lang, [instructions],
                               known=known)
        return {"source": "model", "text": verdict.data["summary"]} if verdict.ok else {}

    def analyze_by_rules(self, commits: list[CommitFacts], progress=None) -> list[CommitEntry]:
        return RuleAnalyzer(self.lang, self.stats, self.team_rules).analyze_day(commits, progress)

    def analyze_day(self, commits: list[CommitFacts], progress=None) -> list[CommitEntry]:
        if commits and self._model_skipped(progress):
            return RuleAnalyzer(self.lang, self.stats, self.team_rules).analyze_day(commits, progress)
        classes = [classify(f, self.team_rules) for f in commits]
        counted = self._votes_count(progress) if commits else False
        entries = [self._entry(f, c, self._vote(f) if counted else None, counted) for f, c in zip(commits, classes)]
        # Pass 2 tier by tier, so consecutive prompts share their instructions in llama.cpp's KV cache.
        work = sorted(zip(entries, classes), key=lambda ec: TIERS.index(ec[0].importance))
        parallel = self._parallel() if len(work) > 1 else 1
        if parallel > 1:
            self._analyse_in_parallel(work, parallel, progress)
            return entries
        for entry, cls in work:
            entry.analysis = self._analysis(entry.facts, cls, entry.importance)
            if progress:
                progress.advance(tokens=self.stats.generated_tokens)
        return entries

    def _parallel(self) -> int:
        """Requests a server takes at once; the in-process engine works one commit at a time."""
        return self.session.parallel

    def _analyse_in_parallel(self, work: list, parallel: int, progress) -> None:
        """Up to `parallel` requests in flight; each analysis is cached the moment its answer arrives."""
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            futures = {pool.submit(self._analysis, entry.facts, cls, entry.importance): entry for entry, cls in work}
            try:
                for future in as_completed(futures):
                    futures[future].analysis = future.result()
                    if progress:
                        progress.advance(tokens=self.stats.generated_tokens)
            except BaseException:
                for future in futures:
                    future.cancel()
                raise

    def _check_failed_before(self) -> bool:
        check = None if self.force_model else self.session.answer_check_known(self.lang)
        return check is not None and not check.ok

    def _model_skipped(self, progress) -> bool:
        """Whether the rules stand in for the model: its answer check failed (checked once per model, language and
        prompt version) or the circuit breaker tripped in this run. Never with --force-model."""
        if self.force_model:
            return False
        if self.stats.model_skipped is None and self.stats.answer_check is None:
            label = progress.label if progress is not None else None
            if progress is not None and self.session.answer_check_known(self.lang) is None:
                progress.set_label(words(self.lang, "progress", "checking_answers", label=label))
            if not self.session.answer_check(self.lang).ok:
                self.stats.model_skipped = "answer_check"
            if progress is not None:
                progress.set_label(label)
        return self.stats.model_skipped is not None

    def _count_failure(self, analysis: Analysis) -> None:
        """The circuit breaker: BREAKER_FAILURES guard failures in a row and the rest of the run uses the rules."""
        if analysis.fallback_reason == "prompt_too_long":  # the commit's size, not the model's answer
            return
        self._failures = 0 if analysis.source == "model" else self._failures + 1
        if self._failures >= BREAKER_FAILURES and not self.force_model and self.stats.model_skipped is None:
            self.stats.model_skipped = "circuit_breaker"

    def _votes_count(self, progress) -> bool:
        if progress is None or self.session.calibration_known():
            return self.session.calibration().counted
        label = progress.label
        progress.set_label(words(self.lang, "progress", "checking_votes", label=label))
        counted = self.session.calibration().counted
        progress.set_label(label)
        return counted

    def _entry(self, facts: CommitFacts, cls: Classification, vote: Vote | None, counted: bool) -> CommitEntry:
        entry = rule_entry(facts, cls)
        entry.importance, why = combine(cls.importance, vote, counted, cls.signals.breaking, cls.signals.security)
        if cls.team_fixed and vote is not None and counted:  # a team rule that applied is final
            entry.importance = cls.importance
            why = Reason("vote_kept", {"vote": vote.importance, "prior": cls.importance})
        entry.reasons.append(why)
        if vote is not None:
            vote.counted = counted
        entry.vote = vote
        return entry

    def _cached(self, key: tuple):
        return None if self.refresh else self.store.get(*key)

    def _vote(self, facts: CommitFacts) -> Vote:
        key = ("vote", facts.sha, self.session.fingerprint, PROMPT_VERSION, self.session.options.vote_method,
               *context_key(facts.context), *contents_key(facts))
        cached = self._cached(key)
        if cached:
            return Vote(**cached)
        vote = ask_vote(self.session.engine(), facts, classify(facts, self.team_rules),
                        self.session.options.vote_method, self.session.options.seed)
        self.stats.count("model_calls")
        self.store.set(vote.cached(), *key)
        return vote

    def _analysis_key(self, facts: CommitFacts, tier: str) -> tuple:
        return ("analysis", facts.sha, self.session.fingerprint, PROMPT_VERSION, self.lang, tier,
                *context_key(facts.context), *contents_key(facts))

    def _analysis(self, facts: CommitFacts, cls: Classification, tier: str) -> Analysis:
        if self.stats.model_skipped:  # the breaker tripped: rules, and nothing cached for a later forced run
            self.stats.count("rule_analyses")
            return rule_analysis(tier, facts, cls, self.lang)
        key = self._analysis_key(facts, tier)
        cached = self._cached(key)
        if cached:
            self.stats.count("cache_hits")
            if cached["source"] == "rules":  # rebuilt from the facts, so rule changes apply at once
                self.stats.record_fallback(cached["fallback_reason"], new=False)
                analysis = rule_analysis(tier, facts, cls, self.lang, cached["fallback_reason"], from_cache=True)
                analysis.rejected = cached.get("rejected", []) if self.keep_rejected else None
                return analysis
            return Analysis(tier, {spec.name: cached[spec.name] for spec in fields_of(tier)}, source="model",
                            from_cache=True)
        analysis = self._fresh_analysis(facts, cls, tier)
        stored = (analysis.stored() if analysis.source == "model"
                  else {"source": "rules", "fallback_reason": analysis.fallback_reason, "rejected": analysis.rejected})
        self.store.set(stored, *key)  # stored before the next commit starts
        self._count_failure(analysis)
        if not self.keep_rejected:
            analysis.rejected = None
        return analysis

    def _fresh_analysis(self, facts: CommitFacts, cls: Classification, tier: str) -> Analysis:
        engine = self.session.engine()
        instructions = analysis_instructions(tier, self.lang)
        patches = commit_patches(facts, MAX_PATCH_FILES)
        prompt = fitted_prompt(engine.count_tokens, instructions, facts, cls, patches, engine.n_ctx, MAX_TOKENS[tier],
                               DIFF_TOKENS[tier])
        fits = engine.count_tokens(prompt) + MAX_TOKENS[tier] <= engine.n_ctx
        reason = "no_answer" if fits else "prompt_too_long"
        known = known_text(facts, patches)
        rejected: list[dict] = []  # kept in the cache with a fallback; shown with --keep-rejected
        # The retry asks for fewer items with another seed; the prompt itself does not change.
        for attempt, max_items in enumerate((None, RETRY_MAX_ITEMS) if fits else ()):
            completion = engine.complete(prompt, tier_schema(tier, max_items), MAX_TOKENS[tier],
                                         self.session.options.seed + attempt)
            self.stats.record_completion(completion)
            verdict = check_answer(completion.text, completion.finish_reason, tier, self.lang, [instructions],
                                   message=facts.message, known=known)
            if verdict.ok:
                self.stats.count("model_analyses")
                return Analysis(tier, verdict.data, source="model", rejected=rejected)
            reason = verdict.reason
            rejected.append({"reason": reason, "text": completion.text})
        self.stats.record_fallback(reason)
        analysis = rule_analysis(tier, facts, cls, self.lang, fallback_reason=reason)
        analysis.rejected = rejected
        return analysis


def _day_counts(entries: list[CommitEntry], lang: str) -> dict:
    counts = {tier: sum(e.importance == tier for e in entries) for tier in TIERS}
    commits = sum(len(e.members()) for e in entries)
    return {"total": len(entries), "count": counted(lang, len(entries), commits), **counts}
