"""Commit message parsing: subject, title, body, conventional type and scope, breaking marker, PR number, and the
pull or merge request a merge commit names."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CONVENTIONAL = re.compile(
    r"^(?P<type>[A-Za-z]+)(?:\((?P<scope>[^()\n]*)\))?(?P<bang>!)?:\s*(?P<description>.*)$"
)
_BREAKING_FOOTER = re.compile(r"^BREAKING[ -]CHANGE:", re.MULTILINE)
_PR_NUMBER = re.compile(r"\(#(\d+)\)\s*$")
_MERGE_PR = re.compile(r"^Merge pull request #(\d+)")
# The merge commits the hosts' merge buttons write: the request's title is the body's first line.
_GITHUB_MERGE = re.compile(r"^Merge pull request #(?P<number>\d+) from (?P<branch>\S+)\s*$")
_GITLAB_MERGE = re.compile(r"^Merge branch '(?P<branch>[^']+)' into '(?P<target>[^']+)'\s*$")
_GITLAB_REQUEST = re.compile(r"^See merge request (?P<project>\S+?)!(?P<number>\d+)\s*$", re.MULTILINE)
_BITBUCKET_MERGE = re.compile(r"^Merged in (?P<branch>\S+) \(pull request #(?P<number>\d+)\)\s*$")
_NOT_A_TITLE = re.compile(r"^\s*([-*+>]\s|#|\d+[.)]\s|```)")

KNOWN_TYPES = {
    "feat", "fix", "docs", "style", "refactor", "perf", "test", "tests", "build", "ci",
    "chore", "revert", "security", "deps", "config",
}


_TRAILER = re.compile(
    r"^(Signed-off-by|Co-authored-by|Reviewed-by|Acked-by|Tested-by|Reported-by|Suggested-by|Helped-by|Cc|"
    r"Change-Id|See-also|Approved-by)\s*:",
    re.IGNORECASE,
)
_RULE_LINE = re.compile(r"^\s*([-=_*#~]\s*){3,}$")
# What squash merges and review rounds leave in a body: commit subjects of fixups, not information.
_SQUASH_NOISE = re.compile(
    r"^\s*[*-]?\s*(merge (branch|remote-tracking branch|pull request)\b.*|"
    r"(address(ed|es)?|apply|applied|resolve[sd]?) (the )?(review|pr|code review)?\s*(comments?|feedback|suggestions?)\b.*|"
    r"update[sd]? based on (review|feedback|comments?)\b.*|(review|pr) (feedback|comments?)\b.*|"
    r"fix(ed|es)? (a |the )?(typos?|lint|linting|formatting|pre-?commit|ci|tests?)\.?$|"
    r"(wip|fixup!?.*|squash!?.*|minor( fix(es)?| changes?| cleanup)?|lint|format(ting)?|pre-?commit( fixes)?|"
    r"cleanup|clean up|typo|nit|nits|update|updates|more fixes|fix|fixes)\.?)\s*$",
    re.IGNORECASE,
)


def clean_body(body: str) -> str:
    """The body a reader wants: trailers, rule lines and squash-merge noise removed, blank runs folded."""
    kept: list[str] = []
    for line in body.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if stripped == "---" and kept:
            break  # bots put machine-readable metadata after a rule
        if _TRAILER.match(stripped) or _RULE_LINE.match(stripped) or _SQUASH_NOISE.match(stripped):
            continue
        if not stripped and (not kept or not kept[-1].strip()):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip("\n")


@dataclass(frozen=True)
class Request:
    """The pull or merge request a host's merge button names: its host kind, number and source branch."""

    kind: str  # "github", "gitlab" or "bitbucket": whose merge message it is
    number: int
    branch: str
    target: str | None = None  # GitLab names the branch it merged into
    project: str | None = None  # GitLab names the project the request belongs to (group/proj)

    def as_json(self) -> dict:
        return {"kind": self.kind, "number": self.number, "branch": self.branch, "target": self.target,
                "project": self.project}


@dataclass(frozen=True)
class ParsedMessage:
    subject: str
    body: str
    conventional_type: str | None
    scope: str | None
    breaking: bool
    pr_number: int | None
    title: str = ""  # the request's title for a host's merge, else the subject
    request: Request | None = None


def parse_message(message: str) -> ParsedMessage:
    text = message.replace("\r\n", "\n").strip("\n")
    subject, _, body = text.partition("\n")
    subject = subject.strip()
    body = body.strip("\n")
    request = merge_request(subject, body)
    title = subject
    if request:
        found, body = _request_title(body)
        title = found or subject
    ctype, scope, bang = _conventional_parts(title)
    breaking = bang or bool(_BREAKING_FOOTER.search(body))
    return ParsedMessage(
        subject=subject,
        body=body,
        conventional_type=ctype,
        scope=scope,
        breaking=breaking,
        pr_number=request.number if request else _pr_number(subject),
        title=title,
        request=request,
    )


def merge_request(subject: str, body: str) -> Request | None:
    """The request a GitHub, GitLab or Bitbucket merge commit was written for, or None."""
    if match := _GITHUB_MERGE.match(subject):
        return Request("github", int(match["number"]), match["branch"])
    if match := _BITBUCKET_MERGE.match(subject):
        return Request("bitbucket", int(match["number"]), match["branch"])
    if (match := _GITLAB_MERGE.match(subject)) and (seen := _GITLAB_REQUEST.search(body)):
        return Request("gitlab", int(seen["number"]), match["branch"], match["target"], seen["project"])
    return None


def _request_title(body: str) -> tuple[str | None, str]:
    """The request's title (the body's first line, when it reads as one) and the body without it and without
    GitLab's "See merge request" line."""
    body = _GITLAB_REQUEST.sub("", body).strip("\n")
    first, _, rest = body.partition("\n")
    if not first.strip() or _NOT_A_TITLE.match(first) or _TRAILER.match(first.strip()):
        return None, body
    return first.strip(), rest.strip("\n")


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
