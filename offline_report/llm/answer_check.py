"""The answer check: can this model write analyses that pass the guard? Asked once per model, language and prompt
version on a few commits of the labelled set; a model below the threshold is skipped (README: "The quality
guard, and when the model is skipped")."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from ..analysis_spec import MAX_TOKENS
from ..rules.classify import classify
from .guard import check_answer
from .prompts import DIFF_TOKENS, analysis_instructions, commit_patches, fitted_prompt, known_text
from .schema import tier_schema
from .vote import labelled_set, sample_facts

# Commits of data/calibration.json the check asks about: a feature, a fix, an option, a docs change.
CHECK_SAMPLES = (2, 12, 15, 29)
# Below this share of answers passing the guard, a run uses the rules instead of the model.
MIN_PASS_RATE = 0.5
MAX_SHOWN_CHARS = 600


@dataclass
class AnswerCheck:
    lang: str
    samples: int
    passed: int
    pass_rate: float
    ok: bool
    seconds_per_commit: float
    failed: dict | None = None  # one rejected answer: {"subject", "reason", "text"}

    def as_dict(self) -> dict:
        return asdict(self)


def check_answers(engine, lang: str, seed: int, samples: list[dict] | None = None) -> AnswerCheck:
    """Analyse a few labelled commits with their tier's schema, one attempt each, and guard the answers."""
    if samples is None:
        every = labelled_set()
        samples = [every[i] for i in CHECK_SAMPLES if i < len(every)]
    started = time.monotonic()
    passed, failed = 0, None
    for sample in samples:
        facts = sample_facts(sample)
        cls = classify(facts)
        tier = cls.importance
        instructions = analysis_instructions(tier, lang)
        patches = commit_patches(facts, len(facts.files))
        prompt = fitted_prompt(engine.count_tokens, instructions, facts, cls, patches, engine.n_ctx, MAX_TOKENS[tier],
                               DIFF_TOKENS[tier])
        completion = engine.complete(prompt, tier_schema(tier), MAX_TOKENS[tier], seed)
        verdict = check_answer(completion.text, completion.finish_reason, tier, lang, [instructions],
                               message=facts.message, known=known_text(facts, patches))
        if verdict.ok:
            passed += 1
        elif failed is None:
            failed = {"subject": facts.subject, "reason": verdict.reason, "text": completion.text[:MAX_SHOWN_CHARS]}
    rate = passed / len(samples) if samples else 0.0
    return AnswerCheck(lang=lang, samples=len(samples), passed=passed, pass_rate=round(rate, 3),
                       ok=rate >= MIN_PASS_RATE, failed=failed,
                       seconds_per_commit=round((time.monotonic() - started) / max(1, len(samples)), 3))
