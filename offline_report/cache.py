"""The on-disk cache (diskcache): analyses, votes, calibrations and model metadata, keyed by what changes them."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import OutputError

ENV_CACHE = "OFFLINE_REPORT_CACHE"


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
            self.directory.mkdir(parents=True, exist_ok=True)
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


class NullStore:
    """--no-cache: remembers nothing."""

    directory = None

    def get(self, *parts):
        return None

    def set(self, value, *parts) -> None:
        return None

    def close(self) -> None:
        return None
