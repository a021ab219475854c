"""Quality guard on every model answer: shape, language, repetition, emptiness, truncation, echo.

A rejection is a reason code (`wrong_language`, …); the report's catalogue words it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..analysis import INSIGHT_KEYS, fields_of

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SHORT_LOOP = re.compile(r"(.{1,12}?)\1{4,}", re.S)
_PLACEHOLDER = re.compile(r"\[insert|lorem ipsum|\bTODO\b|\bTBD\b|<[a-z_ ]+>|\.\.\.\s*\]", re.I)
_PLAIN_WORD = re.compile(r"^[(\"'“‘]*[A-Za-z][A-Za-z'’-]*[)\"'”’.,;:!?\uff0c\u3002\uff1b\uff1a\uff01\uff1f]*$")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_DIGIT_RUN = re.compile(r"\d{10,}")
MIN_SUMMARY_WORDS = 3
_CUT_ENDING = re.compile(r"(\.\.\.|…|[,\uff0c\u3001:\uff1a;\uff1b(\uff08\-–—])\s*$")
MIN_CJK_SHARE = 0.3
MAX_LATIN_SHARE_EN = 0.7


@dataclass
class Verdict:
    ok: bool
    reason: str | None = None
    data: dict | None = None


def check_answer(text: str, finish_reason: str, tier: str, lang: str, prompt_fragments: list[str]) -> Verdict:
    """The first rule an answer breaks, or ok with the parsed data."""
    if finish_reason == "length":
        return Verdict(False, "token_limit")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, ValueError):
        return Verdict(False, "invalid_json")
    problem = _shape_problem(data, tier)
    if problem:
        return Verdict(False, problem)
    texts = list(prose_fields(data))
    summary = data["summary"] if isinstance(data["summary"], list) else [data["summary"]]
    max_chars = max(spec.max_chars for spec in fields_of(tier))
    for check in (_empty, _cut_off, lambda t: _too_long(t, max_chars), _placeholder, _repetition, lambda t: _no_content(summary),
                  lambda t: _wrong_language(t, lang), lambda t: _echo(t, prompt_fragments)):
        reason = check(texts)
        if reason:
            return Verdict(False, reason)
    return Verdict(True, data=data)


def prose_fields(data: dict):
    for value in data.values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from value
        elif isinstance(value, dict):
            yield from value.values()


def _shape_problem(data, tier: str) -> str | None:
    """The spec's shape: exactly the tier's fields, each of its shape, lists within their item bound."""
    specs = fields_of(tier)
    if not isinstance(data, dict) or set(data) != {spec.name for spec in specs}:
        return "schema_mismatch"
    for spec in specs:
        value = data[spec.name]
        if spec.shape == "line" and not isinstance(value, str):
            return "schema_mismatch"
        if spec.shape == "list":
            if not isinstance(value, list) or not all(isinstance(i, str) for i in value):
                return "schema_mismatch"
            if len(value) > spec.max_items:
                return "too_many_items"
        if spec.shape == "insights" and (not isinstance(value, dict) or set(value) != set(INSIGHT_KEYS)
                                         or not all(isinstance(v, str) for v in value.values())):
            return "schema_mismatch"
    return None


def _empty(texts: list[str]) -> str | None:
    if not texts or any(len(t.strip()) < 2 for t in texts):
        return "empty_field"
    return None


def _placeholder(texts: list[str]) -> str | None:
    return "placeholder" if any(_PLACEHOLDER.search(t) for t in texts) else None


def _no_content(summary: list[str]) -> str | None:
    """A summary of version numbers, paths or file names alone says nothing about the change."""
    for text in summary:
        words = sum(bool(_PLAIN_WORD.match(token)) for token in text.split()) + len(_CJK_CHAR.findall(text))
        if words < MIN_SUMMARY_WORDS or _DIGIT_RUN.search(text):
            return "no_content"
    return None


def _cut_off(texts: list[str]) -> str | None:
    return "cut_off_text" if any(_CUT_ENDING.search(t) for t in texts) else None


def _too_long(texts: list[str], max_chars: int) -> str | None:
    return "field_too_long" if any(len(t) > max_chars for t in texts) else None


def _repetition(texts: list[str]) -> str | None:
    for t in texts:
        if _SHORT_LOOP.search(t):
            return "repetition"
        words = t.split()
        if len(words) >= 8 and len(set(words)) / len(words) < 0.4:
            return "repetition"
    normalised = [" ".join(t.lower().split()) for t in texts]
    if len(normalised) >= 3 and len(set(normalised)) <= len(normalised) / 2:
        return "repetition"
    return None


def _wrong_language(texts: list[str], lang: str) -> str | None:
    letters = sum(len(_LETTER.findall(t)) for t in texts)
    if not letters:
        return None
    cjk_share = sum(len(_CJK.findall(t)) for t in texts) / letters
    if lang == "zh" and cjk_share < MIN_CJK_SHARE:
        return "wrong_language"
    if lang == "en" and cjk_share > 1 - MAX_LATIN_SHARE_EN:
        return "wrong_language"
    return None


def _echo(texts: list[str], prompt_fragments: list[str]) -> str | None:
    """An answer that copies the fixed instructions back instead of analysing the commit."""
    for t in texts:
        norm = " ".join(t.lower().split())
        if len(norm) < 12:
            continue
        if any(norm in " ".join(f.lower().split()) for f in prompt_fragments):
            return "echo_of_prompt"
    return None
