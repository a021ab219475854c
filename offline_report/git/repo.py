"""A local clone opened once: its name, web links, its .mailmap, and the commit its ref points to."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pygit2

from ..errors import RepoError
from .remote import RemoteInfo, commit_url, parse_remote_url, request_url


@dataclass
class RepoHandle:
    path: str
    repo: pygit2.Repository
    name: str
    remote: RemoteInfo
    commit_url_template: str | None = None
    mailmap: pygit2.Mailmap | None = None
    _heads: dict = field(default_factory=dict, repr=False)

    def link(self, sha: str) -> str | None:
        return commit_url(self.commit_url_template, self.remote, sha)

    def request_link(self, number: int | None, request=None) -> str | None:
        """The page of the pull or merge request a commit names (request: its merge message's Request)."""
        if request is not None:
            return request_url(self.remote, request.number, request.kind, request.project)
        return request_url(self.remote, number)

    def person(self, name: str, email: str) -> tuple[str, str]:
        """A person's name and email as `git log --use-mailmap` shows them."""
        if self.mailmap is None:
            return name, email
        try:
            return self.mailmap.resolve(name, email)
        except (ValueError, pygit2.GitError):
            return name, email

    @property
    def is_empty(self) -> bool:
        return self.repo.is_empty

    @property
    def is_shallow(self) -> bool:
        return self.repo.is_shallow

    def head(self, ref: str) -> pygit2.Commit:
        """The commit `ref` names, resolved once per run."""
        if ref not in self._heads:
            self._heads[ref] = resolve_ref(self, ref)
        return self._heads[ref]


def open_repo(path: str, commit_url_template: str | None = None) -> RepoHandle:
    if not os.path.exists(path):
        raise RepoError("repo_missing", path=path)
    if not os.path.isdir(path):
        raise RepoError("repo_not_a_directory", path=path)
    found = pygit2.discover_repository(path)
    if found is None:
        raise RepoError("not_a_repo", path=path)
    try:
        repo = pygit2.Repository(found)
    except pygit2.GitError as exc:
        raise RepoError("repo_unopenable", path=path, detail=str(exc)) from exc
    remote = _origin(repo)
    name = remote.slug or _directory_name(repo)
    return RepoHandle(path=os.path.abspath(path), repo=repo, name=name, remote=remote,
                      commit_url_template=commit_url_template, mailmap=_mailmap(repo))


def _mailmap(repo: pygit2.Repository) -> pygit2.Mailmap | None:
    """The clone's .mailmap (work tree, mailmap.file, mailmap.blob or HEAD:.mailmap in a bare clone), read once.

    A mailmap this clone cannot read (its blob left out of a partial clone) maps nobody."""
    try:
        return pygit2.Mailmap.from_repository(repo)
    except (KeyError, ValueError, OSError, pygit2.GitError):
        return None


def _origin(repo: pygit2.Repository) -> RemoteInfo:
    try:
        remote = repo.remotes["origin"]
    except (KeyError, ValueError):
        return RemoteInfo(None, None)
    return parse_remote_url(remote.url)


def _directory_name(repo: pygit2.Repository) -> str:
    root = repo.workdir or repo.path
    name = os.path.basename(os.path.normpath(root))
    return name[:-4] if repo.is_bare and name.endswith(".git") else name


def resolve_ref(handle: RepoHandle, ref: str, what: str = "ref", hint: str = "ref") -> pygit2.Commit:
    """The commit a ref or revision names; a clear error (saying `what` it was, and the catalogue's hint of what
    to do) when none."""
    repo = handle.repo
    if repo.is_empty:
        raise RepoError("no_commits", repo=handle.name)
    try:
        obj = repo.revparse_single(ref)
        return obj.peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError) as exc:
        raise RepoError("ref_missing", hint, repo=handle.name, what=what, ref=ref) from exc
