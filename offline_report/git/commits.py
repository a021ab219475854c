"""One commit decoded once: message facts, files with their kinds and line counts, and its patch text on demand."""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pygit2
from pygit2.enums import DeltaStatus, DiffFind

from ..facts import DiffFacts, FilePatch, diff_facts, remembered
from .message import Request, parse_message
from ..facts.kinds import is_public_api, path_kind

SHORT_SHA_LEN = 7
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


# What of a commit's changes this clone holds (partial, shallow and filtered clones lack objects).
CONTENTS = ("complete", "partial", "absent")
# Why contents are missing: file contents (blobs) not fetched, trees not fetched, or the parent lies past the
# shallow boundary.
MISSING_BLOBS, MISSING_TREES, SHALLOW_BOUNDARY = "missing_blobs", "missing_trees", "shallow_boundary"


@dataclass(frozen=True)
class FileChange:
    path: str
    status: str
    added: int | None   # None: the file's contents are not in this clone, so its line counts are unknown
    removed: int | None
    binary: bool = False
    old_path: str | None = None
    submodule: bool = False
    # Too large to diff: line counts are the whole old and new file, not a diff.
    large: bool = False

    @property
    def lines_known(self) -> bool:
        return self.added is not None and self.removed is not None

    @property
    def kind(self) -> str:
        """source, test, docs, ci, build, manifest, lockfile, vendored, config, or submodule."""
        return "submodule" if self.submodule else path_kind(self.path)

    @property
    def public_api(self) -> bool:
        return self.kind == "source" and is_public_api(self.path)

    def as_json(self) -> dict:
        """added and removed are null when the file's contents are not in this clone."""
        return {"path": self.path, "old_path": self.old_path, "status": self.status, "added": self.added,
                "removed": self.removed, "binary": self.binary, "submodule": self.submodule, "large": self.large}


# (path, patch text); None for binary, submodule and too-large files.
PatchTexts = list[tuple[str, "str | None"]]


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
    diff: DiffFacts = field(default_factory=DiffFacts)
    context: str | None = None  # what the team says about the repository ([[repos]] context), for the prompt
    contents: str = "complete"          # one of CONTENTS
    contents_reason: str | None = None  # MISSING_BLOBS, MISSING_TREES or SHALLOW_BOUNDARY when not complete
    # Each file's patch text, read from the same diff the facts came from; None: no readable patches.
    patches: PatchTexts | None = field(default=None, repr=False, compare=False)
    # (the clone's path, the first parent's sha) of a commit whose facts a previous run kept: its patches are
    # read again from the clone when asked for (only a model's prompt asks).
    patches_from: tuple[str, str] | None = field(default=None, repr=False, compare=False)
    author_time: datetime | None = None  # when it was written (time: when it was committed)
    # Where it stands on the reported ref (git/log.py): when the first-parent commit that brought it was committed,
    # whether that day was reported before it was reachable, the merge that brought it, what a merge brought.
    landed_at: datetime | None = None
    late: bool = False
    via: str | None = None
    brought: list["CommitFacts"] = field(default_factory=list, repr=False)
    upstream: bool | None = None  # one of the upstream's commits ([[repos]] upstream), None when none is named
    local_patches: list[str] | None = None  # an upstream sync: files the fork's own commits also changed
    title: str = ""  # what it is called: a host's merge by its request's title, any other commit by its subject
    request: Request | None = None  # the pull or merge request a host's merge commit names
    request_url: str | None = None  # the web page of its request (pr_number), where the host's kind is known

    @classmethod
    def from_message(cls, sha: str, author: str, email: str, time: datetime, message: str,
                     files: list[FileChange], is_merge: bool = False, url: str | None = None,
                     patches: PatchTexts | None = None,
                     diff: DiffFacts | None = None, contents: str = "complete",
                     contents_reason: str | None = None, author_time: datetime | None = None) -> "CommitFacts":
        parsed = parse_message(message)
        return cls(sha=sha, author=author, email=email, time=time, message=message, subject=parsed.subject,
                   body=parsed.body, conventional_type=parsed.conventional_type, scope=parsed.scope,
                   breaking=parsed.breaking, pr_number=parsed.pr_number, is_merge=is_merge, files=files, url=url,
                   diff=diff or DiffFacts(), contents=contents, contents_reason=contents_reason,
                   patches=patches, author_time=author_time or time, landed_at=time,
                   title=parsed.title or parsed.subject, request=parsed.request)

    def landing_order(self) -> tuple:
        """The sort key of a report's entries: when it landed, then when it was committed (newest last)."""
        return self.landed_at, self.time

    @property
    def short_sha(self) -> str:
        return self.sha[:SHORT_SHA_LEN]

    @property
    def lines_known(self) -> bool:
        """False when some of the commit's contents are not in this clone: its line counts are unknown, not zero."""
        return self.contents == "complete" and all(f.lines_known for f in self.files)

    @property
    def files_known(self) -> bool:
        """False when the commit's trees or its parent are not in this clone: its file list is unknown."""
        return self.contents != "absent"

    @property
    def added(self) -> int | None:
        return sum(f.added for f in self.files) if self.lines_known else None

    @property
    def removed(self) -> int | None:
        return sum(f.removed for f in self.files) if self.lines_known else None

    def patch_texts(self) -> PatchTexts:
        """Each file's patch text, as read once from the diff this commit was decoded with."""
        if self.patches is None and self.patches_from is not None:
            self.patches = reread_patches(self.sha, *self.patches_from)
        return self.patches if self.patches is not None else [(f.path, None) for f in self.files]


def decode_commit(handle, commit: pygit2.Commit, tz: tzinfo) -> CommitFacts:
    """Everything the report needs from one commit, from one diff against its first parent.

    Objects this clone lacks (a partial or shallow clone) are facts of the clone: the commit is decoded from
    what is present, and says what is not (contents "partial" or "absent"). Nothing is ever fetched."""
    parent_ids = commit_parent_ids(handle, commit)
    facts = _decode_changes(handle, commit, parent_ids, _header(handle, commit, parent_ids, tz))
    facts.request_url = handle.request_link(facts.pr_number, facts.request)
    return facts


def recalled_commit(handle, commit: pygit2.Commit, tz: tzinfo) -> CommitFacts | None:
    """The commit as a previous run decoded it, from the files and diff facts that run kept in its cache (none
    with --no-cache), with its patches read again only if asked for; None when none were kept.

    Kept by the commit's and its first parent's ids and the code that reads them, so only a commit whose
    contents this clone held in full: the rest (partial clones) is decoded again, in case more is there now."""
    parent_ids = commit_parent_ids(handle, commit)
    kept = remembered.recall(_kept_key(commit, parent_ids))
    if kept is None:
        return None
    files, diff = kept
    facts = CommitFacts.from_message(files=files, diff=diff, **_header(handle, commit, parent_ids, tz))
    facts.patches_from = (handle.path, str(parent_ids[0]) if parent_ids else "")
    facts.request_url = handle.request_link(facts.pr_number, facts.request)
    return facts


def _header(handle, commit: pygit2.Commit, parent_ids: list[pygit2.Oid], tz: tzinfo) -> dict:
    """Who, when, what it says and where it is shown: what the run's settings (time zone, mailmap, links) decide,
    never kept."""
    author, email = handle.person(_signature_text(commit.author, "name"), _signature_text(commit.author, "email"))
    return dict(sha=str(commit.id), author=author, email=email, time=datetime.fromtimestamp(commit.commit_time, tz),
                message=_message_text(commit), author_time=datetime.fromtimestamp(commit.author.time, tz),
                is_merge=len(parent_ids) > 1, url=handle.link(str(commit.id)))


def _kept_key(commit: pygit2.Commit, parent_ids: list[pygit2.Oid]) -> tuple:
    return "commit", str(commit.id), str(parent_ids[0]) if parent_ids else "", _code_version()


@lru_cache(maxsize=1)
def _code_version() -> str:
    """This module's code: it decides what a commit's files are (the facts' own code is in remembered.version)."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def reread_patches(sha: str, path: str, parent: str) -> PatchTexts:
    """A kept commit's patch texts, from the same diff its facts were read from."""
    with _rereading:   # a server's parallel requests build their prompts on threads; one handle serves them
        repo = _reopened(path, os.getpid())
        diff = _first_parent_diff(repo, repo[sha].peel(pygit2.Commit), parent)
        _find_renames(diff, exact_only=False)
        changes = [_file_change(repo, diff, index, delta) for index, delta in enumerate(diff.deltas)]
    return [(change.path, text) for change, text in changes]


_rereading = threading.Lock()


@lru_cache(maxsize=4)   # by process: a libgit2 handle must not cross a fork
def _reopened(path: str, process: int) -> pygit2.Repository:
    return pygit2.Repository(pygit2.discover_repository(path) or path)


def _decode_changes(handle, commit: pygit2.Commit, parent_ids: list[pygit2.Oid], known: dict) -> CommitFacts:
    """The commit's facts from its diff against its first parent (contents "absent" when it cannot be read)."""
    repo = handle.repo
    try:
        diff = _tree_diff(handle, commit, parent_ids)
    except _Absent as absent:
        return CommitFacts.from_message(files=[], contents="absent", contents_reason=absent.reason, **known)
    missing = any(_lacks_blob(repo, delta) for delta in diff.deltas)
    _find_renames(diff, exact_only=missing)
    files, texts, inputs = [], [], []
    for index, delta in enumerate(diff.deltas):
        # Rename detection only pairs sides already listed: with every blob present, none is missing now.
        if missing and _lacks_blob(repo, delta):
            change, text = _file_change_unknown(delta), None
        else:
            change, text = _file_change(repo, diff, index, delta)
        files.append(change)
        texts.append((change.path, text))
        inputs.append(FilePatch(change.path, change.status, text, _blob_text(repo, delta.old_file.id),
                                _blob_text(repo, delta.new_file.id), change.old_path,
                                str(delta.old_file.id), str(delta.new_file.id)))
    partial = any(not f.lines_known for f in files)
    facts = diff_facts(inputs)
    if not partial:
        remembered.keep(_kept_key(commit, parent_ids), (files, facts))
    return CommitFacts.from_message(
        files=files, patches=texts, diff=facts,
        contents="partial" if partial else "complete", contents_reason=MISSING_BLOBS if partial else None, **known)


class _Absent(Exception):
    """The commit's changes cannot be read from this clone; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def commit_parent_ids(handle, commit: pygit2.Commit) -> list[pygit2.Oid]:
    """The commit's parents as its object records them, also on a shallow boundary (where libgit2 shows none)."""
    if commit.parent_ids or not handle.is_shallow:
        return list(commit.parent_ids)
    try:
        _, raw = handle.repo.odb.read(commit.id)
    except (KeyError, ValueError, pygit2.GitError):
        return []
    header = raw.split(b"\n\n", 1)[0]
    return [pygit2.Oid(hex=line[7:47].decode("ascii")) for line in header.split(b"\n")
            if line.startswith(b"parent ")]


def _tree_diff(handle, commit: pygit2.Commit, parent_ids: list[pygit2.Oid]) -> pygit2.Diff:
    """The diff of the commit's tree against its first parent's (the empty tree for a root commit)."""
    repo = handle.repo
    if parent_ids and parent_ids[0] not in repo.odb:
        raise _Absent(SHALLOW_BOUNDARY if handle.is_shallow else MISSING_TREES)
    try:
        return _first_parent_diff(repo, commit, parent_ids[0] if parent_ids else None)
    except (KeyError, ValueError, pygit2.GitError) as exc:  # a tree or subtree this clone lacks
        raise _Absent(MISSING_TREES) from exc


def _first_parent_diff(repo: pygit2.Repository, commit: pygit2.Commit, parent) -> pygit2.Diff:
    """The commit's tree against its parent's (an id), or against the empty tree for a root commit (None)."""
    if not parent:
        return commit.tree.diff_to_tree(swap=True)
    return repo[parent].peel(pygit2.Commit).tree.diff_to_tree(commit.tree)


def _find_renames(diff: pygit2.Diff, exact_only: bool) -> None:
    """Rename detection; by object id alone when some contents are missing (similarity would read them)."""
    if not exact_only:
        diff.find_similar()
        return
    try:
        diff.find_similar(DiffFind.FIND_RENAMES | DiffFind.FIND_EXACT_MATCH_ONLY)
    except (KeyError, ValueError, pygit2.GitError):
        pass


def _lacks_blob(repo: pygit2.Repository, delta: pygit2.DiffDelta) -> bool:
    """True when a side of this file's change is a blob this clone does not hold."""
    if pygit2.GIT_FILEMODE_COMMIT in (delta.new_file.mode, delta.old_file.mode):
        return False
    return any(not _is_null(side.id) and side.id not in repo.odb for side in (delta.old_file, delta.new_file))


def _file_change_unknown(delta: pygit2.DiffDelta) -> FileChange:
    """A file whose contents are not in this clone: path and change kind from the trees, line counts unknown."""
    status = _STATUS_NAMES.get(delta.status, "modified")
    path = _path_text(delta.new_file if delta.status != DeltaStatus.DELETED else delta.old_file)
    old_path = _path_text(delta.old_file) if delta.status in (DeltaStatus.RENAMED, DeltaStatus.COPIED) else None
    return FileChange(path, status, None, None, old_path=old_path)


def _blob_text(repo: pygit2.Repository, oid: pygit2.Oid) -> Callable[[], str | None]:
    """A file's whole text, read only if asked for (dependency manifests)."""
    def read() -> str | None:
        if _is_null(oid):
            return None
        try:
            return repo[oid].data.decode("utf-8", errors="replace")
        except (KeyError, ValueError):
            return None
    return read


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


def _file_change(repo: pygit2.Repository, diff: pygit2.Diff, index: int,
                 delta: pygit2.DiffDelta) -> tuple[FileChange, str | None]:
    """The file's change, and its patch text when it has a readable one (one patch, read once)."""
    status = _STATUS_NAMES.get(delta.status, "modified")
    path = _path_text(delta.new_file if delta.status != DeltaStatus.DELETED else delta.old_file)
    old_path = _path_text(delta.old_file) if delta.status in (DeltaStatus.RENAMED, DeltaStatus.COPIED) else None
    if pygit2.GIT_FILEMODE_COMMIT in (delta.new_file.mode, delta.old_file.mode):
        return FileChange(path, status, 0, 0, old_path=old_path, submodule=True), None
    if _too_large(repo, delta):
        added, removed = _count_lines(repo, delta.new_file.id), _count_lines(repo, delta.old_file.id)
        return FileChange(path, status, added, removed, old_path=old_path, large=True), None
    patch = diff[index]
    if patch.delta.is_binary:
        return FileChange(path, status, 0, 0, binary=True, old_path=old_path), None
    _, added, removed = patch.line_stats
    return FileChange(path, status, added, removed, old_path=old_path), patch.text


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


def _count_lines(repo: pygit2.Repository, oid: pygit2.Oid) -> int:
    """For a huge file: count lines of the whole blob, chunk by chunk, no diff."""
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
