"""The library core: no click outside cli.py, and offline_report.daily_reports(...) from Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import offline_report
from offline_report.errors import UsageError

from .support.gitrepo import RepoBuilder, lines

ROOT = Path(__file__).resolve().parent.parent
DAY = "2026-02-12"

IMPORT_ALL_BUT_THE_CLI = """
import importlib, pkgutil, sys
import offline_report
names = [m.name for m in pkgutil.walk_packages(offline_report.__path__, "offline_report.")
         if m.name != "offline_report.cli"]
for name in names:
    importlib.import_module(name)
offline_report.daily_reports  # the entry point itself
print(len(names), "click" in sys.modules, sorted(m for m in sys.modules if m.split(".")[0] == "click")[:3])
"""


def test_importing_every_module_but_the_cli_leaves_click_unimported():
    result = subprocess.run([sys.executable, "-c", IMPORT_ALL_BUT_THE_CLI], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    assert result.returncode == 0, result.stderr
    count, imported, _ = result.stdout.split(" ", 2)
    assert int(count) > 30 and imported == "False", result.stdout


@pytest.fixture
def repo(tmp_path):
    b = RepoBuilder(tmp_path / "repo", remote="https://github.com/acme/widgets.git")
    b.commit("chore: base", "2026-02-11T08:00:00+00:00", {"src/app.py": lines(10)})
    b.commit("feat: add the export command", f"{DAY}T09:00:00+00:00", {"src/export.py": lines(40)})
    b.commit("fix: handle empty input", f"{DAY}T10:00:00+00:00", {"src/app.py": lines(12)})
    return tmp_path / "repo"


def test_report_returns_the_day_reports_and_their_json_and_writes_nothing(repo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    reports = offline_report.daily_reports(repo, since="2026-02-11", until=DAY, tz="UTC", lang="en", llm=False)
    assert [day.day.isoformat() for day in reports.days] == ["2026-02-11", DAY]
    assert [data["date"] for data in reports.json] == ["2026-02-11", DAY]
    assert reports.json[1]["repos"][0]["stats"]["total"] == 2 and reports.commits == 3
    assert [c["subject"] for c in reports.json[1]["repos"][0]["commits"]][0].startswith(("feat", "fix"))
    json.dumps(reports.json)  # plain JSON data
    assert not (tmp_path / "reports").exists() and reports.written == []


def test_report_writes_files_when_asked_and_raises_the_cli_errors(repo, tmp_path):
    reports = offline_report.daily_reports([repo], since=DAY, until=DAY, tz="UTC", llm=False, output_dir=tmp_path / "o",
                                    fmt="json")
    assert reports.written == [tmp_path / "o" / f"{DAY}.json"]
    with pytest.raises(UsageError, match="is not a date"):
        offline_report.daily_reports(repo, since="last week", llm=False)
    with pytest.raises(TypeError, match="no_such_setting"):
        offline_report.daily_reports(repo, no_such_setting=1)


def test_report_reads_a_config_file_under_its_arguments(repo, tmp_path):
    config = tmp_path / "team.toml"
    config.write_text(f'lang = "en"\ntz = "UTC"\nno_llm = true\n[[repos]]\npath = "repo"\nname = "team/widgets"\n')
    reports = offline_report.daily_reports(since=DAY, until=DAY, config=config)
    assert reports.json[0]["lang"] == "en" and reports.json[0]["repos"][0]["name"] == "team/widgets"
    assert offline_report.daily_reports(since=DAY, until=DAY, config=config, lang="zh").json[0]["lang"] == "zh"
