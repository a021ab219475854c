"""Commit message parsing: subject, body, conventional type and scope, breaking marker, PR number."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CONVENTIONAL = re.compile(
    r"^(?P<type>[A-Za-z]+)(?:\((?P<scope>[^()\n]*)\))?(?P<bang>!)?:\s*(?P<description>.*)$"
)
_BREAKING_FOOTER = re.compile(r"^BREAKING[ -]CHANGE:", re.MULTILINE)
_PR_NUMBER = re.compile(r"\(#(\d+)\)\s*$")
_MERGE_PR = re.compile(r"^Merge pull request #(\d+)")

KNOWN_TYPES = {
    "feat", "fix", "docs", "style", "refactor", "perf", "test", "tests", "build", "ci",
    "chore", "revert", "security", "deps", "config",
}


@dataclass(frozen=True)
class ParsedMessage:
    subject: str
    body: str
    conventional_type: str | None
    scope: str | None
    breaking: bool
    pr_number: int | None


def parse_message(message: str) -> ParsedMessage:
    text = message.replace("\r\n", "\n").strip("\n")
    subject, _, body = text.partition("\n")
    subject = subject.strip()
    body = body.strip("\n")
    ctype, scope, bang = _conventional_parts(subject)
    breaking = bang or bool(_BREAKING_FOOTER.search(body))
    return ParsedMessage(
        subject=subject,
        body=body,
        conventional_type=ctype,
        scope=scope,
        breaking=breaking,
        pr_number=_pr_number(subject),
    )


def _conventional_parts(subject: str) -> tuple[str | None, str | None, bool]:
    match = _CONVENTIONAL.match(subject)
    if not match or match.group("type").lower() not in KNOWN_TYPES:
        return None, None, False
    ctype = match.group("type").lower()
    if ctype == "tests":
        ctype = "test"
    scope = (match.group("scope") or "").strip() or None
    return ctype, scope, bool(match.group("bang"))


def _pr_number(subject: str) -> int | None:
    match = _PR_NUMBER.search(subject) or _MERGE_PR.match(subject)
    return int(match.group(1)) if match else None
