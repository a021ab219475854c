"""Many commits decoded on every core: each worker is a fork of this process with its own handle on the clone.

Decoding (diff, line counts, diff facts) is pure Python over libgit2 and holds the GIL, so threads would not help.
Workers are forked (Linux): they start in milliseconds with everything already imported. Elsewhere, and for
a handful of commits, the commits are decoded here, one after the other.

A stop is the parent's alone: the workers ignore SIGINT, SIGTERM and SIGHUP (a supervisor sends them to the
whole process group), and the parent, however it leaves, kills and reaps every worker before it goes on. The
pool keeps no thread in the parent, so nothing is left to wait for at exit."""

from __future__ import annotations

import os
import pickle
import signal
import sys
from datetime import tzinfo

import pygit2

from ..facts import remembered
from ..stops import STOP_SIGNALS, children
from .commits import CommitFacts, decode_commit
from .repo import RepoHandle, open_repo

# Below this many commits the workers' start costs more than they save.
MIN_COMMITS_PER_WORKER = 24
CHUNKS_PER_WORKER = 4
PR_SET_PDEATHSIG = 1  # linux/prctl.h
TASK_BYTES = 4

_worker: tuple[RepoHandle, tzinfo] | None = None


class WorkerLost(RuntimeError):
    """A decode worker ended before it sent the commits it had taken (killed from outside, out of memory)."""


def decode_commits(handle: RepoHandle, commits: list[pygit2.Commit], tz: tzinfo) -> list[CommitFacts]:
    """CommitFacts for each commit, in the order given."""
    workers = worker_count(len(commits))
    if workers <= 1:
        decoded = [decode_commit(handle, commit, tz) for commit in commits]
        remembered.flush()
        return decoded
    shas = [str(commit.id) for commit in commits]
    size = max(1, len(shas) // (workers * CHUNKS_PER_WORKER))
    chunks = [shas[start:start + size] for start in range(0, len(shas), size)]
    return [facts for chunk in _decode_forked(handle, tz, chunks, workers) for facts in chunk]


def worker_count(commits: int) -> int:
    """How many processes decode `commits` commits: one per core, each with enough work; one where fork is unsafe."""
    if not sys.platform.startswith("linux"):
        return 1
    cores = len(os.sched_getaffinity(0))
    return max(1, min(cores, commits // MIN_COMMITS_PER_WORKER))


def _decode_forked(handle: RepoHandle, tz: tzinfo, chunks: list[list[str]], workers: int) -> list[list[CommitFacts]]:
    """Each chunk decoded by whichever worker takes it first (a pipe of chunk numbers, read 4 bytes at a time)."""
    from multiprocessing.connection import wait  # a nightly run of a few commits never needs it

    tasks_out, tasks_in = os.pipe()
    os.write(tasks_in, b"".join(i.to_bytes(TASK_BYTES, "little") for i in range(len(chunks))))
    os.close(tasks_in)
    pids: list[int] = []
    readers: list = []
    results: dict[int, list[CommitFacts]] = {}
    try:
        for _ in range(workers):
            readers.append(_fork_worker(tasks_out, chunks, (handle.path, handle.commit_url_template, tz,
                                                            os.getpid()), pids))
        os.close(tasks_out)
        tasks_out = -1
        while readers:
            for reader in wait(readers):
                _receive(reader, readers, results)
        if len(results) != len(chunks):
            raise WorkerLost(f"a decode worker ended before its work was done ({len(results)} of {len(chunks)} "
                             "parts decoded)")
        return [results[i] for i in range(len(chunks))]
    finally:
        _end_workers(pids)
        for reader in readers:
            reader.close()
        if tasks_out >= 0:
            os.close(tasks_out)


def _receive(reader, readers: list, results: dict) -> None:
    try:
        index, payload = pickle.loads(reader.recv_bytes())
    except EOFError:  # the worker is done (or gone: the count of results tells)
        reader.close()
        readers.remove(reader)
        return
    if index is None:
        raise payload
    results[index] = payload


def _fork_worker(tasks: int, chunks: list[list[str]], args: tuple, pids: list[int]):
    """A forked worker (its pid added to `pids`) and the end of its pipe that the parent reads. Stop signals are
    blocked across the fork, so the child ignores them before one can reach it and the parent handles them
    once the worker is known to it."""
    from multiprocessing.connection import Pipe

    reader, writer = Pipe(duplex=False)
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        pid = os.fork()
        if pid == 0:
            reader.close()
            _worker_main(tasks, chunks, writer, args, blocked)  # never returns
        pids.append(pid)
        children.add(pid)
        writer.close()  # the parent's copy: the reader sees the end of the pipe when the worker's copy closes
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return reader


def _worker_main(tasks: int, chunks: list[list[str]], writer, args: tuple, mask) -> None:
    code = 0
    try:
        for signum in STOP_SIGNALS:  # a pending one is dropped: the parent got it too and stops the run
            signal.signal(signum, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        _open_in_worker(*args)
        while raw := os.read(tasks, TASK_BYTES):
            index = int.from_bytes(raw, "little")
            decoded = [_decode_in_worker(sha) for sha in chunks[index]]
            remembered.flush()
            writer.send_bytes(pickle.dumps((index, decoded)))
    except BaseException as exc:  # noqa: BLE001 - the parent raises it; a worker never unwinds into the run
        code = 1
        _send_failure(writer, exc)
    finally:
        os._exit(code)


def _send_failure(writer, exc: BaseException) -> None:
    try:
        writer.send_bytes(pickle.dumps((None, exc)))
    except Exception:  # noqa: BLE001 - an exception that cannot be pickled travels as its text
        try:
            writer.send_bytes(pickle.dumps((None, RuntimeError(f"{type(exc).__name__}: {exc}"))))
        except Exception:  # noqa: BLE001 - the parent is gone or the pipe is broken: the exit code is all
            pass


def _end_workers(pids: list[int]) -> None:
    """Every worker killed (a finished one is already gone) and reaped: no process and no zombie is left."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in pids:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        children.discard(pid)


def _open_in_worker(path: str, commit_url_template: str | None, tz: tzinfo, parent: int) -> None:
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
    except (OSError, AttributeError):  # not Linux: the parent's own kill at its end remains
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _decode_in_worker(sha: str) -> CommitFacts:
    handle, tz = _worker
    return decode_commit(handle, handle.repo[sha].peel(pygit2.Commit), tz)
