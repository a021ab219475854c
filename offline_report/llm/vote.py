"""The model's vote on importance: how it is asked, whether it counts, and how it combines with the rules."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from importlib import resources

from ..analysis_spec import TIERS, Reason, Vote
from ..rules.classify import Classification, classify
from ..git.commits import CommitFacts, FileChange
from .engine import Prompt
from .prompts import VOTE_INSTRUCTIONS, fitted_prompt
from .schema import VOTE_MAX_TOKENS, VOTE_SCHEMA

# A vote counts only when the model beats the best constant answer by this much on the labelled set.
CALIBRATION_MARGIN = 0.15
IMPORTANCE_OPTIONS = ("high", "medium", "low")


@dataclass
class Calibration:
    samples: int
    accuracy: float
    baseline: float
    counted: bool
    method: str
    seconds_per_commit: float

    def as_dict(self) -> dict:
        return asdict(self)


SCORE_PREFIX = '{"importance": "'


def vote_prompt(engine, facts: CommitFacts, cls: Classification, answer_prefix: str = "") -> Prompt:
    return fitted_prompt(engine.count_tokens, VOTE_INSTRUCTIONS, facts, cls, None, engine.n_ctx, VOTE_MAX_TOKENS, 0,
                         answer_prefix)


def ask_vote(engine, facts: CommitFacts, cls: Classification, method: str, seed: int) -> Vote:
    started = time.monotonic()
    if method == "score":
        try:
            prompt = vote_prompt(engine, facts, cls, SCORE_PREFIX)
            scores = engine.score_options(prompt, list(IMPORTANCE_OPTIONS))
        except NotImplementedError:  # a server that returns no log-probabilities: the JSON vote instead
            return ask_vote(engine, facts, cls, "json", seed)
        best = max(scores, key=scores.get)
        reason = "log-probabilities " + ", ".join(f"{k} {v:.2f}" for k, v in scores.items())
        return Vote(best, reason, method, time.monotonic() - started)
    prompt = vote_prompt(engine, facts, cls)
    completion = engine.complete(prompt, VOTE_SCHEMA, VOTE_MAX_TOKENS, seed)
    try:
        data = json.loads(completion.text)
        importance, reason = data["importance"], str(data.get("reason", ""))[:200]
    except (ValueError, KeyError, TypeError):
        importance, reason = cls.importance, "unreadable answer; the rules' tier stands"
    if importance not in TIERS:
        importance = cls.importance
    return Vote(importance, reason, method, time.monotonic() - started)


def combine(prior: str, vote: Vote | None, counted: bool, breaking: bool, security: bool) -> tuple[str, Reason]:
    """The rule prior moved at most one tier toward a counted vote; breaking or security never below medium."""
    if vote is None or not counted:
        return prior, Reason("vote_not_counted")
    p, v = TIERS.index(prior), TIERS.index(vote.importance)
    final = p + max(-1, min(1, v - p))
    floor = TIERS.index("medium") if (breaking or security) else 0
    final = max(final, floor)
    values = {"vote": vote.importance, "prior": prior}
    if final == p:
        return prior, Reason("vote_kept", values)
    return TIERS[final], Reason("vote_moved_floor" if final == floor and v < floor else "vote_moved", values)


def labelled_set() -> list[dict]:
    text = resources.files("offline_report").joinpath("data/calibration.json").read_text(encoding="utf-8")
    return json.loads(text)


def sample_facts(sample: dict) -> CommitFacts:
    files = [FileChange(f["path"], f.get("status", "modified"), f.get("added", 0), f.get("removed", 0))
             for f in sample["files"]]
    return CommitFacts.from_message(sha="0" * 40, author="calibration", email="",
                                    time=datetime(2026, 1, 1, tzinfo=timezone.utc), message=sample["message"],
                                    files=files)


def calibrate(engine, method: str, seed: int, samples: list[dict] | None = None) -> Calibration:
    """Score the model's votes on the labelled set against the best constant answer."""
    samples = samples if samples is not None else labelled_set()
    started = time.monotonic()
    correct = 0
    for sample in samples:
        facts = sample_facts(sample)
        vote = ask_vote(engine, facts, classify(facts), method, seed)
        correct += vote.importance == sample["importance"]
    labels = [s["importance"] for s in samples]
    baseline = max(labels.count(t) for t in set(labels)) / len(labels)
    accuracy = correct / len(samples)
    return Calibration(samples=len(samples), accuracy=round(accuracy, 3), baseline=round(baseline, 3),
                       counted=accuracy >= baseline + CALIBRATION_MARGIN, method=method,
                       seconds_per_commit=round((time.monotonic() - started) / len(samples), 4))
