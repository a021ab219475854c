"""A day analysed through a real OpenAI-compatible server (llama-cpp-python's own, on 127.0.0.1), in parallel.

Then the server is stopped: a cached rerun still succeeds, and a day with new commits exits 3.
"""

from __future__ import annotations

import json

import pytest

from offline_report.errors import EXIT_MODEL

from .support.cli import run_cli
from .support.gitrepo import RepoBuilder, lines
from .support.llama_server import llama_server

pytestmark = pytest.mark.real_model
DAY, NEXT_DAY = "2026-02-12", "2026-02-13"


def day_args(repo, out, cache, url, *extra):
    return ["--repo", str(repo), "--tz", "UTC", "--lang", "en", "--format", "json", "--output-dir", str(out),
            "--cache-dir", str(cache), "--server", url, "-q", "--force-model", *extra]


def test_a_day_through_a_real_server_in_parallel_then_with_the_server_down(tmp_path):
    b = RepoBuilder(tmp_path / "repo", remote="https://github.com/acme/widgets.git")
    b.commit("chore: base", "2026-02-11T10:00:00+00:00", {"src/app.py": lines(20)})
    b.commit("feat: add an export command", f"{DAY}T09:00:00+00:00", {"src/export.py": "def export(rows):\n    return rows\n"})
    b.commit("fix: handle empty input", f"{DAY}T10:00:00+00:00", {"src/app.py": lines(21)})
    b.commit("docs: explain the export", f"{DAY}T11:00:00+00:00", {"README.md": "Export with `export`.\n"})
    out, cache = tmp_path / "out", tmp_path / "cache"
    with llama_server(tmp_path) as url:
        result = run_cli(*day_args(b.repo.workdir, out, cache, url, "--since", DAY, "--until", DAY, "--parallel", "2"))
        assert result.exit_code == 0, result.output
        day = json.loads((out / f"{DAY}.json").read_text())
        run = day["run"]
        assert run["model_loaded"] and "parallel" in run["device"] and run["model_calls"] >= 3
        assert run["model_analyses"] + run["rule_analyses"] == 3
        assert all(c["analysis"]["source"] in ("model", "rules") for c in day["repos"][0]["commits"])
    # The server is gone: the cached day renders again, and nothing is lost.
    again = run_cli(*day_args(b.repo.workdir, out, cache, url, "--since", DAY, "--until", DAY))
    assert again.exit_code == 0, again.output
    rerun = json.loads((out / f"{DAY}.json").read_text())["run"]
    assert rerun["cache_hits"] == 3 and rerun["model_calls"] == 0
    # A new commit needs the model: exit 3 with what to do; the finished day file is kept.
    b.commit("feat: add an import command", f"{NEXT_DAY}T09:00:00+00:00", {"src/imp.py": "def imp():\n    return 1\n"})
    stopped = run_cli(*day_args(b.repo.workdir, out, cache, url, "--since", DAY, "--until", NEXT_DAY))
    assert stopped.exit_code == EXIT_MODEL, stopped.output
    assert "what to do" in stopped.output and (out / f"{DAY}.json").exists()
