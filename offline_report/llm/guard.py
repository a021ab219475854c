"""Quality guard on every model answer: shape, language, repetition, emptiness, truncation, echo, and content:
an answer must not copy the commit message, say only generic words, fill one template, or name code the commit
does not contain (README: "The quality guard, and when the model is skipped").

A rejection is a reason code (`wrong_language`, …); the report's catalogue words it."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

from ..analysis_spec import INSIGHT_KEYS, fields_of
from ..catalog import catalog

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SHORT_LOOP = re.compile(r"(.{1,12}?)\1{4,}", re.S)
_PLACEHOLDER = re.compile(r"\[insert|lorem ipsum|\bTODO\b|\bTBD\b|<[a-z_ ]+>|\.\.\.\s*\]", re.I)
_PLAIN_WORD = re.compile(r"^[(\"'“‘]*[A-Za-z][A-Za-z'’-]*[)\"'”’.,;:!?\uff0c\u3002\uff1b\uff1a\uff01\uff1f]*$")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_DIGIT_RUN = re.compile(r"\d{10,}")
MIN_SUMMARY_WORDS = 3
_CUT_ENDING = re.compile(r"(\.\.\.|…|[,\uff0c\u3001:\uff1a;\uff1b(\uff08\-–—])\s*$")
# A sentence cut mid-way ends without closing punctuation on a word that needs another after it: the catalogue's
# [cut_off] words of the answer's language ("The new version of the").
_LAST_WORD = re.compile(r"([A-Za-z]+)$")
_CLOSED = re.compile(r"[.!?\u3002\uff01\uff1f)\uff09\]\u3011\"”'’`]\s*$")
MIN_CJK_SHARE = 0.3
MAX_LATIN_SHARE_EN = 0.7


@dataclass
class Verdict:
    ok: bool
    reason: str | None = None
    data: dict | None = None


def check_answer(text: str, finish_reason: str, tier: str, lang: str, prompt_fragments: list[str],
                 message: str = "", known: str | None = None) -> Verdict:
    """The first rule an answer breaks, or ok with the parsed data.

    message: the commit message (an answer must not copy it); known: everything the commit contains as text
    (message, paths, diff facts, patches) that names in the answer must come from; None skips that check."""
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
    for check in (_empty, lambda t: _cut_off(t, lang), lambda t: _too_long(t, max_chars), _placeholder, _repetition, lambda t: _no_content(summary),
                  lambda t: _wrong_language(t, lang), lambda t: _echo(t, prompt_fragments)):
        reason = check(texts)
        if reason:
            return Verdict(False, reason)
    reason = content_problem(data, lang, message, known)
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


def _cut_off(texts: list[str], lang: str = "en") -> str | None:
    return "cut_off_text" if any(_CUT_ENDING.search(t) or is_unfinished(t, lang) for t in texts) else None


def is_unfinished(text: str, lang: str) -> bool:
    """A sentence that stops mid-way: no closing punctuation, and a dangling article, preposition or conjunction
    of the language (its catalogue's [cut_off] words, or endings less the whole words that end so) at its end."""
    stripped = text.strip()
    if not stripped or _CLOSED.search(stripped):
        return False
    table = catalog(lang).get("cut_off", {})
    match = _LAST_WORD.search(stripped)
    word = match.group(1) if match else ""
    if word and word.lower() in table.get("words", ()) and (len(word) > 1 or word.islower()):
        return True
    return (any(stripped.endswith(end) for end in table.get("endings", ()))
            and not any(stripped.endswith(whole) for whole in table.get("whole", ())))


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


# --------------------------------------------------------------------------- content: what the answer says

# Substance per language: an item with less says nothing specific (one word such as "module" or "C++").
MIN_CJK_CHARS_ZH = 6
MIN_WORDS_EN = 4
ECHO_OVERLAP = 0.8          # share of an item's 3-grams found in the commit message
ECHO_MIN_CHARS = 12         # shorter items are never an echo by substring alone
TEMPLATE_SHARE = 0.6        # common prefix + suffix over the shorter item, 3 items or more
TEMPLATE_SHARE_PAIR = 0.8   # the same for a list of two
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[A-Za-z0-9_]+")
_BACKTICKED = re.compile(r"`([^`\n]{2,80})`")
_CODE_NAME = re.compile(
    r"(?<![\w./:-])("
    r"(?:[\w.-]+/)+[\w.-]*\.[A-Za-z0-9]{1,8}"            # a path with / and an extension
    r"|[A-Za-z_]\w*(?:::[A-Za-z_]\w*)+"                   # Foo::bar
    r"|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+"                   # module.name, file.py
    r"|[A-Za-z0-9]*_\w*[A-Za-z0-9]\w*"                    # snake_case
    r"|[a-z]+[A-Z]\w*|[A-Z][a-z0-9]+[A-Z]\w*"             # camelCase, CamelCase
    r")(?![\w/:-])", re.ASCII)
# Words that look like code but are common names of things, not the commit's code.
_NOT_CODE = {"e.g", "i.e", "github", "gitlab", "javascript", "typescript", "pypi", "macos", "ios", "openapi",
             "postgresql", "mysql", "sqlite", "websocket", "latex", "powershell", "nuget", "graphql", "devops",
             "youtube", "ipv4", "ipv6", "oauth", "json", "yaml", "toml", "html", "css", "node.js", "vue.js",
             "next.js", "asp.net", "llvm", "gcc"}


def content_problem(data: dict, lang: str, message: str, known: str | None) -> str | None:
    """The first content rule an answer breaks: it repeats the message, says nothing specific, fills one
    template, or names code the commit does not contain. `known` None skips the names check."""
    texts = list(prose_fields(data))
    summary = data["summary"] if isinstance(data["summary"], list) else [data["summary"]]
    if message and _echoes_message(summary, texts, message):
        return "echo_of_message"
    if any(_generic(t, lang, known) for t in texts):
        return "generic"
    lists = [v for v in data.values() if isinstance(v, list)] + [list(v.values()) for v in data.values()
                                                                   if isinstance(v, dict)]
    if any(_templated(items) for items in lists):
        return "template_repeated"
    if known is not None and invented_names(texts, known):
        return "invented_name"
    return None


def _normal(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower()))


def _trigrams(text: str) -> set[tuple[str, ...]]:
    tokens = _TOKEN.findall(text.lower())
    return {tuple(tokens[i:i + 3]) for i in range(len(tokens) - 2)}


def is_echo(item: str, message: str, message_grams: set | None = None) -> bool:
    """The item copies the message: a substring of it, or most of its word (CJK: character) 3-grams are in it."""
    norm = _normal(item)
    if len(norm) >= ECHO_MIN_CHARS and norm in _normal(message):
        return True
    grams = _trigrams(item)
    if not grams:
        return False
    message_grams = message_grams if message_grams is not None else _trigrams(message)
    if len(grams & message_grams) / len(grams) > ECHO_OVERLAP:
        return True
    # The message's words shuffled and padded: "Add .git-blame-ignore-revs file to .git-blame-ignore-revs file".
    words = {w.lower() for w in _WORD.findall(item) if len(w) >= 3}
    said = {w.lower() for w in _WORD.findall(message)}
    return len(words) >= 3 and len(words & said) / len(words) >= ECHO_OVERLAP


def _echoes_message(summary: list[str], texts: list[str], message: str) -> bool:
    grams = _trigrams(message)
    echoed = [t for t in texts if is_echo(t, message, grams)]
    in_summary = sum(is_echo(t, message, grams) for t in summary)
    return (bool(summary) and in_summary / len(summary) > 0.5) or len(echoed) / max(1, len(texts)) > 0.5


def substance(text: str, lang: str) -> int:
    """CJK characters (zh; a Latin word counts as two) or words (en)."""
    words = len(_WORD.findall(text))
    if lang == "zh":
        return len(_CJK_CHAR.findall(text)) + 2 * words
    return words + len(_CJK_CHAR.findall(text))


def _generic(text: str, lang: str, known: str | None = None) -> bool:
    """Too little substance, unless a short item names things of this commit ("metrics endpoint", "src/cli/"):
    every Latin word of 3 letters or more, and at least one, is in the commit's text."""
    if substance(text, lang) >= (MIN_CJK_CHARS_ZH if lang == "zh" else MIN_WORDS_EN):
        return False
    words = [w.lower() for w in _WORD.findall(text) if len(w) >= 3]
    if known is None or not words or len(_CJK_CHAR.findall(text)) > 0:
        return True
    haystack = known.lower()
    return not all(w in haystack for w in words)


def _template_share(a: str, b: str) -> float:
    prefix = len(os.path.commonprefix([a, b]))
    suffix = len(os.path.commonprefix([a[prefix:][::-1], b[prefix:][::-1]]))
    return (prefix + suffix) / max(1, min(len(a), len(b)))


def _templated(items: list[str]) -> bool:
    """One sentence with a varying noun, repeated: "this may affect the project's X" for several X."""
    norm = [" ".join(i.lower().split()) for i in items if isinstance(i, str)]
    if len(norm) == 2:
        return _template_share(*norm) >= TEMPLATE_SHARE_PAIR
    alike = [sum(_template_share(a, b) >= TEMPLATE_SHARE for j, b in enumerate(norm) if j != i) >= 2
             for i, a in enumerate(norm)]
    return len(norm) >= 3 and sum(alike) >= 3


def code_names(text: str) -> list[str]:
    """What the answer gives as code: backticked text, identifiers with _ :: . or CamelCase, paths."""
    names = [m.strip() for m in _BACKTICKED.findall(text)]
    names += [m.rstrip(".") for m in _CODE_NAME.findall(_BACKTICKED.sub(" ", text))]
    return [n for n in names if n and n.lower() not in _NOT_CODE and not n.replace(".", "").isdigit()]


def invented_names(texts: list[str], known: str) -> list[str]:
    """Names that appear nowhere in the commit's message, files, diff facts or patch text."""
    haystack = known.lower()
    return [name for t in texts for name in code_names(t) if name.lower() not in haystack]
