from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from offline_report.cli import main

ANCHOR = re.compile(r'<a id="([^"]+)"></a>')
LINK = re.compile(r"(?<!\\)\]\(#([^)]*)\)")


def run_cli(*args: str, env: dict | None = None):
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result


def unescape(markdown_text: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown_text)


def broken_links(markdown: str) -> list[str]:
    anchors = set(ANCHOR.findall(markdown))
    return [target for target in LINK.findall(markdown) if target not in anchors]


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """No test reads or writes the user's own cache."""
    monkeypatch.setenv("OFFLINE_REPORT_CACHE", str(tmp_path / "user-cache"))
    monkeypatch.delenv("OFFLINE_REPORT_MODEL", raising=False)
    return tmp_path / "user-cache"


@pytest.fixture
def seed_repo(tmp_path: Path):
    from .seed_day import build_seed_repo

    build_seed_repo(tmp_path / "dynamo", multiline=True)
    return tmp_path / "dynamo"
