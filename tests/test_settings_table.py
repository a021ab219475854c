"""Settings declared once (config/settings_table.py): a new row reaches the command line, the file, `config`, the
starter file and the API; each setting has one spelling and one check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from offline_report.config import Settings
from offline_report.config.settings_table import BY_NAME, SETTINGS

ROOT = Path(__file__).resolve().parent.parent

# A row added at run time, then every module made from the table loaded again: what a new setting gets for free.
NEW_ROW = r"""
import importlib, sys
from click.testing import CliRunner
import offline_report.config.settings_table as table

row = table.Setting("max_files", None, "Leave out commits that touch more than N files.", flag="--max-files",
                    key="max_files", type=int, low=1, metavar="N", example="500   # a bulk import is not news")
table.SETTINGS += (row,)
table.BY_NAME[row.name] = row
table.BY_KEY[row.key] = row
import offline_report.config as config
for name in ("offline_report.config", "offline_report.config.file", "offline_report.config.merge",
             "offline_report.config.checks", "offline_report.config.starter", "offline_report.pipeline",
             "offline_report.cli", "offline_report.api"):
    importlib.reload(sys.modules.get(name) or importlib.import_module(name))
from offline_report import api, cli
from offline_report.config.file import parse, read_config
from offline_report.config.starter import starter_text
from pathlib import Path

run = lambda *args: CliRunner().invoke(cli.main, list(args), catch_exceptions=False)
shown = " ".join(run("--help").output.split())
print("HELP", "--max-files N" in shown and "touch more than N files" in shown)
Path("offline-report.toml").write_text("max_files = 500\nno_llm = true\n")
print("FILE", parse(read_config(Path("offline-report.toml"))).values["max_files"][0])
listed = [line for line in run("config", "--repo", "repo").output.splitlines() if line.startswith("max_files")]
print("CONFIG", listed)
listed = [line for line in run("config", "--repo", "repo", "--max-files", "7", "--lang", "en").output.splitlines()
          if line.startswith("max_files")]
print("GIVEN", listed)
Path("offline-report.toml").write_text("max_files = 0\n")
print("REFUSED", run("config", "--repo", "repo").output.splitlines()[-2:])
print("STARTER", [line for line in starter_text().splitlines() if "max_files" in line])
print("API", "max_files" in api.KEYWORDS, config.Settings(max_files=3).max_files)
"""


def test_a_new_row_reaches_help_the_file_config_the_starter_and_the_api(tmp_path):
    from .support.gitrepo import RepoBuilder

    RepoBuilder(tmp_path / "repo").commit("feat: one", "2026-02-12T09:00:00+00:00", {"a.py": "x\n"})
    result = subprocess.run([sys.executable, "-c", NEW_ROW], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.returncode == 0, result.stderr
    out = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert out["HELP"] == "True"
    assert out["FILE"] == "500"
    assert "max_files = 500" in out["CONFIG"] and "offline-report.toml:1" in out["CONFIG"]
    assert "max_files = 7" in out["GIVEN"] and "command line (--max-files)" in out["GIVEN"]
    assert "offline-report.toml:1: max_files: bad value 0" in out["REFUSED"] and "at least 1" in out["REFUSED"]
    assert "# max_files = 500" in out["STARTER"] and "a bulk import is not news" in out["STARTER"]
    assert out["API"] == "True 3"


def test_one_spelling_per_setting_from_the_command_line_to_the_run():
    from dataclasses import fields

    from offline_report.config import RunConfig

    settings = {f.name for f in fields(Settings)}
    assert {row.name for row in SETTINGS} <= settings
    assert {"to_stdout", "use_llm", "ctx"}.isdisjoint(settings)  # the old second spellings
    assert {f.name for f in fields(RunConfig)} - settings == {"since", "until", "tz", "repo_days"} - settings


def test_lock_timeout_and_exit_code_if_empty_are_spelled_in_at_most_three_modules():
    package = ROOT / "offline_report"
    for name in ("lock_timeout", "exit_code_if_empty"):
        modules = [path for path in package.rglob("*.py") if name in path.read_text(encoding="utf-8")]
        assert len(modules) <= 3, (name, modules)


@pytest.mark.parametrize("name, value, words", [
    ("commit_url", "https://git.example.com/x", ["--commit-url", "{sha}"]),
    ("gpu_layers", "most", ["--gpu-layers", "most", '"all" or "auto"']),
    ("exit_code_if_empty", 2, ["--exit-code-if-empty", "2", "no other outcome"]),
    ("lock_timeout", -1, ["--lock-timeout", "at least 0"]),  # on the command line, click's range made from the row
    ("tz_name", "Mars/Olympus", ["--tz", "unknown time zone"]),
])
def test_the_api_and_the_command_line_share_each_check(tmp_path, name, value, words):
    """The one check of a row refuses the API's value as it refuses the command line's, in the same words."""
    import offline_report
    from offline_report.errors import UsageError

    from .support.cli import run_cli

    with pytest.raises(UsageError) as raised:
        offline_report.daily_reports(tmp_path, llm=False, **{name: value})
    text = f"{raised.value.message} {raised.value.hint}"
    assert all(word in text for word in words), text
    flag = BY_NAME[name].flag
    result = run_cli("--repo", str(tmp_path), "--no-llm", "--lang", "en", flag, str(value))
    assert result.exit_code == 2 and words[0] in result.output, result.output
    if BY_NAME[name].low is None:
        assert all(word in result.output for word in words), result.output
