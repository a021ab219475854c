"""What a run read of the history, kept in its cache for the next: a changed file's definition facts, by the two
blobs they were read from, and a commit's files and diff facts, by the commit (git/commits.py).

Content-addressed (the blob or commit ids, the paths, the change, and the code and grammars that read them), so a
rerun over the same history, or a week or a month over days already reported, decodes nothing; a rebased commit
parses none of its files whose two sides did not change. Every process opens the cache for itself (decode
workers are forks: a database connection must not cross a fork) and writes what it read in one transaction per
batch. The cache only ever saves work: one it cannot open or write is left alone.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_PREFIX = "definitions"
_GRAMMAR_PACKAGES = ("tree-sitter", "tree-sitter-python", "tree-sitter-c", "tree-sitter-cpp", "tree-sitter-cuda",
                     "tree-sitter-go", "tree-sitter-rust", "tree-sitter-java", "tree-sitter-javascript",
                     "tree-sitter-typescript")

_directory: str | None = None
_opened: tuple[int, object] | None = None   # (the process that opened it, its diskcache.Cache)
_pending: dict[str, object] = {}
_version: str | None = None


def keep_in(directory: str | os.PathLike | None) -> None:
    """Definition facts are kept in this cache directory from now on (None: not kept)."""
    global _directory
    _close()
    _pending.clear()
    _directory = str(directory) if directory is not None else None


def recall(key: tuple):
    """What was kept for this key, or None."""
    cache = _cache()
    if cache is None:
        return None
    try:
        return cache.get(_text(key))
    except Exception:  # noqa: BLE001 - a cache that fails to answer only costs the parse it would have saved
        return None


def keep(key: tuple, value) -> None:
    """Kept at the next flush()."""
    if _directory is not None:
        _pending[_text(key)] = value


def flush() -> None:
    """Everything kept since the last flush written in one transaction."""
    if not _pending:
        return
    cache = _cache()
    try:
        if cache is not None:
            with cache.transact():
                for key, value in _pending.items():
                    cache.set(key, value)
    except Exception:  # noqa: BLE001 - not kept: the next run reads those files again
        pass
    finally:
        _pending.clear()


def _cache():
    global _opened, _directory
    if _directory is None:
        return None
    if _opened is not None and _opened[0] == os.getpid():
        return _opened[1]
    _opened = None   # a connection opened before a fork belongs to the parent
    try:
        import diskcache

        _opened = (os.getpid(), diskcache.Cache(_directory, eviction_policy="none", size_limit=2**40))
    except Exception:  # noqa: BLE001 - unwritable or damaged: the run's own cache reports that
        _directory = None
        return None
    return _opened[1]


def _close() -> None:
    global _opened
    if _opened is not None and _opened[0] == os.getpid():
        try:
            _opened[1].close()
        except Exception:  # noqa: BLE001
            pass
    _opened = None


def _text(key: tuple) -> str:
    return "\x1f".join((_PREFIX, version(), *map(str, key)))


def version() -> str:
    """What read the facts: this package's facts code and the installed grammars."""
    global _version
    if _version is None:
        from importlib import metadata

        digest = hashlib.sha256()
        for path in sorted(Path(__file__).parent.glob("*.py")):
            digest.update(path.name.encode() + path.read_bytes())
        for package in _GRAMMAR_PACKAGES:
            try:
                digest.update(f"{package}={metadata.version(package)}".encode())
            except metadata.PackageNotFoundError:
                digest.update(package.encode())
        _version = digest.hexdigest()[:16]
    return _version
