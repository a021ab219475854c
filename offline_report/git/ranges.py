"""Release ranges: `A..B` with any revisions, or one tag meaning from the tag before it; their names and dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

import pygit2

from ..errors import RepoError
from .repo import RepoHandle, resolve_ref


@dataclass(frozen=True)
class Range:
    base: pygit2.Commit | None  # None: from the first commit
    tip: pygit2.Commit
    base_name: str | None
    tip_name: str

    @property
    def name(self) -> str:
        return f"{self.base_name}..{self.tip_name}" if self.base_name else self.tip_name

    def dates(self, tz: tzinfo) -> tuple[date | None, date]:
        """The local days of the two ends' commits (a tag's date is its commit's)."""
        base = datetime.fromtimestamp(self.base.commit_time, tz).date() if self.base is not None else None
        return base, datetime.fromtimestamp(self.tip.commit_time, tz).date()


def resolve_range(handle: RepoHandle, text: str) -> Range:
    """`A..B` as git means it; `B` alone: from the nearest tag before B (B's history from its first commit when
    no tag precedes it)."""
    if ".." in text:
        base_name, tip_name = text.split("..", 1)
        if not base_name or not tip_name or tip_name.startswith("."):
            raise RepoError("range_syntax", text=text)
        return Range(_commit(handle, base_name), _commit(handle, tip_name), base_name, tip_name)
    tip = _commit(handle, text)
    base_name = previous_tag(handle, tip)
    return Range(_commit(handle, base_name) if base_name else None, tip, base_name, text)


def previous_tag(handle: RepoHandle, tip: pygit2.Commit) -> str | None:
    """The nearest tag reachable from tip's parents (`git describe --tags --abbrev=0 tip^`), or None."""
    if not tip.parent_ids:
        return None
    try:
        return handle.repo.describe(committish=str(tip.parent_ids[0]), describe_strategy=pygit2.GIT_DESCRIBE_TAGS,
                                    abbreviated_size=0)
    except (KeyError, ValueError, pygit2.GitError):
        return None


def _commit(handle: RepoHandle, revision: str) -> pygit2.Commit:
    return resolve_ref(handle, revision, "revision", "revisions")
