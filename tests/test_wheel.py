"""The built wheel: the top-level templates and schema travel inside it, once, and a report renders from that copy."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .support.gitrepo import RepoBuilder, lines

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "offline_report"


def test_the_templates_live_once_at_the_top_of_the_repository():
    built_in = sorted(p.name for p in (ROOT / "templates").glob("*.j2"))
    assert {"day.md.j2", "day.html.j2", "analysis.md.j2", "index.html.j2", "feed.xml.j2"} <= set(built_in)
    assert [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.j2")] == []
    assert not (PACKAGE / "templates").exists() and not (PACKAGE / "schemas").exists()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)], cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    (built,) = out.glob("offline_report-*.whl")
    return built


def test_the_wheel_carries_each_template_and_the_schema_once(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for template in (ROOT / "templates").glob("*.j2"):
        assert [n for n in names if n.endswith("/" + template.name)] == [f"offline_report/templates/{template.name}"]
    assert "offline_report/schemas/day-report.v1.schema.json" in names


def test_a_report_renders_from_the_installed_copy(wheel, tmp_path):
    site = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(site)  # a pure-Python wheel installs by unpacking
    repo = RepoBuilder(tmp_path / "repo")
    repo.commit("feat: add the parser", "2026-02-12T10:00:00+00:00", {"src/parser.py": lines(40)})
    out = tmp_path / "out"
    script = (
        "import sys, offline_report; from offline_report.report import render; from offline_report.cli import main\n"
        "print(offline_report.__file__); print(render.templates_dir()); print(render.schema_path())\n"
        f"main(['--repo', {str(tmp_path / 'repo')!r}, '--since', '2026-02-12', '--until', '2026-02-12', '--tz', 'UTC',"
        f" '--no-llm', '-q', '--format', 'html', '--output-dir', {str(out)!r}], standalone_mode=False)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    package, templates, schema = result.stdout.splitlines()[:3]
    assert Path(package).is_relative_to(site) and Path(templates) == site / "offline_report" / "templates"
    assert Path(schema).is_file() and Path(schema).is_relative_to(site)
    assert "feat: add the parser" in (out / "2026-02-12.html").read_text(encoding="utf-8")
    assert (out / "index.html").is_file()
