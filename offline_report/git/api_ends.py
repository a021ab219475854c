"""The two ends of a week, a month or a release range as trees, and the public API that differs between them."""

from __future__ import annotations

import pygit2

from ..facts.api_diff import ApiChange, api_changes

MAX_BLOB_BYTES = 1_000_000   # a larger blob is not parsed


def api_between(repo: pygit2.Repository, base: str | None, tip: str, commits: list) -> list[ApiChange] | None:
    """The public API changes from base's tree to tip's (revisions or shas), or None where there is no base or a
    tree is missing from this clone."""
    if base is None:
        return None
    try:
        old = repo.revparse_single(base).peel(pygit2.Commit)
        new = repo.revparse_single(tip).peel(pygit2.Commit)
        diff = old.tree.diff_to_tree(new.tree)
        diff.find_similar()
        files = [(d.new_file.path, d.old_file.path, _blob(repo, d.old_file.id), _blob(repo, d.new_file.id))
                 for d in diff.deltas]
    except (KeyError, ValueError, pygit2.GitError):
        return None
    return api_changes(files, commits)


def first_parent(repo: pygit2.Repository, sha: str) -> str | None:
    """The first parent of a commit, or None (a root commit, or one past a shallow boundary)."""
    try:
        parents = repo[sha].peel(pygit2.Commit).parent_ids
    except (KeyError, ValueError, pygit2.GitError):
        return None
    return str(parents[0]) if parents else None


def _blob(repo: pygit2.Repository, oid: pygit2.Oid) -> tuple | None:
    """(id, a reader of its text) of one side of a file, None where the side is absent; a side too large or
    binary reads as None text (then the file is left out)."""
    if oid == pygit2.Oid(hex="0" * 40):
        return None

    def read() -> str | None:
        try:
            blob = repo[oid]
        except (KeyError, ValueError):
            return None
        if blob.size > MAX_BLOB_BYTES or blob.is_binary:
            return None
        return blob.data.decode("utf-8", "replace")
    return str(oid), read
