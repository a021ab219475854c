"""Commits of a day and their diff facts, read from a local clone with pygit2."""

from __future__ import annotations

import heapq
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Iterator

import pygit2
from pygit2.enums import DeltaStatus

from ..errors import RepoError
from .message import parse_message
from .remote import RemoteInfo, commit_url, parse_remote_url

SHORT_SHA_LEN = 7
# Committer clocks drift and rebases reorder time: keep walking this far past --since.
CLOCK_SKEW_MARGIN = timedelta(days=2)
# Files larger than this are counted but never diffed line by line into memory.
MAX_DIFF_BLOB_BYTES = 2 * 1024 * 1024

_STATUS_NAMES = {
    DeltaStatus.ADDED: "added",
    DeltaStatus.DELETED: "deleted",
    DeltaStatus.MODIFIED: "modified",
    DeltaStatus.RENAMED: "renamed",
    DeltaStatus.COPIED: "copied",
    DeltaStatus.TYPECHANGE: "typechange",
}


@dataclass(frozen=True)
class FileChange:
    path: str
    status: str
    added: int
    removed: int
    binary: bool = False
    old_path: str | None = None
    submodule: bool = False
    # Too large to diff: line counts are the whole old and new file, not a diff.
    large: bool = False


@dataclass
class CommitFacts:
    sha: str
    author: str
    email: str
    time: datetime
    message: str
    subject: str
    body: str
    conventional_type: str | None
    scope: str | None
    breaking: bool
    pr_number: int | None
    is_merge: bool
    files: list[FileChange] = field(default_factory=list)
    url: str | None = None

    @classmethod
    def from_message(cls, sha: str, author: str, email: str, time: datetime, message: str,
                     files: list[FileChange], is_merge: bool = False, url: str | None = None) -> "CommitFacts":
        parsed = parse_message(message)
        return cls(sha=sha, author=author, email=email, time=time, message=message, subject=parsed.subject,
                   body=parsed.body, conventional_type=parsed.conventional_type, scope=parsed.scope,
                   breaking=parsed.breaking, pr_number=parsed.pr_number, is_merge=is_merge, files=files, url=url)

    @property
    def short_sha(self) -> str:
        return self.sha[:SHORT_SHA_LEN]

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def removed(self) -> int:
        return sum(f.removed for f in self.files)


@dataclass
class RepoHandle:
    path: str
    repo: pygit2.Repository
    name: str
    remote: RemoteInfo
    commit_url_template: str | None = None

    def link(self, sha: str) -> str | None:
        return commit_url(self.commit_url_template, self.remote.web_url, sha)


@dataclass
class WalkStats:
    visited: int = 0
    hit_shallow_boundary: bool = False


def open_repo(path: str, commit_url_template: str | None = None) -> RepoHandle:
    if not os.path.exists(path):
        raise RepoError(f"repository path does not exist: {path}", "check the --repo path")
    if not os.path.isdir(path):
        raise RepoError(f"--repo is not a directory: {path}", "pass the directory of a git clone")
    found = pygit2.discover_repository(path)
    if found is None:
        raise RepoError(
            f"not a git repository: {path}",
            "pass the directory of a git clone with --repo (run `git status` there to check)",
        )
    try:
        repo = pygit2.Repository(found)
    except pygit2.GitError as exc:
        raise RepoError(f"cannot open git repository {path}: {exc}", "check the clone with `git fsck`") from exc
    remote = _origin(repo)
    name = remote.slug or _directory_name(repo)
    return RepoHandle(path=os.path.abspath(path), repo=repo, name=name, remote=remote,
                      commit_url_template=commit_url_template)


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


def resolve_ref(handle: RepoHandle, ref: str) -> pygit2.Commit:
    repo = handle.repo
    if repo.is_empty:
        raise RepoError(f"{handle.name}: the repository has no commits yet", "commit something first, or leave this --repo out")
    try:
        obj = repo.revparse_single(ref)
        return obj.peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError) as exc:
        raise RepoError(
            f"{handle.name}: ref {ref!r} does not exist",
            "pass an existing branch, tag or commit with --ref (see `git branch -a`)",
        ) from exc


def commits_between(
    handle: RepoHandle,
    start: datetime,
    end: datetime,
    ref: str = "HEAD",
    no_merges: bool = False,
    stats: WalkStats | None = None,
) -> Iterator[pygit2.Commit]:
    """Commits reachable from ref whose committer time lies in [start, end), newest first.

    The walk is time-sorted and stops once it is CLOCK_SKEW_MARGIN older than start.
    """
    stats = stats if stats is not None else WalkStats()
    head = resolve_ref(handle, ref)
    start_ts, end_ts = start.timestamp(), end.timestamp()
    stop_ts = (start - CLOCK_SKEW_MARGIN).timestamp()
    for commit in newest_first(handle.repo, head):
        stats.visited += 1
        if commit.commit_time < stop_ts:
            break
        if not commit.parent_ids and handle.repo.is_shallow:
            stats.hit_shallow_boundary = True
        if not (start_ts <= commit.commit_time < end_ts):
            continue
        if no_merges and len(commit.parent_ids) > 1:
            continue
        yield commit


def newest_first(repo: pygit2.Repository, head: pygit2.Commit) -> Iterator[pygit2.Commit]:
    """Commits by committer time, newest first, loaded as they are reached (like `git log --date-order`).

    libgit2's own time-sorted walk reads the whole history before it yields the first commit.
    """
    heap = [(-head.commit_time, 0, head)]
    seen = {head.id}
    order = 1  # ties keep the order of discovery
    while heap:
        _, _, commit = heapq.heappop(heap)
        yield commit
        for parent_id in commit.parent_ids:
            if parent_id in seen:
                continue
            seen.add(parent_id)
            try:
                parent = repo[parent_id]
            except KeyError:  # a missing object: history ends here
                continue
            heapq.heappush(heap, (-parent.commit_time, order, parent))
            order += 1


def commit_facts(handle: RepoHandle, commit: pygit2.Commit, tz: tzinfo) -> CommitFacts:
    return CommitFacts.from_message(
        sha=str(commit.id),
        author=_signature_text(commit.author, "name"),
        email=_signature_text(commit.author, "email"),
        time=datetime.fromtimestamp(commit.commit_time, tz),
        message=_message_text(commit),
        files=list(file_changes(handle.repo, commit)),
        is_merge=len(commit.parent_ids) > 1,
        url=handle.link(str(commit.id)),
    )


def _message_text(commit: pygit2.Commit) -> str:
    try:
        return commit.message
    except (UnicodeDecodeError, LookupError):
        return commit.raw_message.decode("utf-8", errors="replace")


def _signature_text(signature: pygit2.Signature, attr: str) -> str:
    try:
        return getattr(signature, attr)
    except (UnicodeDecodeError, LookupError):
        return getattr(signature, "raw_" + attr).decode("utf-8", errors="replace")


def commit_diff(repo: pygit2.Repository, commit: pygit2.Commit) -> pygit2.Diff:
    """The commit's diff against its first parent (the empty tree for a root commit)."""
    if commit.parents:
        diff = repo.diff(commit.parents[0], commit)
    else:
        diff = commit.tree.diff_to_tree(swap=True)
    diff.find_similar()
    return diff


def file_changes(repo: pygit2.Repository, commit: pygit2.Commit) -> Iterator[FileChange]:
    diff = commit_diff(repo, commit)
    for index, delta in enumerate(diff.deltas):
        yield _file_change(repo, diff, index, delta)


def _file_change(repo: pygit2.Repository, diff: pygit2.Diff, index: int, delta: pygit2.DiffDelta) -> FileChange:
    status = _STATUS_NAMES.get(delta.status, "modified")
    path = _path_text(delta.new_file if delta.status != DeltaStatus.DELETED else delta.old_file)
    old_path = _path_text(delta.old_file) if delta.status in (DeltaStatus.RENAMED, DeltaStatus.COPIED) else None
    submodule = delta.new_file.mode == pygit2.GIT_FILEMODE_COMMIT or delta.old_file.mode == pygit2.GIT_FILEMODE_COMMIT
    if submodule:
        return FileChange(path, status, 0, 0, old_path=old_path, submodule=True)
    if _too_large(repo, delta):
        added, removed = _line_counts_without_diff(repo, delta)
        return FileChange(path, status, added, removed, old_path=old_path, large=True)
    patch = diff[index]
    binary = patch.delta.is_binary
    _, added, removed = patch.line_stats if not binary else (0, 0, 0)
    return FileChange(path, status, added, removed, binary=binary, old_path=old_path)


def _path_text(diff_file: pygit2.DiffFile) -> str:
    """Paths are bytes in git; non-UTF-8 ones are shown with replacement characters."""
    return diff_file.raw_path.decode("utf-8", errors="replace")


def _is_null(oid: pygit2.Oid) -> bool:
    return not any(oid.raw)


def blob_size(repo: pygit2.Repository, oid: pygit2.Oid) -> int:
    if _is_null(oid):
        return 0
    try:
        _, size = repo.odb.read_header(oid)
    except (KeyError, ValueError, pygit2.GitError):
        return 0
    return size


def _too_large(repo: pygit2.Repository, delta: pygit2.DiffDelta) -> bool:
    return max(blob_size(repo, delta.old_file.id), blob_size(repo, delta.new_file.id)) > MAX_DIFF_BLOB_BYTES


def _line_counts_without_diff(repo: pygit2.Repository, delta: pygit2.DiffDelta) -> tuple[int, int]:
    """For a huge file: count lines of the whole old and new blob, chunk by chunk, no diff."""
    return _count_lines(repo, delta.new_file.id), _count_lines(repo, delta.old_file.id)


def _count_lines(repo: pygit2.Repository, oid: pygit2.Oid) -> int:
    if _is_null(oid):
        return 0
    try:
        blob = repo[oid]
    except (KeyError, ValueError):
        return 0
    count = 0
    with pygit2.BlobIO(blob) as stream:
        while chunk := stream.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[00:00, 24:00) of a local day; DST-safe because each end is built from its own date."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
    return start, end


def patch_texts(repo: pygit2.Repository, sha: str) -> Iterator[tuple[str, str | None]]:
    """(path, patch text) per file, lazily; None for binary, submodule and too-large files."""
    commit = repo[sha]
    diff = commit_diff(repo, commit)
    for index, delta in enumerate(diff.deltas):
        path = _path_text(delta.new_file if delta.status != DeltaStatus.DELETED else delta.old_file)
        submodule = pygit2.GIT_FILEMODE_COMMIT in (delta.new_file.mode, delta.old_file.mode)
        if submodule or _too_large(repo, delta):
            yield path, None
            continue
        patch = diff[index]
        yield path, (None if patch.delta.is_binary else patch.text)
