from __future__ import annotations

from pathlib import Path

import pytest

from .support.seed_day import build_seed_repo


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """No test reads or writes the user's own cache."""
    monkeypatch.setenv("OFFLINE_REPORT_CACHE", str(tmp_path / "user-cache"))
    monkeypatch.delenv("OFFLINE_REPORT_MODEL", raising=False)
    monkeypatch.delenv("OFFLINE_REPORT_CONFIG", raising=False)
    return tmp_path / "user-cache"


@pytest.fixture
def seed_repo(tmp_path: Path):
    """The 25 commits of the reference report's day (ai-dynamo/dynamo, 2026-02-12, +08:00)."""
    build_seed_repo(tmp_path / "dynamo", multiline=True)
    return tmp_path / "dynamo"
