"""The model seam: what the analysis needs from a model, whichever engine serves it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


DEFAULT_SEED = 1234
DEFAULT_TEMPERATURE = 0.2


@dataclass(frozen=True)
class Prompt:
    """What a model is asked: the system message, the user message, and the start of its answer (prefix).

    Each engine renders it its own way: the model's chat template (in process), the server's chat endpoint or
    template, or plain text for a model without a chat template (`plain`). A plain `str` given where a Prompt is
    expected is raw text, completed as it is."""

    system: str
    user: str
    prefix: str = ""

    @property
    def plain(self) -> str:
        """The prompt for a model without a chat template."""
        return f"{self.system}\n\n{self.user}\n\nAnswer:\n{self.prefix}"

    def messages(self) -> list[dict]:
        """The chat messages (the prefix is not one: it starts the answer)."""
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


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

    def count_tokens(self, text: str | Prompt) -> int:
        """Tokens of a piece of text, or of a whole prompt as the model will see it."""

    def complete(self, prompt: Prompt | str, schema: dict | None, max_tokens: int, seed: int) -> Completion:
        """The model's answer after the prompt (bound to `schema`, a JSON schema, when given)."""

    def score_options(self, prompt: Prompt | str, options: list[str]) -> dict[str, float]:
        """Log-probability of each option's first token as the next token after the prompt."""


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
