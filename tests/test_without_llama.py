"""With llama_cpp unimportable, a --no-llm run works (importing nothing under llm/) and the model seam's test
doubles still run a model run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .support.gitrepo import RepoBuilder, lines

ROOT = Path(__file__).resolve().parent.parent
DAY = "2026-02-12"

BLOCKED = r"""
import importlib.abc, sys

class NoLlama(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] == "llama_cpp":
            raise ImportError(f"No module named {name!r} (blocked by the test)")
        return None

sys.meta_path.insert(0, NoLlama())
try:
    import llama_cpp
    print("llama_cpp importable")
except ImportError:
    pass

from offline_report.cli import main

def run(*args, **obj):
    try:
        return main(list(args), standalone_mode=False, obj=obj) or 0
    except SystemExit as exc:
        return exc.code

common = ("--repo", "repo", "--since", "DAY", "--until", "DAY", "--tz", "UTC", "-q", "--format", "json", "--lang", "en")
print("no-llm", run(*common, "--no-llm", "--output-dir", "rules", "--cache-dir", "cache-a"))
print("llm modules", sorted(m for m in sys.modules if m.startswith("offline_report.llm")))
from tests.support.fakes import FakeEngine, make_gguf  # the test doubles, imported with llama_cpp blocked

model = make_gguf("model.gguf")
print("stand-in", run(*common, "--model", model, "--output-dir", "model", "--cache-dir", "cache-b", "--force-model",
                      engine_factory=lambda info, settings: FakeEngine()))
print("llama_cpp loaded", "llama_cpp" in sys.modules)
""".replace("DAY", DAY)


def test_a_no_llm_run_and_the_stand_in_engine_need_no_llama_cpp(tmp_path):
    b = RepoBuilder(tmp_path / "repo", remote="https://github.com/acme/widgets.git")
    b.commit("chore: base", "2026-02-11T08:00:00+00:00", {"src/app.py": lines(10)})
    b.commit("feat: add the export command", f"{DAY}T09:00:00+00:00", {"src/export.py": lines(40)})
    result = subprocess.run([sys.executable, "-c", BLOCKED], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert result.returncode == 0, result.stderr
    said = result.stdout.splitlines()
    assert "llama_cpp importable" not in said
    assert said[-4:] == ["no-llm 0", "llm modules []", "stand-in 0", "llama_cpp loaded False"], (said, result.stderr)
    rules = json.loads((tmp_path / "rules" / f"{DAY}.json").read_text())
    model = json.loads((tmp_path / "model" / f"{DAY}.json").read_text())
    assert rules["run"]["model_loaded"] is False and rules["run"]["rule_analyses"] == 1
    assert model["run"]["model_loaded"] is True and model["run"]["model_analyses"] == 1, json.dumps(model["run"])
