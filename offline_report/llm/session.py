"""The model for one run, in process (LocalSession) or on a server (ServerSession): two siblings behind one
protocol (Session), with what they share (the cached checks, speed and plan) in SessionBase."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

from ..catalog import words
from ..errors import ModelError
from ..stats import RunStats
from .engine import DEFAULT_SEED, EngineSettings
from .models import ModelCandidate, ModelInfo, check_memory, check_model_file, fingerprint, read_info
from .answer_check import AnswerCheck, check_answers
from .schema import PROMPT_VERSION
from .vote import Calibration, calibrate

DEFAULT_CTX_CAP = 4096
# A first estimate before a model has been measured: SmolLM2-135M (98 MB) takes about 7 s per commit
# on two cores, and time grows roughly with the bytes read per generated token.
ESTIMATE_BYTES_PER_SECOND = 14e6
# A first estimate for a server before it has been measured, per commit and slot.
SERVER_ESTIMATE_S = 10.0
# Above this the plan line names the cheaper choices.
LONG_RUN_S = 180


@dataclass
class ModelOptions:
    threads: int | None = None
    n_ctx: int | None = None
    gpu_layers: str = "auto"  # "auto", "all" or a number
    seed: int = DEFAULT_SEED
    vote_method: str = "score"
    verbose: bool = False


class Session(Protocol):
    """What the model analyzer needs from the model of a run, wherever it runs."""

    fingerprint: str  # the model's identity in every cache key
    parallel: int  # commits analysed at once

    def engine(self): ...

    def validate(self) -> None: ...

    def calibration(self) -> Calibration: ...

    def calibration_known(self) -> bool: ...

    def answer_check(self, lang: str) -> AnswerCheck: ...

    def answer_check_known(self, lang: str) -> AnswerCheck | None: ...

    def seconds_per_commit(self) -> tuple[float, bool]: ...

    def remember_speed(self) -> None: ...

    def plan_line(self, commits: int, days: int, total_s: float, seconds: float, measured: bool, lang: str) -> str: ...


class SessionBase:
    """What both sessions do the same way: the calibration, the answer check and the speed, each measured once
    per model (its fingerprint) and remembered in the cache."""

    parallel = 1

    def __init__(self, options: ModelOptions, store, stats: RunStats, fingerprint: str | None):
        self.options = options
        self.store = store
        self.stats = stats
        self.fingerprint = fingerprint
        self._engine = None

    def engine(self):
        raise NotImplementedError

    def validate(self) -> None:
        return None

    @property
    def load_seconds(self) -> float:
        """How long loading the model took in this run (0 when it was never needed)."""
        return getattr(self._engine, "load_seconds", 0.0) if self._engine is not None else 0.0

    def _calibration_key(self) -> tuple:
        return ("calibration", self.fingerprint, PROMPT_VERSION, self.options.vote_method)

    def calibration_known(self) -> bool:
        return self.store.get(*self._calibration_key()) is not None

    def calibration(self) -> Calibration:
        """Whether the model's votes count, measured once per model and remembered."""
        key = self._calibration_key()
        cached = self.store.get(*key)
        if cached:
            result = Calibration(**cached)
        else:
            result = calibrate(self.engine(), self.options.vote_method, self.options.seed)
            self.store.set(result.as_dict(), *key)
        self.stats.votes_counted = result.counted
        self.stats.calibration = result.as_dict()
        return result

    def _answer_check_key(self, lang: str) -> tuple:
        return ("answer-check", self.fingerprint, PROMPT_VERSION, lang)

    def answer_check_known(self, lang: str) -> AnswerCheck | None:
        """The remembered answer check for this language, without loading the model; None when not yet made."""
        cached = self.store.get(*self._answer_check_key(lang))
        return AnswerCheck(**cached) if cached else None

    def answer_check(self, lang: str) -> AnswerCheck:
        """Whether the model's analyses pass the guard, measured once per model, language and prompt version."""
        result = self.answer_check_known(lang)
        if result is None:
            result = check_answers(self.engine(), lang, self.options.seed)
            self.store.set(result.as_dict(), *self._answer_check_key(lang))
        self.stats.answer_check = result.as_dict()
        self.stats.answer_check_key = self._answer_check_key(lang)
        return result

    def remember_speed(self) -> None:
        """Kept after a run that analysed with the model, for the next run's estimate."""
        analysed = self.stats.model_analyses + self.stats.rule_analyses  # with a model, new rule analyses are fallbacks
        if analysed and self.stats.generation_s:
            self.store.set(round(self.stats.generation_s / analysed, 2), "speed", self.fingerprint)


class LocalSession(SessionBase):
    """A GGUF file run in this process: resolved once, fingerprinted cheaply, loaded only when a commit needs it."""

    def __init__(self, candidate: ModelCandidate, options: ModelOptions, store, stats: RunStats,
                 engine_factory=None):
        check_model_file(candidate.path)
        super().__init__(options, store, stats, fingerprint(candidate.path))
        self.candidate = candidate
        self._engine_factory = engine_factory
        self._info: ModelInfo | None = None
        stats.model = os.path.basename(candidate.path)

    @property
    def info(self) -> ModelInfo:
        """GGUF metadata, read once per model file and remembered in the cache."""
        if self._info is None:
            cached = self.store.get("model-info", self.fingerprint)
            self._info = ModelInfo(**cached) if cached else read_info(self.candidate.path)
            if not cached:
                self.store.set(self._info.as_dict(), "model-info", self.fingerprint)
            self.stats.model_label = self._info.label
        return self._info

    def validate(self) -> None:
        """Everything that can refuse the model, done before any commit is analysed."""
        info = self.info
        check_memory(info, info.kv_cache_bytes(self.n_ctx()), self.gpu_layers)

    def n_ctx(self) -> int:
        trained = self.info.context_length or DEFAULT_CTX_CAP
        return min(self.options.n_ctx, trained) if self.options.n_ctx else min(trained, DEFAULT_CTX_CAP)

    def gpu_layers(self) -> int:
        value = self.options.gpu_layers
        if value == "auto":
            return -1 if _gpu_offload_supported() else 0
        if value == "all":
            return -1
        return int(value)

    def settings(self) -> EngineSettings:
        return EngineSettings(n_ctx=self.n_ctx(), threads=self.options.threads or os.cpu_count(),
                              gpu_layers=self.gpu_layers(), seed=self.options.seed, verbose=self.options.verbose)

    def engine(self):
        if self._engine is None:
            self.validate()
            settings = self.settings()
            if self._engine_factory is None:
                from .llama import LlamaEngine

                self._engine_factory = LlamaEngine
            self._engine = self._engine_factory(self.info, settings)
            self.stats.model_loaded = True
            self.stats.device = (f"GPU ({'all' if settings.gpu_layers < 0 else settings.gpu_layers} layers)"
                                 if settings.gpu_layers else f"CPU ({settings.threads} threads)")
        return self._engine

    def seconds_per_commit(self) -> tuple[float, bool]:
        """This model's measured seconds per analysed commit, else an estimate from its file size."""
        measured = self.store.get("speed", self.fingerprint)
        if measured:
            return float(measured), True
        return max(1.0, self.info.size / ESTIMATE_BYTES_PER_SECOND), False

    def plan_line(self, commits: int, days: int, total_s: float, seconds: float, measured: bool, lang: str) -> str:
        source = (words(lang, "run", "source_bundled") if self.candidate.source == "bundled"
                  else words(lang, "run", "source_file", source=self.candidate.source))
        speed = words(lang, "run", "speed_measured" if measured else "speed_estimated", seconds=f"{seconds:.1f}")
        line = words(lang, "run", "plan", commits=commits, days=days, model=self.info.label,
                     size=f"{self.info.size / 2**20:.0f} MiB", source=source, eta=_duration(total_s), speed=speed)
        return "offline-report: " + line + (words(lang, "run", "plan_faster") if total_s > LONG_RUN_S else "")


class ServerSession(SessionBase):
    """A model served over HTTP (--server): contacted once at the start, its model id is the cache key.

    With the server unreachable, the id it had last time still opens the cache, so a fully cached
    rerun works; the first commit that needs the model then stops the run with the server's error.
    """

    def __init__(self, url: str, model: str | None, api_key: str | None, parallel: int | None,
                 options: ModelOptions, store, stats: RunStats, engine_factory=None):
        super().__init__(options, store, stats, None)
        self.url = url
        self._error = None
        remembered_key = ("server-model", url.rstrip("/"), model or "")
        try:
            factory = engine_factory or _server_engine
            self._engine = factory(url, model=model, api_key=api_key, parallel=parallel, n_ctx=options.n_ctx)
            self.fingerprint = self._engine.model_id
            store.set(self.fingerprint, *remembered_key)
        except ModelError as exc:
            self._error = exc
            self.fingerprint = store.get(*remembered_key)
            if self.fingerprint is None:
                raise
        stats.model = self.fingerprint.split(" | ")[0]
        stats.model_label = stats.model

    @property
    def parallel(self) -> int:
        return self._engine.parallel if self._engine is not None else 1

    def engine(self):
        if self._engine is None:
            raise self._error
        self.stats.model_loaded = True
        self.stats.device = f"server {self._engine.base_url} ({self._engine.parallel} parallel)"
        return self._engine

    def seconds_per_commit(self) -> tuple[float, bool]:
        measured = self.store.get("speed", self.fingerprint)
        parallel = self._engine.parallel if self._engine else 1
        return (float(measured), True) if measured else (SERVER_ESTIMATE_S / parallel, False)

    def plan_line(self, commits: int, days: int, total_s: float, seconds: float, measured: bool, lang: str) -> str:
        speed = words(lang, "run", "speed_measured" if measured else "speed_estimated", seconds=f"{seconds:.1f}")
        line = words(lang, "run", "plan", commits=commits, days=days, model=self.stats.model, size=self.url,
                     source="--server", eta=_duration(total_s), speed=speed)
        return "offline-report: " + line


def _server_engine(url: str, **kwargs):
    from .server import ServerEngine

    return ServerEngine(url, **kwargs)


def _duration(seconds: float) -> str:
    minutes = seconds / 60
    return f"{seconds:.0f} s" if seconds < 90 else (f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.1f} h")


def _gpu_offload_supported() -> bool:
    """Whether the llama.cpp build can offload; without llama.cpp (a stand-in engine) there is nothing to offload."""
    try:
        from .llama import gpu_offload_supported

        return gpu_offload_supported()
    except ImportError:
        return False
