"""Many commits decoded on every core: each worker is a fork of this process with its own handle on the clone.

Decoding (diff, line counts, diff facts) is pure Python over libgit2 and holds the GIL, so threads would not help.
Workers are forked (Linux): they start in milliseconds with everything already imported. Elsewhere, and for
a handful of commits, the commits are decoded here, one after the other."""

from __future__ import annotations

import os
import signal
import sys
from datetime import tzinfo

import pygit2

from .commits import CommitFacts, decode_commit
from .repo import RepoHandle, open_repo

# Below this many commits the workers' start costs more than they save.
MIN_COMMITS_PER_WORKER = 24
CHUNKS_PER_WORKER = 4
PR_SET_PDEATHSIG = 1  # linux/prctl.h

_worker: tuple[RepoHandle, tzinfo] | None = None


def decode_commits(handle: RepoHandle, commits: list[pygit2.Commit], tz: tzinfo) -> list[CommitFacts]:
    """CommitFacts for each commit, in the order given."""
    workers = worker_count(len(commits))
    if workers <= 1:
        return [decode_commit(handle, commit, tz) for commit in commits]
    # Imported here: a nightly run of a few commits never starts a worker and need not load them (~10 ms).
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    shas = [str(commit.id) for commit in commits]
    chunk = max(1, len(shas) // (workers * CHUNKS_PER_WORKER))
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_open_in_worker,
                               initargs=(handle.path, handle.commit_url_template, tz, os.getpid()))
    try:
        return list(pool.map(_decode_in_worker, shas, chunksize=chunk))
    finally:
        # On Ctrl-C or an error, the chunks not yet started are dropped instead of decoded first.
        pool.shutdown(wait=True, cancel_futures=True)


def worker_count(commits: int) -> int:
    """How many processes decode `commits` commits: one per core, each with enough work; one where fork is unsafe."""
    if not sys.platform.startswith("linux"):
        return 1
    cores = len(os.sched_getaffinity(0))
    return max(1, min(cores, commits // MIN_COMMITS_PER_WORKER))


def _open_in_worker(path: str, commit_url_template: str | None, tz: tzinfo, parent: int) -> None:
    # Ctrl-C reaches the whole process group: the parent stops the run and says so, the workers stay quiet.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # SIGTERM and SIGHUP end a worker at once (the parent's handlers, inherited by the fork, would not).
    for name in ("SIGTERM", "SIGHUP"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    end_with_parent(parent)
    # The parent's libgit2 handles are not shared across fork: each worker opens the clone for itself.
    global _worker
    _worker = (open_repo(path, commit_url_template), tz)


def end_with_parent(parent: int) -> None:
    """The kernel kills this worker when its parent dies, however it dies (SIGKILL included): no orphan waits
    for work that will never come."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the pool's own checks remain
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _decode_in_worker(sha: str) -> CommitFacts:
    handle, tz = _worker
    return decode_commit(handle, handle.repo[sha].peel(pygit2.Commit), tz)
