"""The walk: commits placed on the local day they landed on the reported ref, each merge with what it brought.

A commit lands when the first-parent commit that brought it was committed: a commit on the ref's first-parent
chain lands at its own committer time; the commits a merge brought (`git rev-list M^1..M`, less M) land with the
merge. Every commit reachable from the ref is in exactly one landing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Iterator

import pygit2

from .commits import CommitFacts
from .decode_pool import decode_commits
from .repo import RepoHandle

# Committer clocks drift and rebases reorder time: keep walking this far past --since.
CLOCK_SKEW_MARGIN = timedelta(days=2)
# A merge that brings more commits than this (an unrelated history, say) lists the newest this many.
MAX_BROUGHT = 10_000
# A rewritten branch compares at most this many commits with the last reported state.
MAX_NEW_SINCE_STATE = 100_000


@dataclass
class WalkStats:
    visited: int = 0
    hit_shallow_boundary: bool = False
    brought_cut: int = 0  # commits merges brought beyond MAX_BROUGHT, not listed


@dataclass
class Landing:
    """One first-parent commit of the ref, the commits it brought (a merge's other sides), and whether its landing
    day was reported before these commits were reachable (a late arrival)."""

    commit: pygit2.Commit
    brought: list[pygit2.Commit] = field(default_factory=list)
    late: bool = False


@dataclass
class LastReported:
    """The nightly state of a repository and ref: tips whose history was reported. `new` (filled by the walk):
    the commits reachable now and not from the tips; None when no tip could be read."""

    tips: list[str]
    rewritten: bool = False  # a tip is no longer an ancestor of the ref (force-push, rebase)
    unreadable: bool = False  # no tip is in the clone any more: which commits are new cannot be told
    new: set | None = None


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[00:00, 24:00) of a local day; DST-safe because each end is built from its own date."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
    return start, end


def commits_by_day(handle: RepoHandle, days: list[date], tz: tzinfo, ref: str = "HEAD",
                   stats: WalkStats | None = None, last: LastReported | None = None) -> dict[date, list[CommitFacts]]:
    """Each day's landed commits, newest first, each decoded once; a merge carries what it brought in `brought`.

    With `last` (a nightly run continuing the record), commits that became reachable since it and landed before
    the first day are reported on the first day, marked late."""
    stats = stats if stats is not None else WalkStats()
    start, _ = day_bounds(days[0], tz)
    _, end = day_bounds(days[-1], tz)
    buckets: dict[date, list[CommitFacts]] = {day: [] for day in days}
    landings = list(landings_between(handle, start, end, ref, stats, last))
    for landing, facts in zip(landings, decode_landings(handle, landings, tz)):
        day = days[0] if landing.late else facts.landed_at.date()
        buckets[day].append(facts)
    for commits in buckets.values():
        commits.sort(key=CommitFacts.landing_order, reverse=True)
    return buckets


def commits_in_range(handle: RepoHandle, base: pygit2.Commit | None, tip: pygit2.Commit, tz: tzinfo,
                     stats: WalkStats | None = None) -> list[CommitFacts]:
    """Exactly the commits of `git rev-list base..tip` (all of tip's history without a base), in landing order,
    newest first: tip's first-parent commits of the range, each merge with what it brought of the range."""
    stats = stats if stats is not None else WalkStats()
    walker = handle.repo.walk(tip.id, pygit2.GIT_SORT_NONE)
    if base is not None:
        walker.hide(base.id)
    members = {commit.id for commit in walker}
    landings = []
    for commit in first_parent_chain(handle, tip, stats):
        if commit.id not in members:  # reachable from base: so is everything older on the chain
            break
        landings.append(Landing(commit, [c for c in brought_by(handle, commit, stats) if c.id in members]))
    return decode_landings(handle, landings, tz)


def decode_landings(handle: RepoHandle, landings: list[Landing], tz: tzinfo) -> list[CommitFacts]:
    """Each landing's first-parent commit, decoded with the commits it brought; every commit decoded once."""
    wanted = [c for landing in landings for c in (landing.commit, *landing.brought)]
    decoded = {facts.sha: facts for facts in decode_commits(handle, wanted, tz)}
    return [_landed(landing, decoded, tz) for landing in landings]


def _landed(landing: Landing, decoded: dict[str, CommitFacts], tz: tzinfo) -> CommitFacts:
    """The first-parent commit of one landing, with the commits it brought, each knowing when it landed."""
    landed_at = datetime.fromtimestamp(landing.commit.commit_time, tz)
    head = decoded[str(landing.commit.id)]
    head.brought = [decoded[str(c.id)] for c in landing.brought]
    for facts in (head, *head.brought):
        facts.landed_at, facts.late = landed_at, landing.late
    for facts in head.brought:
        facts.via = head.sha
    return head


def landings_between(handle: RepoHandle, start: datetime, end: datetime, ref: str = "HEAD",
                     stats: WalkStats | None = None, last: LastReported | None = None) -> Iterator[Landing]:
    """The first-parent commits committed in [start, end), newest first, with what each brought; with `last`,
    also the late landings: new since `last` and committed before start.

    The walk follows the first-parent chain only and stops once it is CLOCK_SKEW_MARGIN older than start (and,
    with `last`, once it reaches history that was already reachable from the reported tips)."""
    stats = stats if stats is not None else WalkStats()
    start_ts, end_ts = start.timestamp(), end.timestamp()
    stop_ts = (start - CLOCK_SKEW_MARGIN).timestamp()
    new = last.new if last is not None else None
    for commit in first_parent_chain(handle, handle.head(ref), stats):
        is_new = new is not None and commit.id in new
        if commit.commit_time < stop_ts and not is_new:
            break
        if start_ts <= commit.commit_time < end_ts:
            yield Landing(commit, brought_by(handle, commit, stats))
        elif commit.commit_time < start_ts and is_new:
            yield Landing(commit, [c for c in brought_by(handle, commit, stats) if c.id in new], late=True)


def first_parent_chain(handle: RepoHandle, head: pygit2.Commit, stats: WalkStats) -> Iterator[pygit2.Commit]:
    """The ref's first-parent chain, newest first (`git rev-list --first-parent`), up to a missing parent."""
    commit = head
    while True:
        stats.visited += 1
        yield commit
        if not commit.parent_ids:
            stats.hit_shallow_boundary |= handle.is_shallow
            return
        try:
            commit = handle.repo[commit.parent_ids[0]]
        except KeyError:  # past a shallow boundary, or an object this clone lacks
            stats.hit_shallow_boundary = True
            return


def brought_by(handle: RepoHandle, commit: pygit2.Commit, stats: WalkStats) -> list[pygit2.Commit]:
    """What a merge brought: `git rev-list M^1..M` less M, newest first (empty for a commit with one parent)."""
    if len(commit.parent_ids) < 2:
        return []
    brought = []
    try:
        walker = handle.repo.walk(commit.parent_ids[1], pygit2.GIT_SORT_TIME)
        for other in commit.parent_ids[2:]:
            walker.push(other)
        walker.hide(commit.parent_ids[0])
        for found in walker:
            if len(brought) == MAX_BROUGHT:
                stats.brought_cut += 1
                continue
            brought.append(found)
    except (KeyError, ValueError, pygit2.GitError):  # a side this clone lacks (shallow or partial clone)
        stats.hit_shallow_boundary = True
    return brought


def read_last_reported(handle: RepoHandle, ref: str, tips: list[str]) -> LastReported:
    """Which commits reachable from ref are new since the tips were reported, and whether history was rewritten."""
    last = LastReported(tips=list(tips))
    head = handle.head(ref)
    readable = []
    for tip in tips:
        try:
            oid = pygit2.Oid(hex=tip)
            handle.repo[oid]
        except (KeyError, ValueError):
            last.rewritten = True
            continue
        readable.append(oid)
        if oid != head.id and not handle.repo.descendant_of(head.id, oid):
            last.rewritten = True
    if tips and not readable:
        last.unreadable = True
        return last
    walker = handle.repo.walk(head.id, pygit2.GIT_SORT_NONE)
    for oid in readable:
        walker.hide(oid)
    last.new = set()
    for commit in walker:
        last.new.add(commit.id)
        if len(last.new) >= MAX_NEW_SINCE_STATE:
            break
    return last


def reported_tips(handle: RepoHandle, ref: str, through: date, tz: tzinfo) -> list[str]:
    """The tip whose history is everything that landed up to the end of `through`: the newest first-parent commit
    committed before that day ended (none when every commit is newer)."""
    end_ts = day_bounds(through, tz)[1].timestamp()
    for commit in first_parent_chain(handle, handle.head(ref), WalkStats()):
        if commit.commit_time < end_ts:
            return [str(commit.id)]
    return []


def recent_days(handle: RepoHandle, count: int, tz: tzinfo, ref: str = "HEAD") -> list[date]:
    """The `count` most recent local days on which commits landed on ref, oldest first."""
    found: list[date] = []
    stop_ts = None
    for commit in first_parent_chain(handle, handle.head(ref), WalkStats()):
        if stop_ts is not None and commit.commit_time < stop_ts:
            break
        day = datetime.fromtimestamp(commit.commit_time, tz).date()
        if day not in found:
            found.append(day)
            if len(found) == count:  # keep walking past the clock-skew margin for skewed clocks
                stop_ts = (day_bounds(day, tz)[0] - CLOCK_SKEW_MARGIN).timestamp()
    return sorted(found)[-count:]


def newest_day(handle: RepoHandle, tz: tzinfo, ref: str = "HEAD") -> date:
    """The local day of the newest commit reachable from ref."""
    return datetime.fromtimestamp(handle.head(ref).commit_time, tz).date()


def missing_contents(days: dict[date, list[CommitFacts]]) -> tuple[int, str] | None:
    """How many commits this clone lacks the contents of (a partial or shallow clone), and why: "partial",
    "shallow" or "partial_and_shallow"; None when it lacks none."""
    affected = [c for commits in days.values() for top in commits for c in (top, *top.brought)
                if c.contents != "complete"]
    if not affected:
        return None
    shallow = sum(c.contents_reason == "shallow_boundary" for c in affected)
    return len(affected), "partial" if not shallow else "shallow" if shallow == len(affected) else \
        "partial_and_shallow"


def newest_first(repo: pygit2.Repository, head: pygit2.Commit) -> Iterator[pygit2.Commit]:
    """Every commit reachable from head, by committer time, newest first (like `git log --date-order`)."""
    import heapq

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
