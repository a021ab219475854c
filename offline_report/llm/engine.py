"""The model seam: what the analysis needs from a model, whichever engine serves it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


DEFAULT_SEED = 1234
DEFAULT_TEMPERATURE = 0.2


@dataclass
class Completion:
    text: str
    finish_reason: str
    prompt_tokens: int
    evaluated_prompt_tokens: int
    generated_tokens: int
    seconds: float


class Engine(Protocol):
    """What the analysis needs from a model."""

    n_ctx: int
    has_chat_template: bool

    def count_tokens(self, text: str) -> int: ...

    def format_prompt(self, system: str, user: str, answer_prefix: str = "") -> str: ...

    def complete(self, prompt: str, schema: dict | None, max_tokens: int, seed: int) -> Completion: ...

    def score_options(self, prompt: str, options: list[str]) -> dict[str, float]: ...


@dataclass
class EngineSettings:
    n_ctx: int
    threads: int | None = None
    gpu_layers: int = 0
    seed: int = DEFAULT_SEED
    temperature: float = DEFAULT_TEMPERATURE
    verbose: bool = False
    # Attention computed block by block: the full attention matrix (heads x batch x n_ctx floats) is never
    # allocated, which keeps memory near model + KV cache. llama.cpp's own tools turn it on where supported.
    flash_attn: bool = True
