"""The on-disk cache (diskcache): analyses, votes, calibrations and model metadata, keyed by what changes them."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from .errors import LockedError, OutputError

ENV_CACHE = "OFFLINE_REPORT_CACHE"
PRIVATE_DIR_MODE = 0o700


def default_cache_dir() -> Path:
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("offline-report", appauthor=False))


class Store:
    """Get and set JSON-able values by tuple keys. Each set is committed before it returns."""

    def __init__(self, directory: str | os.PathLike):
        import diskcache

        self.directory = Path(directory)
        try:
            self.directory.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)  # analyses and state: the user's
            self._cache = diskcache.Cache(str(self.directory), eviction_policy="none", size_limit=2**40)
        except (OSError, Exception) as exc:  # sqlite3.OperationalError for a read-only directory
            raise OutputError(f"cannot open the cache in {self.directory}: {exc}",
                              "choose a writable --cache-dir, or run with --no-cache") from exc

    @staticmethod
    def _key(parts: tuple) -> str:
        return "\x1f".join(str(p) for p in parts)

    def get(self, *parts):
        return self._cache.get(self._key(parts))

    def set(self, value, *parts) -> None:
        try:
            self._cache.set(self._key(parts), value)
        except Exception as exc:
            raise OutputError(f"cannot write the cache in {self.directory}: {exc}",
                              "free disk space or choose another --cache-dir; finished reports are kept") from exc

    def close(self) -> None:
        self._cache.close()

    def summary(self) -> dict:
        return {"directory": str(self.directory), "entries": len(self._cache), "bytes": self._cache.volume(),
                "last_run": self.get("last-run")}

    def clear(self) -> int:
        return self._cache.clear()


class NullStore:
    """--no-cache: remembers nothing."""

    directory = None

    def get(self, *parts):
        return None

    def set(self, value, *parts) -> None:
        return None

    def close(self) -> None:
        return None


def state_key(repo_path: str, ref: str) -> tuple:
    return ("state", os.path.realpath(repo_path), ref)


def resume_day(store, repo_paths: list[str], ref: str, today: date) -> date:
    """The day after the last fully past day every repository completed; today on a first run."""
    days = []
    for path in repo_paths:
        done = store.get(*state_key(path, ref))
        days.append(date.fromisoformat(done) + timedelta(days=1) if done else today)
    return min(min(days), today)


def mark_completed(store, repo_path: str, ref: str, day: date, today: date) -> None:
    """Only a day that is over counts as completed: today's report is written again tomorrow."""
    if day >= today:
        return
    done = store.get(*state_key(repo_path, ref))
    if done is None or date.fromisoformat(done) < day:
        store.set(day.isoformat(), *state_key(repo_path, ref))


@contextmanager
def run_lock(directory: Path, timeout: float):
    """One run at a time per cache (or output) directory; the second waits, then gives up clearly."""
    from filelock import FileLock, Timeout

    directory.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(directory / ".offline-report.lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise LockedError(f"another offline-report run holds {directory} (waited {timeout:.0f} s)",
                          "let it finish, or raise --lock-timeout; a crashed run releases the lock by itself") from None
    except OSError as exc:
        raise OutputError(f"cannot create a lock file in {directory}: {exc.strerror or exc}",
                          "choose a writable --cache-dir or --output-dir") from exc
    try:
        yield
    finally:
        lock.release()
