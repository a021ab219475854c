"""Commit facts made directly, for rule and prompt tests that need no repository."""

from __future__ import annotations

from datetime import datetime, timezone

from offline_report.git.commits import CommitFacts, FileChange


def facts(subject: str, files: list[FileChange], body: str = "") -> CommitFacts:
    return CommitFacts.from_message(sha="a" * 40, author="A", email="a@x",
                                    time=datetime(2026, 2, 12, tzinfo=timezone.utc),
                                    message=subject + ("\n\n" + body if body else ""), files=files)


def src(path="src/app.py", added=20, removed=5, status="modified"):
    return FileChange(path, status, added, removed)
