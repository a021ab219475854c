"""The on-disk cache (diskcache): analyses, votes, calibrations and model metadata, keyed by what changes them."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from . import ENV_CACHE
from .catalog import Phrase
from .errors import LockedError, OutputError

PRIVATE_DIR_MODE = 0o700


def default_cache_dir() -> Path:
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("offline-report", appauthor=False))


DB_NAME = "cache.db"  # diskcache's database in the cache folder


def _damaged(exc: BaseException) -> bool:
    """A database a disk error or a half-finished copy damaged (not a locked or read-only one)."""
    import sqlite3

    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    text = str(exc).lower()
    return not isinstance(exc, sqlite3.OperationalError) or "malformed" in text or "not a database" in text


class Store:
    """Get and set JSON-able values by tuple keys. Each set is committed before it returns.

    The cache holds only what can be computed again: a damaged database is moved aside (kept for a person
    to look at), one warning says so, and a new one is started. The nightly state lives in its own small file
    beside it (record/state.py), so it survives that."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.warnings: list[Phrase] = []  # worded by whoever says them, in the run's language
        try:
            self.directory.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)  # analyses and state: the user's
        except OSError as exc:
            raise OutputError("cache_unopenable", "cache_dir", directory=self.directory,
                              detail=exc.strerror or str(exc)) from exc
        self._cache = self._open()

    def _open(self):
        import diskcache

        try:
            return diskcache.Cache(str(self.directory), eviction_policy="none", size_limit=2**40)
        except Exception as exc:  # sqlite3.OperationalError for a read-only directory
            if _damaged(exc) and not self.warnings:
                self._move_aside(exc)
                return self._open()
            raise OutputError("cache_unopenable", "cache_dir", directory=self.directory, detail=str(exc)) from exc

    def _move_aside(self, exc: BaseException) -> None:
        """The damaged database renamed beside itself, with its journal files; a warning says where."""
        import time

        stamp = time.strftime("%Y%m%dT%H%M%S")
        kept = self.directory / f"{DB_NAME}.damaged-{stamp}"
        for suffix in ("", "-wal", "-shm"):
            source = self.directory / (DB_NAME + suffix)
            if source.exists():
                os.replace(source, str(kept) + suffix)
        self.warnings.append(Phrase("warnings", "cache_damaged", directory=self.directory, detail=str(exc), kept=kept))

    def _recovering(self, action):
        """Run a database action; a database found damaged on the way is moved aside once, and the action rerun."""
        try:
            return action()
        except Exception as exc:
            if not _damaged(exc) or self.warnings:
                raise
            damage = exc
        try:
            self._cache.close()
        except Exception:  # noqa: BLE001 - a damaged database may fail to close too
            pass
        self._move_aside(damage)
        self._cache = self._open()
        return action()

    @staticmethod
    def _key(parts: tuple) -> str:
        return "\x1f".join(str(p) for p in parts)

    def get(self, *parts):
        return self._recovering(lambda: self._cache.get(self._key(parts)))

    def set(self, value, *parts) -> None:
        try:
            self._recovering(lambda: self._cache.set(self._key(parts), value))
        except OutputError:
            raise
        except Exception as exc:
            raise OutputError("cache_unwritable", directory=self.directory, detail=str(exc)) from exc

    def close(self) -> None:
        self._cache.close()

    def summary(self) -> dict:
        return {"directory": str(self.directory), "entries": self._recovering(lambda: len(self._cache)),
                "bytes": self._cache.volume(), "last_run": self.get("last-run"),
                "nightly_state": self._state_path().is_file()}

    def _state_path(self) -> Path:
        from .record.state import STATE_FILE

        return self.directory / STATE_FILE

    def clear(self) -> int:
        """Every entry removed, and the nightly resume state with them."""
        self._state_path().unlink(missing_ok=True)
        return self._recovering(self._cache.clear)


def existing_store(directory: Path) -> Store | None:
    """The cache in `directory` when there is one; None (and no folder created) when there is not."""
    from .record.state import STATE_FILE

    if not (directory / DB_NAME).is_file() and not (directory / STATE_FILE).is_file():
        return None
    return Store(directory)


class NullStore:
    """--no-cache: remembers nothing."""

    directory = None

    def get(self, *parts):
        return None

    def set(self, value, *parts) -> None:
        return None

    def close(self) -> None:
        return None


@contextmanager
def run_lock(directory: Path, timeout: float):
    """One run at a time per cache (or output) directory; the second waits, then gives up clearly."""
    from filelock import FileLock, Timeout

    directory.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(directory / ".offline-report.lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise LockedError("locked", directory=directory, seconds=f"{timeout:.0f}") from None
    except OSError as exc:
        raise OutputError("lock_unwritable", directory=directory, detail=exc.strerror or str(exc)) from exc
    try:
        yield
    finally:
        lock.release()
