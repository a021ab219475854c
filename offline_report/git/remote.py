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


# Where a host's web pages show one pull or merge request, by the same kinds of host.
REQUEST_PATHS = (
    ("bitbucket.org", "/pull-requests/"),
    ("github", "/pull/"),
    ("gitlab", "/-/merge_requests/"),
    ("gitea", "/pulls/"), ("forgejo", "/pulls/"), ("codeberg.org", "/pulls/"), ("gogs", "/pulls/"),
)
# The hosts whose merge messages each kind is (a GitLab message in a GitHub mirror names a number GitHub lacks).
REQUEST_KIND_HOSTS = {"github": ("github",), "gitlab": ("gitlab",), "bitbucket": ("bitbucket.org",)}
# The hosts whose "#N" in a subject ("Fix it (#12)") is a pull request (on GitLab it is an issue).
HASH_IS_REQUEST = ("github", "gitea", "forgejo", "codeberg.org", "gogs", "bitbucket.org")


@dataclass(frozen=True)
class RemoteInfo:
    web_url: str | None
    slug: str | None
    commit_path: str | None = None  # "/commit/" etc.: None when the host's kind is not known
    host: str | None = None


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
    return RemoteInfo(web_url=f"https://{host}/{path}", slug=path, commit_path=host_commit_path(host), host=host)


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


def request_url(remote: RemoteInfo, number: int | None, kind: str | None = None, project: str | None = None) -> str | None:
    """The web page of pull or merge request `number`: kind is the merge message's host kind ("github", "gitlab",
    "bitbucket"), None for a "(#N)" in a subject; project is the group/proj GitLab's message names."""
    if number is None or not remote.web_url or not remote.host or not host_commit_path(remote.host):
        return None
    name = remote.host.lower()
    markers = HASH_IS_REQUEST if kind is None else REQUEST_KIND_HOSTS.get(kind, ())
    if not any(marker in name for marker in markers):
        return None
    path = next((path for marker, path in REQUEST_PATHS if marker in name), None)
    if path is None:
        return None
    base = f"https://{remote.host}/{project}" if project and kind == "gitlab" else remote.web_url
    return f"{base}{path}{number}"
