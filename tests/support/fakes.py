"""A stand-in engine for fast logic tests, and tiny GGUF files written with the gguf package."""

from __future__ import annotations

import json

import numpy as np

from offline_report.llm.engine import Completion, Prompt


def make_gguf(path, name: str = "tiny-test", arch: str = "llama", context: int = 2048, chat: bool = True) -> str:
    """A small but valid GGUF file: metadata and one tensor."""
    from gguf import GGUFWriter

    writer = GGUFWriter(str(path), arch)
    writer.add_name(name)
    writer.add_context_length(context)
    writer.add_block_count(2)
    writer.add_embedding_length(64)
    writer.add_head_count(4)
    writer.add_head_count_kv(4)
    writer.add_file_type(3)
    if chat:
        writer.add_chat_template("{% for m in messages %}{{ m['content'] }}{% endfor %}")
    writer.add_tensor("token_embd.weight", np.zeros((16, 64), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return str(path)


def good_answer(tier: str, lang: str = "en") -> str:
    words = {"en": "The change adds a cache layer for analyses.", "zh": "这次提交为分析结果增加了缓存层。"}[lang]
    if tier == "low":
        return json.dumps({"summary": words}, ensure_ascii=False)
    data = {"summary": [words], "impact": [{"en": "The analysis module and its callers.", "zh": "分析模块及其调用方。"}[lang]],
            "recommendations": [{"en": "Add tests for cache misses.", "zh": "为缓存未命中补充测试。"}[lang]]}
    if tier == "high":
        data["insights"] = {
            "en": {"architecture": "A cache layer now sits between the analyzer and the model.",
                   "performance": "Repeated runs skip work that was already done.",
                   "security": "Cached answers stay in the user's own cache directory.",
                   "maintainability": "Cache keys must change whenever the prompt changes.",
                   "compatibility": "Older cache entries are simply never read again."},
            "zh": {"architecture": "分析器与模型之间多了一层缓存。",
                   "performance": "重复运行时跳过已经完成的分析。",
                   "security": "缓存的回答只保存在用户自己的缓存目录中。",
                   "maintainability": "提示词变化时必须同时更换缓存键。",
                   "compatibility": "旧的缓存条目不再被读取，不影响新结果。"},
        }[lang]
        data["risks"] = [{"en": "Stale entries after a model change.", "zh": "更换模型后可能读到旧条目。"}[lang]]
    return json.dumps(data, ensure_ascii=False)


class FakeEngine:
    """Answers from a script: a list of (text, finish_reason) used in turn, or a function of the prompt."""

    has_chat_template = True

    def __init__(self, answers=None, votes: dict[str, float] | None = None, n_ctx: int = 2048, lang: str = "en"):
        self.answers = list(answers) if answers is not None else None
        self.votes = votes or {"high": -0.5, "medium": -1.5, "low": -2.5}
        self.n_ctx = n_ctx
        self.lang = lang
        self.prompts: list[str] = []
        self.scored: list[str] = []

    def count_tokens(self, text: str | Prompt) -> int:
        text = self.render(text)
        return len(text.split()) + text.count("\n")

    @staticmethod
    def render(prompt: str | Prompt) -> str:
        """A prompt as this stand-in's own chat template writes it (what the tests read)."""
        if isinstance(prompt, str):
            return prompt
        return f"<system>{prompt.system}</system>\n<user>{prompt.user}</user>\n{prompt.prefix}"

    def complete(self, prompt: str | Prompt, schema: dict | None, max_tokens: int, seed: int) -> Completion:
        prompt = self.render(prompt)
        self.prompts.append(prompt)
        if self.answers is None:
            tier = "high" if "insights" in json.dumps(schema) else ("low" if "impact" not in json.dumps(schema) else "medium")
            text, finish = good_answer(tier, self.lang), "stop"
        elif callable(self.answers[0]):
            text, finish = self.answers[0](prompt, schema)
        else:
            text, finish = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return Completion(text=text, finish_reason=finish, prompt_tokens=self.count_tokens(prompt),
                          evaluated_prompt_tokens=self.count_tokens(prompt) // 2,
                          generated_tokens=max(1, len(text) // 4), seconds=0.001)

    def score_options(self, prompt: str | Prompt, options: list[str]) -> dict[str, float]:
        self.scored.append(self.render(prompt))
        return {option: self.votes[option] for option in options}
