"""`offline-report config` refuses what the run refuses, and shows the repositories the run would read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .support.cli import run_cli
from .support.fakes import make_gguf
from .support.gitrepo import RepoBuilder, lines

DAY = "2026-02-12"
ROOT = Path(__file__).resolve().parent.parent
RUN = ("--since", DAY, "--until", DAY, "--tz", "UTC", "--no-llm", "-q")

CONFIG_IN_A_FRESH_PROCESS = """
import sys
from offline_report.cli import main
try:
    main(sys.argv[1:])
finally:
    print("llama_cpp imported:", "llama_cpp" in sys.modules, file=sys.stderr)
"""


@pytest.fixture
def team(tmp_path, monkeypatch):
    """A clone (repo/) with commits on DAY, and another folder (elsewhere/); the CLI runs from inside the clone."""
    b = RepoBuilder(tmp_path / "repo", remote="https://github.com/acme/widgets.git")
    b.commit("chore: base", "2026-02-11T08:00:00+00:00", {"src/app.py": lines(10)})
    b.commit("feat: add export", f"{DAY}T09:00:00+00:00", {"src/export.py": lines(20)})
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    return tmp_path


def test_config_refuses_a_truncated_model_as_the_run_does_without_loading_llama_cpp(team):
    path = Path(make_gguf(team / "model.gguf"))
    path.write_bytes(path.read_bytes()[:-1000])
    args = ["config", "--repo", ".", "--model", str(path), "--gpu-layers", "auto", "--lang", "en"]
    config = subprocess.run([sys.executable, "-c", CONFIG_IN_A_FRESH_PROCESS, *args], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    run = run_cli(*RUN[:-2], "-q", "--model", str(path), "--lang", "en")
    assert run.exit_code == 3 and "model file is truncated" in run.output
    assert config.returncode == 3, config.stderr
    assert "model file is truncated" in config.stderr and "llama_cpp imported: False" in config.stderr


def test_a_starter_file_in_another_folder_leaves_the_repository_to_the_current_directory(team, monkeypatch):
    starter = team / "elsewhere" / "offline-report.toml"
    assert run_cli("--config", str(starter), "init").exit_code == 0
    starter.write_text(starter.read_text() + 'lang = "en"\n')
    result = run_cli("--config", str(starter), *RUN, "--format", "json", "--stdout")
    assert result.exit_code == 0, result.output
    assert '"name": "acme/widgets"' in result.output or '"acme/widgets"' in result.output
    monkeypatch.setenv("OFFLINE_REPORT_CONFIG", str(starter))
    result = run_cli(*RUN, "--format", "json", "--stdout")
    assert result.exit_code == 0 and "acme/widgets" in result.output, result.output
    assert run_cli("config", "--no-llm").exit_code == 0


def test_config_shows_the_command_lines_repositories_and_the_files_tables_as_overridden(team):
    RepoBuilder(team / "other").commit("feat: x", f"{DAY}T09:00:00+00:00", {"a.py": "x\n"})
    (team / "elsewhere" / "team.toml").write_text('no_llm = true\n\n[[repos]]\npath = "../other"\nname = "acme/other"\n'
                                                  '\n[[repos]]\npath = "../repo"\nname = "acme/widgets"\n')
    result = run_cli("--config", str(team / "elsewhere" / "team.toml"), "--lang", "en", "config", "--repo",
                     str(team / "repo"))
    assert result.exit_code == 0, result.output
    shown = [line for line in result.output.splitlines() if "repos" in line or "name" in line]
    active = next(line for line in shown if line.startswith("repos = "))
    assert str(team / "repo") in active and active.endswith("# command line (--repo)")
    other = shown[shown.index(next(line for line in shown if "team.toml:3" in line)):][:3]
    assert other[0].startswith("# [[repos]]") and "overridden by the command line (--repo)" in other[0]
    assert '# name = "acme/other"' in other
    assert any(line.startswith("[[repos]]") and "team.toml:7" in line for line in shown)  # the listed clone's table
    assert 'name = "acme/widgets"' in shown
