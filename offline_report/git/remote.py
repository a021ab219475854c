"""The origin remote turned into a web URL for commit links and an owner/name title."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?!//)(?P<path>.+)$")
_URL = re.compile(r"^(?P<scheme>[a-z+]+)://(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?/(?P<path>.+)$")


@dataclass(frozen=True)
class RemoteInfo:
    web_url: str | None
    slug: str | None


def parse_remote_url(url: str | None) -> RemoteInfo:
    """Map https, ssh and scp-like remote URLs of GitHub, GitLab and Gitea to a web URL."""
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
    return RemoteInfo(web_url=f"https://{host}/{path}", slug=path)


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


def commit_url(template: str | None, web_url: str | None, sha: str) -> str | None:
    if template:
        return template.replace("{sha}", sha)
    if web_url:
        return f"{web_url}/commit/{sha}"
    return None
