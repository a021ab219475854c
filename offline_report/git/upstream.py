"""An internal fork's upstream (a ref named in offline-report.toml): which commits are upstream's, and the fork's own
files that a sync with upstream touches again (its local patches)."""

from __future__ import annotations

import pygit2

from .commits import CommitFacts
from .repo import RepoHandle

# The fork's own commits read for its local patches, newest first.
MAX_OWN_COMMITS = 5_000


def mark_upstream(handle: RepoHandle, upstream: pygit2.Commit, landed: list[CommitFacts]) -> None:
    """Sets `upstream` on every landed commit (and what merges brought); a merge that brought upstream's commits
    gets `local_patches`: the files it changed that the fork's own commits (not in upstream) also changed."""
    repo = handle.repo
    for top in landed:
        for commit in (top, *top.brought):
            oid = pygit2.Oid(hex=commit.sha)
            commit.upstream = oid == upstream.id or repo.descendant_of(upstream.id, oid)
        if top.is_merge and any(c.upstream for c in top.brought):
            top.local_patches = local_patches(handle, top, upstream)


def local_patches(handle: RepoHandle, merge: CommitFacts, upstream: pygit2.Commit) -> list[str]:
    """The files a sync merge changed that the fork's own commits before it (`git rev-list upstream..M^1`,
    merges left out) also changed, in path order."""
    repo = handle.repo
    changed = {f.path for f in merge.files} | {f.old_path for f in merge.files if f.old_path}
    first_parent = repo[merge.sha].parent_ids[0]
    walker = repo.walk(first_parent, pygit2.GIT_SORT_NONE)
    walker.hide(upstream.id)
    touched: set[str] = set()
    for count, commit in enumerate(walker):
        if count == MAX_OWN_COMMITS:
            break
        if len(commit.parent_ids) == 1:
            touched |= _paths(repo, commit) & changed
    return sorted(touched)


def _paths(repo: pygit2.Repository, commit: pygit2.Commit) -> set[str]:
    """The paths one commit changed against its parent (names only: no patch is read)."""
    try:
        diff = repo[commit.parent_ids[0]].tree.diff_to_tree(commit.tree)
    except (KeyError, ValueError, pygit2.GitError):
        return set()
    return {path for delta in diff.deltas for path in (delta.old_file.path, delta.new_file.path)}
