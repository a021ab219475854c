"""The origin remote turned into a web URL for commit links and an owner/name title."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?!//)(?P<path>.+)$")
_URL = re.compile(r"^(?P<scheme>[a-z+]+)://(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?/(?P<path>.+)$")


# Where a host's web pages show one commit, by the kind of host its name says it is. Any other host gets no link
# (a guessed one would point nowhere): --commit-url or the file's commit_url gives it one.
COMMIT_PATHS = (
    ("bitbucket.org", "/commits/"),  # Bitbucket Cloud (a Bitbucket Server's pages are laid out otherwise)
    ("github", "/commit/"),
    ("gitlab", "/-/commit/"),
    ("gitea", "/commit/"), ("forgejo", "/commit/"), ("codeberg.org", "/commit/"), ("gogs", "/commit/"),
)


@dataclass(frozen=True)
class RemoteInfo:
    web_url: str | None
    slug: str | None
    commit_path: str | None = None  # "/commit/" etc.: None when the host's kind is not known


def host_commit_path(host: str) -> str | None:
    name = host.lower()
    if "bitbucket" in name and name != "bitbucket.org":
        return None
    return next((path for marker, path in COMMIT_PATHS if marker in name), None)


def parse_remote_url(url: str | None) -> RemoteInfo:
    """Map https, ssh and scp-like remote URLs to a web URL, and to commit links on the hosts whose kind is known
    (GitHub, GitLab, Gitea/Forgejo, Bitbucket Cloud)."""
    if not url:
        return RemoteInfo(None, None)
    url = url.strip()
    host, path = _host_and_path(url)
    if host is None or path is None:
        return RemoteInfo(None, None)
    path = path.strip("/")
    if path.endswith(".git"):
        path = path[: -len(".git")]
    if path.count("/") < 1:
        return RemoteInfo(None, None)
    return RemoteInfo(web_url=f"https://{host}/{path}", slug=path, commit_path=host_commit_path(host))


def _host_and_path(url: str) -> tuple[str | None, str | None]:
    match = _URL.match(url)
    if match:
        if match.group("scheme") == "file":
            return None, None
        return match.group("host"), match.group("path")
    match = _SCP_LIKE.match(url)
    if match and "/" not in match.group("host"):
        return match.group("host"), match.group("path")
    return None, None


def commit_url(template: str | None, remote: RemoteInfo, sha: str) -> str | None:
    if template:
        return template.replace("{sha}", sha)
    if remote.web_url and remote.commit_path:
        return f"{remote.web_url}{remote.commit_path}{sha}"
    return None
