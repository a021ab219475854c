"""The walk: commits reachable from a ref, newest first, bucketed into the local days of a range."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Iterator

import pygit2

from .commits import CommitFacts
from .decode_pool import decode_commits
from .repo import RepoHandle

# Committer clocks drift and rebases reorder time: keep walking this far past --since.
CLOCK_SKEW_MARGIN = timedelta(days=2)


@dataclass
class WalkStats:
    visited: int = 0
    hit_shallow_boundary: bool = False


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[00:00, 24:00) of a local day; DST-safe because each end is built from its own date."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
    return start, end


def commits_by_day(handle: RepoHandle, days: list[date], tz: tzinfo, ref: str = "HEAD", no_merges: bool = False,
                   stats: WalkStats | None = None) -> dict[date, list[CommitFacts]]:
    """One time-sorted walk over the whole range, each commit decoded once, bucketed into local days, newest first."""
    start, _ = day_bounds(days[0], tz)
    _, end = day_bounds(days[-1], tz)
    buckets: dict[date, list[CommitFacts]] = {day: [] for day in days}
    wanted = [commit for commit in commits_between(handle, start, end, ref, no_merges, stats)
              if datetime.fromtimestamp(commit.commit_time, tz).date() in buckets]
    for facts in decode_commits(handle, wanted, tz):
        buckets[facts.time.date()].append(facts)
    for commits in buckets.values():
        commits.sort(key=lambda c: c.time, reverse=True)
    return buckets


def recent_days(handle: RepoHandle, count: int, tz: tzinfo, ref: str = "HEAD", no_merges: bool = False) -> list[date]:
    """The `count` most recent local days that have commits reachable from ref, oldest first."""
    found: list[date] = []
    stop_ts = None
    for commit in newest_first(handle.repo, handle.head(ref)):
        if stop_ts is not None and commit.commit_time < stop_ts:
            break
        if no_merges and len(commit.parent_ids) > 1:
            continue
        day = datetime.fromtimestamp(commit.commit_time, tz).date()
        if day not in found:
            found.append(day)
            if len(found) == count:  # keep walking past the clock-skew margin for late arrivals
                stop_ts = (day_bounds(day, tz)[0] - CLOCK_SKEW_MARGIN).timestamp()
    return sorted(found)[-count:]


def newest_day(handle: RepoHandle, tz: tzinfo, ref: str = "HEAD") -> date:
    """The local day of the newest commit reachable from ref."""
    return datetime.fromtimestamp(handle.head(ref).commit_time, tz).date()


def missing_contents_warning(path: str, days: dict[date, list[CommitFacts]]) -> str | None:
    """One stderr line counting the commits whose contents this clone lacks (partial or shallow clone)."""
    affected = [c for commits in days.values() for c in commits if c.contents != "complete"]
    if not affected:
        return None
    shallow = sum(c.contents_reason == "shallow_boundary" for c in affected)
    why = ("partial clone" if not shallow else "shallow clone" if shallow == len(affected)
           else "partial and shallow clone")
    return (f"{path}: {len(affected)} commit(s) are reported without all their contents ({why}: objects not in "
            f"this clone; nothing was fetched); their line counts are unknown")


def commits_between(
    handle: RepoHandle,
    start: datetime,
    end: datetime,
    ref: str = "HEAD",
    no_merges: bool = False,
    stats: WalkStats | None = None,
) -> Iterator[pygit2.Commit]:
    """Commits reachable from ref whose committer time lies in [start, end), newest first.

    The walk is time-sorted and stops once it is CLOCK_SKEW_MARGIN older than start.
    """
    stats = stats if stats is not None else WalkStats()
    start_ts, end_ts = start.timestamp(), end.timestamp()
    stop_ts = (start - CLOCK_SKEW_MARGIN).timestamp()
    for commit in newest_first(handle.repo, handle.head(ref)):
        stats.visited += 1
        if commit.commit_time < stop_ts:
            break
        if not commit.parent_ids and handle.is_shallow:
            stats.hit_shallow_boundary = True
        if not (start_ts <= commit.commit_time < end_ts):
            continue
        if no_merges and len(commit.parent_ids) > 1:
            continue
        yield commit


def newest_first(repo: pygit2.Repository, head: pygit2.Commit) -> Iterator[pygit2.Commit]:
    """Commits by committer time, newest first, loaded as they are reached (like `git log --date-order`).

    libgit2's own time-sorted walk reads the whole history before it yields the first commit.
    """
    heap = [(-head.commit_time, 0, head)]
    seen = {head.id}
    order = 1  # ties keep the order of discovery
    while heap:
        _, _, commit = heapq.heappop(heap)
        yield commit
        for parent_id in commit.parent_ids:
            if parent_id in seen:
                continue
            seen.add(parent_id)
            try:
                parent = repo[parent_id]
            except KeyError:  # a missing object: history ends here
                continue
            heapq.heappush(heap, (-parent.commit_time, order, parent))
            order += 1
