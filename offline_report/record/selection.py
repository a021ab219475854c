"""Which of a day's landed commits a repository's report holds, and the count that says whether it is complete."""

from __future__ import annotations

from dataclasses import dataclass

from ..git.commits import CommitFacts


@dataclass
class Coverage:
    """landed = reported + merges_left_out + filtered_out, for one repository and one day."""

    landed: int = 0
    reported: int = 0
    late: int = 0
    merges_left_out: int = 0  # --no-merges: the merge entries; what they brought is reported
    filtered_out: int = 0  # the repository's include/exclude globs

    def __add__(self, other: "Coverage") -> "Coverage":
        return Coverage(*(getattr(self, name) + getattr(other, name) for name in
                          ("landed", "reported", "late", "merges_left_out", "filtered_out")))

    @property
    def complete(self) -> bool:
        return self.reported == self.landed

    def as_json(self) -> dict:
        return {"landed": self.landed, "reported": self.reported, "late": self.late, "complete": self.complete,
                "merges_left_out": self.merges_left_out, "filtered_out": self.filtered_out}


def select_day(landed: list[CommitFacts], options, no_merges: bool) -> tuple[list[CommitFacts], Coverage]:
    """The day's report entries (a merge with what it brought in `brought`) and its coverage.

    A commit is kept by the repository's globs on its own files. A merge left out (--no-merges, or its own diff
    filtered out) leaves the commits it brought standing on their own, so nothing it brought is lost."""
    coverage = Coverage()
    kept: list[CommitFacts] = []
    for top in landed:
        members = [top, *top.brought]
        coverage.landed += len(members)
        coverage.late += sum(c.late for c in members)
        brought = [c for c in top.brought if _keeps(options, c)]
        coverage.filtered_out += len(top.brought) - len(brought)
        for commit in members:
            commit.context = options.context
        if top.is_merge and no_merges:
            coverage.merges_left_out += 1
        elif not _keeps(options, top):
            coverage.filtered_out += 1
        else:
            top.brought = brought
            kept.append(top)
            continue
        for commit in brought:
            commit.via = None
        kept.extend(brought)
    kept.sort(key=CommitFacts.landing_order, reverse=True)
    coverage.reported = sum(1 + len(c.brought) for c in kept)
    return kept, coverage


def _keeps(options, commit: CommitFacts) -> bool:
    return options.keeps([f.path for f in commit.files])
