"""What one run did: the JSON `run` object and the report footer."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field


# What a run counts up as it goes (as_dict subtracts a snapshot of them to describe one day).
COUNTS = ("model_calls", "model_analyses", "cache_hits", "rule_analyses", "fallbacks", "prompt_tokens",
          "evaluated_prompt_tokens", "generated_tokens", "generation_s")


@dataclass
class RunStats:
    use_llm: bool = True
    model: str | None = None
    model_label: str | None = None
    device: str | None = None
    model_loaded: bool = False
    model_calls: int = 0
    model_analyses: int = 0
    cache_hits: int = 0
    rule_analyses: int = 0
    fallbacks: int = 0
    fallback_reasons: Counter = field(default_factory=Counter)
    prompt_tokens: int = 0
    evaluated_prompt_tokens: int = 0
    generated_tokens: int = 0
    generation_s: float = 0.0
    votes_counted: bool | None = None
    calibration: dict | None = None
    answer_check: dict | None = None  # llm/answer_check.py: the model's pass rate on the labelled commits
    model_skipped: str | None = None  # why the rules stood in for the whole (rest of the) run: a [model_skipped] code
    answer_check_key: tuple | None = field(default=None, repr=False)  # where the session keeps that verdict
    started: float = field(default_factory=time.monotonic)

    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, name: str, by: int = 1) -> None:
        """One more of something; safe when a server's answers arrive on several threads."""
        with self._lock:
            setattr(self, name, getattr(self, name) + by)

    def record_completion(self, completion) -> None:
        with self._lock:
            self._record_completion(completion)

    def _record_completion(self, completion) -> None:
        self.model_calls += 1
        self.prompt_tokens += completion.prompt_tokens
        self.evaluated_prompt_tokens += completion.evaluated_prompt_tokens
        self.generated_tokens += completion.generated_tokens
        self.generation_s += completion.seconds

    def record_fallback(self, reason: str, new: bool = True) -> None:
        """A rule analysis standing in for the model: new in this run, or read back from the cache."""
        with self._lock:
            self._record_fallback(reason, new)

    def _record_fallback(self, reason: str, new: bool) -> None:
        self.fallbacks += 1
        self.rule_analyses += new
        self.fallback_reasons[reason] += 1

    def snapshot(self) -> dict:
        """The counts so far: as_dict(since=...) then describes only what happened after this."""
        with self._lock:
            taken = {name: getattr(self, name) for name in COUNTS}
            taken.update(fallback_reasons=Counter(self.fallback_reasons), model_loaded=self.model_loaded,
                         started=time.monotonic())
        return taken

    def as_dict(self, since: dict | None = None) -> dict:
        """The run's counts; with `since` (a snapshot), those of the part after it, e.g. one day of a range, so a
        day file says the same whichever range the run covered."""
        base = since or {name: 0 for name in COUNTS}
        counts = {name: getattr(self, name) - base[name] for name in COUNTS}
        reasons = self.fallback_reasons - since["fallback_reasons"] if since else self.fallback_reasons
        loaded = self.model_loaded and (not since or counts["model_calls"] > 0 or not since["model_loaded"])
        generation_s = counts.pop("generation_s")
        return {
            "use_llm": self.use_llm,
            "model": self.model,
            "model_label": self.model_label,
            "device": self.device,
            "model_loaded": loaded,
            **counts,
            "fallback_reasons": dict(reasons),
            "tokens_per_s": round(counts["generated_tokens"] / generation_s, 2) if generation_s else None,
            "model_s": round(generation_s, 3),
            "votes_counted": self.votes_counted,
            "calibration": self.calibration,
            "answer_check": self.answer_check,
            "model_skipped": self.model_skipped,
            "wall_s": round(time.monotonic() - (since["started"] if since else self.started), 3),
        }

    @property
    def tokens_per_s(self) -> float | None:
        return round(self.generated_tokens / self.generation_s, 2) if self.generation_s else None
