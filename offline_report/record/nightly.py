"""The nightly record a run carries on: each output's key, where a repository's record resumes, what it records."""

from __future__ import annotations

import os
from datetime import date, timedelta

from ..git.log import reported_tips
from .state import Entry, NightlyState, state_key


def output_key(settings, path: str) -> str:
    """The nightly state's key for a repository in this run (Settings or RunConfig): its path, its own ref (its
    [[repos]] table's, else the run's), and the run's output."""
    options = settings.repo_options.get(os.path.realpath(path))
    return state_key(path, (options.ref if options else None) or settings.ref, settings.output_dir, settings.fmt)


def continues(entry: Entry | None, first_day: date, until: date, today: date) -> bool:
    """Whether a run over these days carries the repository's record on (no record yet, or the window starts at or
    before its next day and reaches its completed day): a run of older days leaves it alone."""
    return entry is None or (first_day <= entry.resume and min(until, today - timedelta(days=1)) >= entry.completed)


def record_reported(state: NightlyState, repos: list, until: date, tz, today: date) -> None:
    """Each repository's record (pipeline.RepoRun) moves to the last day of the window that is over (never back):
    its tip is the newest first-parent commit of that day, whose history is what the record holds."""
    through = min(until, today - timedelta(days=1))
    for repo in repos:
        if repo.record_key is None:
            continue
        days = sorted(repo.days)
        through_here = max(min(through, days[-1]), days[0] - timedelta(days=1))
        if repo.record_from is not None and through_here < repo.record_from:
            continue
        state.record(repo.record_key, through_here, reported_tips(repo.handle, repo.ref, through_here, tz))
