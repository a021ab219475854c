"""Many commits decoded on every core (stops.map_forked): each worker opens the clone for itself and decodes whole
chunks of consecutive commits, so that the blobs one commit leaves are at hand for the next. Elsewhere than on
Linux, and for a handful of commits, the commits are decoded here, one after the other."""

from __future__ import annotations

from datetime import tzinfo

import pygit2

from ..facts import remembered
from ..stops import in_runs, map_forked, worker_count as workers_for
from .commits import CommitFacts, decode_commit, recalled_commit
from .repo import RepoHandle, open_repo

# Below this many commits the workers' start costs more than they save.
MIN_COMMITS_PER_WORKER = 24
CHUNKS_PER_WORKER = 4

_worker: tuple[RepoHandle, tzinfo] | None = None


def decode_commits(handle: RepoHandle, commits: list[pygit2.Commit], tz: tzinfo) -> list[CommitFacts]:
    """CommitFacts for each commit, in the order given: as a previous run kept them, or decoded now."""
    kept = [recalled_commit(handle, commit, tz) for commit in commits]
    decoded = iter(_decode(handle, [commit for commit, facts in zip(commits, kept) if facts is None], tz))
    return [facts if facts is not None else next(decoded) for facts in kept]


def _decode(handle: RepoHandle, commits: list[pygit2.Commit], tz: tzinfo) -> list[CommitFacts]:
    if not commits:
        return []
    workers = worker_count(len(commits))
    if workers <= 1:
        decoded = [decode_commit(handle, commit, tz) for commit in commits]
        remembered.flush()
        return decoded
    shas = [str(commit.id) for commit in commits]
    chunks = in_runs(shas, workers * CHUNKS_PER_WORKER)
    args = (handle.path, handle.commit_url_template, tz)
    parts = map_forked(len(chunks), lambda index: _decode_chunk(chunks[index]), workers,
                       setup=lambda: _open_in_worker(*args))
    return [facts for part in parts for facts in part]


def worker_count(commits: int) -> int:
    """How many processes decode `commits` commits."""
    return workers_for(commits, MIN_COMMITS_PER_WORKER)


def _decode_chunk(shas: list[str]) -> list[CommitFacts]:
    decoded = [_decode_in_worker(sha) for sha in shas]
    remembered.flush()
    return decoded


def _open_in_worker(path: str, commit_url_template: str | None, tz: tzinfo) -> None:
    # The parent's libgit2 handles are not shared across fork: each worker opens the clone for itself.
    global _worker
    _worker = (open_repo(path, commit_url_template), tz)


def _decode_in_worker(sha: str) -> CommitFacts:
    handle, tz = _worker
    return decode_commit(handle, handle.repo[sha].peel(pygit2.Commit), tz)
