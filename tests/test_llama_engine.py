"""LlamaEngine on the bundled GGUF model: schema-bound completions through llama-cpp-python."""

from __future__ import annotations

import json
import os
import re

import pytest

from offline_report.llm.engine import Prompt
from offline_report.llm.models import bundled_model_path
from offline_report.llm.prompts import analysis_instructions
from offline_report.llm.schema import INSIGHT_KEYS, MAX_TOKENS, tier_schema

pytestmark = pytest.mark.real_model

USER = ("Commit message: \"feat!: replace the cache backend with SQLite\"\n"
        "Files: src/cache.py (+4 -30)\n"
        "Diff:\n-import pickle\n+import sqlite3\n+def open_cache(path):\n+    return sqlite3.connect(path)\n")


@pytest.fixture(scope="module")
def engine():
    path = bundled_model_path()
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install the tiny model: pip install -e '.[tiny-model,test]'")
        pytest.skip("the bundled model or llama-cpp-python is not installed (pip install -e '.[tiny-model]')")
    from offline_report.llm.engine import EngineSettings
    from offline_report.llm.llama import LlamaEngine
    from offline_report.llm.models import read_info

    return LlamaEngine(read_info(path), EngineSettings(n_ctx=2048, threads=2))


def prompt(engine, tier: str = "high") -> str:
    return Prompt(analysis_instructions(tier, "en"), USER)


def conforms(value, schema: dict) -> bool:
    """The subset of JSON Schema that tier_schema uses."""
    kind = schema["type"]
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return (isinstance(value, list) and schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", 1e9)
                and all(conforms(item, schema["items"]) for item in value))
    if kind == "object":
        props = schema["properties"]
        return (isinstance(value, dict) and set(schema["required"]) <= set(value)
                and (schema.get("additionalProperties", True) or set(value) <= set(props))
                and all(conforms(v, props[k]) for k, v in value.items()))
    raise AssertionError(f"unexpected schema type {kind}")


def bounded(schema: dict, chars: int = 80) -> dict:
    """The schema with every string capped, so the tiny model's answer ends within a test's budget; the
    properties keep the schema's order."""
    if schema.get("type") == "string":
        return {**schema, "maxLength": chars}
    out = dict(schema)
    if "items" in schema:
        out["items"] = bounded(schema["items"], chars)
    if "properties" in schema:
        out["properties"] = {key: bounded(value, chars) for key, value in schema["properties"].items()}
    return out


def key_positions(text: str, keys) -> list[int]:
    return [text.find(f'"{key}"') for key in keys]


@pytest.mark.parametrize("tier", ["medium", "high"])
def test_fields_come_in_the_schema_order(engine, tier):
    schema = tier_schema(tier)
    completion = engine.complete(prompt(engine, tier), bounded(schema), MAX_TOKENS[tier] + 384, seed=7)
    assert completion.finish_reason == "stop", completion.text
    keys = list(schema["properties"])
    assert keys[0] == "summary" and keys[-1] == "recommendations"
    positions = key_positions(completion.text, keys)
    assert all(p >= 0 for p in positions), (keys, completion.text)
    assert positions == sorted(positions), (keys, completion.text)
    if tier == "high":
        assert keys == ["summary", "impact", "insights", "risks", "recommendations"]
        inner = key_positions(completion.text, INSIGHT_KEYS)
        assert inner == sorted(inner) and inner[0] > positions[2], completion.text


@pytest.mark.parametrize("tier", ["low", "medium", "high"])
def test_constrained_answer_is_json_of_the_schema(engine, tier):
    schema = tier_schema(tier)
    completion = engine.complete(prompt(engine, tier), bounded(schema), MAX_TOKENS[tier] + 384, seed=11)
    assert completion.finish_reason == "stop", completion.text
    assert conforms(json.loads(completion.text), schema), completion.text
    assert 0 < completion.generated_tokens <= MAX_TOKENS[tier] + 384


def test_same_seed_same_text_and_the_prompt_is_reused(engine):
    """Each answer to the same prompt starts from the same KV cache state (another prompt in between), so the
    same seed must give the same text; a repeated prompt is not evaluated again."""
    schema = tier_schema("medium")
    other, asked = prompt(engine, "low"), prompt(engine, "medium")
    engine.complete(other, tier_schema("low"), 4, seed=1)
    first = engine.complete(asked, schema, 48, seed=3)
    engine.complete(other, tier_schema("low"), 4, seed=1)
    again = engine.complete(asked, schema, 48, seed=3)
    assert again.text == first.text
    assert again.evaluated_prompt_tokens == first.evaluated_prompt_tokens < first.prompt_tokens
    repeated = engine.complete(asked, schema, 8, seed=3)
    assert repeated.evaluated_prompt_tokens <= 1 and repeated.generated_tokens == 8


def test_the_token_limit_cuts_the_answer(engine):
    completion = engine.complete(prompt(engine, "high"), tier_schema("high"), 12, seed=5)
    assert completion.finish_reason == "length"
    assert completion.generated_tokens == 12
    assert re.match(r'\s*\{\s*"summary"', completion.text), completion.text
