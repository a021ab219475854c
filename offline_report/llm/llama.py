"""The in-process engine: a GGUF model loaded through llama-cpp-python. The only module that imports llama_cpp."""

from __future__ import annotations

import ctypes
import json
import math
import os
import time

from ..errors import ModelError
from .engine import Completion, EngineSettings, Prompt
from .models import ModelInfo

# Measured here: 256 evaluates prompts as fast as 512 and needs a smaller compute buffer.
BATCH_TOKENS = 256


def gpu_offload_supported() -> bool:
    import llama_cpp

    return bool(llama_cpp.llama_supports_gpu_offload())


def _silence_llama_logs() -> None:
    """llama.cpp logs through a C callback; replace it with one that drops everything."""
    import llama_cpp

    @llama_cpp.llama_log_callback
    def _drop(level, text, user_data):  # noqa: ARG001
        return None

    _silence_llama_logs.callback = _drop  # keep a reference so it is not garbage-collected
    llama_cpp.llama_log_set(_drop, None)


class _GrammarLastSampler:
    """Schema-bound sampling that applies the grammar only when it must, as llama.cpp's common sampler does
    (`common_sampler_sample` with grammar_first=false).

    llama-cpp-python puts the grammar in the sampler chain, so it is checked against every token of the
    vocabulary before top-k, at every step. Here the token is sampled from the unconstrained distribution
    (the same chain: top-k, typical, top-p, min-p, temperature, seeded dist), then the grammar checks that
    one token; only when it is rejected does the grammar filter the full candidates and the chain sample
    again. The text is still bound to the grammar: every token returned was accepted by it.
    """

    def __init__(self, chain, grammar, model, n_vocab: int):
        import llama_cpp
        import numpy as np

        self._lib = llama_cpp
        self.chain = chain  # llama_cpp._internals.LlamaSampler, freed by its own finaliser
        self.grammar = llama_cpp.llama_sampler_init_grammar(
            model.vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8"))
        if not self.grammar:
            raise ModelError("grammar_unparsed", "bug")
        self.n_vocab = n_vocab
        self._ids = np.arange(n_vocab, dtype=np.int32)
        self._buffer = np.zeros(n_vocab, dtype=np.dtype([("id", np.int32), ("logit", np.float32),
                                                          ("p", np.float32)], align=True))
        assert self._buffer.dtype.itemsize == ctypes.sizeof(llama_cpp.llama_token_data)
        self._data = self._buffer.ctypes.data_as(llama_cpp.llama_token_data_p)
        self._candidates = llama_cpp.llama_token_data_array(self._data, n_vocab, -1, False)
        self._single = llama_cpp.llama_token_data(0, 1.0, 0.0)
        self._single_array = llama_cpp.llama_token_data_array(ctypes.pointer(self._single), 1, -1, False)
        self.rejected = 0

    def _fill(self, ctx, idx: int):
        import numpy as np

        logits = np.ctypeslib.as_array(self._lib.llama_get_logits_ith(ctx, idx), shape=(self.n_vocab,))
        self._buffer["id"] = self._ids
        self._buffer["logit"] = logits
        self._buffer["p"] = 0.0
        cur = self._candidates
        cur.data, cur.size, cur.selected, cur.sorted = self._data, self.n_vocab, -1, False
        return ctypes.byref(cur)

    def _accepted(self, token: int) -> bool:
        self._single.id, self._single.logit, self._single.p = token, 1.0, 0.0
        arr = self._single_array
        arr.size, arr.selected, arr.sorted = 1, -1, False
        self._lib.llama_sampler_apply(self.grammar, ctypes.byref(arr))
        return not math.isinf(self._single.logit)

    def _chosen(self) -> int:
        cur = self._candidates
        if cur.selected < 0:
            raise ModelError("no_token", "bug")
        return int(cur.data[cur.selected].id)

    def sample(self, ctx, idx: int = -1) -> int:
        """The same call as llama_cpp._internals.LlamaSampler.sample, which Llama.generate makes."""
        lib, chain = self._lib, self.chain.sampler
        lib.llama_sampler_apply(chain, self._fill(ctx.ctx, idx))
        token = self._chosen()
        if not self._accepted(token):
            self.rejected += 1
            cur = self._fill(ctx.ctx, idx)
            lib.llama_sampler_apply(self.grammar, cur)
            lib.llama_sampler_apply(chain, cur)
            token = self._chosen()
        lib.llama_sampler_accept(self.grammar, token)
        lib.llama_sampler_accept(chain, token)
        return token

    def close(self) -> None:
        if getattr(self, "grammar", None):
            self._lib.llama_sampler_free(self.grammar)
            self.grammar = None
        if getattr(self, "chain", None) is not None:
            self.chain.close()

    def __del__(self):
        self.close()


# llama-cpp-python's string character admits raw control characters (a newline inside a string), which JSON
# forbids; llama.cpp's own converter excludes them.
_LOOSE_JSON_CHAR = r'char ::= [^"\\] '
_JSON_CHAR = r'char ::= [^"\\\x7F\x00-\x1F] '


def json_grammar(schema_json: str) -> str:
    """The GBNF grammar of a JSON schema, whose strings hold only what JSON allows."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    return json_schema_to_gbnf(schema_json).replace(_LOOSE_JSON_CHAR, _JSON_CHAR)


class LlamaEngine:
    """A GGUF model loaded through llama-cpp-python, with schema-bound completions and label scoring."""

    def __init__(self, info: ModelInfo, settings: EngineSettings):
        import llama_cpp

        if not settings.verbose:
            _silence_llama_logs()
        self.info = info
        self.settings = settings
        started = time.monotonic()
        try:
            self.llm = llama_cpp.Llama(
                model_path=info.path,
                n_ctx=settings.n_ctx,
                n_threads=settings.threads,
                n_threads_batch=settings.threads,
                n_gpu_layers=settings.gpu_layers,
                n_batch=BATCH_TOKENS,
                n_ubatch=BATCH_TOKENS,
                flash_attn=settings.flash_attn,
                seed=settings.seed,
                verbose=settings.verbose,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError("model_unloadable", path=info.path, detail=str(exc)) from exc
        self.load_seconds = time.monotonic() - started
        self.n_ctx = self.llm.n_ctx()
        self.has_chat_template = bool(self.llm.metadata.get("tokenizer.chat_template"))
        self._grammars: dict[str, object] = {}
        self._formatter = self._chat_formatter() if self.has_chat_template else None
        self._use_grammar_last_sampler()

    # False: llama-cpp-python's own sampling, the grammar over the whole vocabulary first (the benchmark's reference).
    grammar_last = True

    def _use_grammar_last_sampler(self) -> None:
        """Llama.generate builds its sampler through Llama._init_sampler(..., grammar=...): with a grammar,
        hand it the same chain without the grammar, wrapped in _GrammarLastSampler."""
        llm = self.llm
        library_init = llm._init_sampler

        def init_sampler(*args, grammar=None, **kwargs):
            if not self.grammar_last:
                return library_init(*args, grammar=grammar, **kwargs)
            chain = library_init(*args, grammar=None, **kwargs)
            if grammar is None:
                return chain
            return _GrammarLastSampler(chain, grammar, llm._model, llm.n_vocab())

        llm._init_sampler = init_sampler

    def _chat_formatter(self):
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        vocab = self.llm
        eos = vocab._model.token_get_text(vocab.token_eos()) if vocab.token_eos() >= 0 else ""
        bos = vocab._model.token_get_text(vocab.token_bos()) if vocab.token_bos() >= 0 else ""
        return Jinja2ChatFormatter(self.llm.metadata["tokenizer.chat_template"], eos_token=eos, bos_token=bos)

    def tokenize(self, prompt: Prompt | str) -> list[int]:
        return self.llm.tokenize(self.render(prompt).encode("utf-8"), add_bos=True, special=True)

    def count_tokens(self, text: str | Prompt) -> int:
        return len(self.llm.tokenize(self.render(text).encode("utf-8"), add_bos=False, special=True))

    def render(self, prompt: Prompt | str) -> str:
        """The text the model reads: the chat template's rendering of the messages, then the answer prefix."""
        if isinstance(prompt, str):
            return prompt
        if self._formatter is not None:
            return self._formatter(messages=prompt.messages()).prompt + prompt.prefix
        return prompt.plain

    def _grammar(self, schema: dict):
        from llama_cpp import LlamaGrammar

        # The schema's own order, not sorted keys: the grammar makes the model write the fields in the
        # order of the schema's properties (summary first).
        key = json.dumps(schema)
        if key not in self._grammars:
            self._grammars[key] = LlamaGrammar.from_string(json_grammar(key), verbose=self.settings.verbose)
        return self._grammars[key]

    def _reusable_prefix(self, tokens: list[int]) -> int:
        cached = self.llm.input_ids[: self.llm.n_tokens]
        prefix = 0
        for a, b in zip(cached, tokens):
            if a != b:
                break
            prefix += 1
        return min(prefix, len(tokens) - 1)

    def complete(self, prompt: Prompt | str, schema: dict | None, max_tokens: int, seed: int) -> Completion:
        tokens = self.tokenize(prompt)
        evaluated = len(tokens) - self._reusable_prefix(tokens)
        started = time.monotonic()
        result = self.llm.create_completion(
            tokens,
            grammar=self._grammar(schema) if schema else None,
            max_tokens=max_tokens,
            temperature=self.settings.temperature,
            seed=seed,
        )
        choice = result["choices"][0]
        return Completion(
            text=choice["text"],
            finish_reason=choice.get("finish_reason") or "stop",
            prompt_tokens=len(tokens),
            evaluated_prompt_tokens=evaluated,
            generated_tokens=result["usage"]["completion_tokens"],
            seconds=time.monotonic() - started,
        )

    def score_options(self, prompt: Prompt | str, options: list[str]) -> dict[str, float]:
        """Log-probability of each option's first token after the prompt: one forward pass."""
        import numpy as np

        first_tokens = {}
        for option in options:
            ids = self.llm.tokenize(option.encode("utf-8"), add_bos=False, special=False)
            first_tokens[option] = ids[0]
        if len(set(first_tokens.values())) != len(options):
            raise ValueError(f"options share a first token: {options}")
        tokens = self.tokenize(prompt)
        reuse = self._reusable_prefix(tokens)
        self.llm.n_tokens = reuse
        self.llm.eval(tokens[reuse:])
        logits = np.ctypeslib.as_array(self.llm._ctx.get_logits(), shape=(self.llm.n_vocab(),)).astype(np.float64)
        top = logits.max()
        log_norm = top + math.log(float(np.exp(logits - top).sum()))
        return {option: float(logits[token] - log_norm) for option, token in first_tokens.items()}

    def describe(self) -> dict:
        return {"threads": self.settings.threads or os.cpu_count(), "gpu_layers": self.settings.gpu_layers,
                "n_ctx": self.n_ctx, "load_s": round(self.load_seconds, 3)}
