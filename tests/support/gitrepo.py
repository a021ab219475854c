"""Builds git repositories for tests with pygit2: explicit trees, times, authors and parents."""

from __future__ import annotations

from datetime import datetime

import pygit2

FileTree = dict[str, bytes | str]


class RepoBuilder:
    """A repository whose main line is built commit by commit from whole file trees."""

    def __init__(self, path, remote: str | None = None, bare: bool = False):
        self.repo = pygit2.init_repository(str(path), bare=bare, initial_head="main")
        if remote:
            self.repo.remotes.create("origin", remote)
        self.files: FileTree = {}
        self.head: pygit2.Oid | None = None

    def tree(self, files: FileTree) -> pygit2.Oid:
        index = pygit2.Index()
        for path, data in files.items():
            raw = data.encode() if isinstance(data, str) else data
            mode = pygit2.GIT_FILEMODE_COMMIT if path.endswith("@submodule") else pygit2.GIT_FILEMODE_BLOB
            if mode == pygit2.GIT_FILEMODE_COMMIT:
                index.add(pygit2.IndexEntry(path.removesuffix("@submodule"), pygit2.Oid(hex=raw.decode()), mode))
            else:
                index.add(pygit2.IndexEntry(path, self.repo.create_blob(raw), mode))
        return index.write_tree(self.repo)

    def commit(self, message: str, when: datetime | str, changes: FileTree | None = None,
               delete: tuple[str, ...] = (), author: tuple[str, str] = ("Alice", "alice@example.com"),
               parents: list[pygit2.Oid] | None = None, update_head: bool = True,
               committer_when: datetime | str | None = None) -> pygit2.Oid:
        files = dict(self.files)
        files.update(changes or {})
        for path in delete:
            files.pop(path, None)
        tree = self.tree(files)
        parents = parents if parents is not None else ([self.head] if self.head else [])
        author_sig = signature(author, when)
        committer_sig = signature(author, committer_when or when)
        oid = self.repo.create_commit(None, author_sig, committer_sig, message, tree, parents)
        if update_head:
            self.files, self.head = files, oid
            self.repo.references.create("refs/heads/main", oid, force=True)
        return oid


def signature(who: tuple[str, str], when: datetime | str) -> pygit2.Signature:
    moment = datetime.fromisoformat(when) if isinstance(when, str) else when
    offset = int(moment.utcoffset().total_seconds() // 60)
    return pygit2.Signature(who[0], who[1], int(moment.timestamp()), offset)


def lines(count: int, prefix: str = "line") -> str:
    return "".join(f"{prefix} {i}\n" for i in range(count))


def day_commits(path, since: str, until: str | None = None, tz: str = "UTC", no_merges: bool = False, walk=None):
    """The decoded commits of each local day from since to until, as a run reads them."""
    from datetime import date, timedelta
    from zoneinfo import ZoneInfo

    from offline_report.config.file import RepoOptions
    from offline_report.git.log import WalkStats, commits_by_day
    from offline_report.git.repo import open_repo
    from offline_report.record.selection import select_day

    first, last = date.fromisoformat(since), date.fromisoformat(until or since)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    landed = commits_by_day(open_repo(str(path)), days, ZoneInfo(tz), stats=walk if walk is not None else WalkStats())
    return {day: select_day(commits, RepoOptions(str(path)), no_merges)[0] for day, commits in landed.items()}
