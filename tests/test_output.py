"""Reports rendered on every core when no model sets the pace: the same files, in order, and none lost to a stop."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone

import pytest

import offline_report
from offline_report import pipeline
from offline_report.report import output
from offline_report.report.output import ReportOutput, render

from .support.gitrepo import RepoBuilder

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")

DAYS = 12
WINDOW = dict(since="2026-03-01", until="2026-03-12", tz="UTC", lang="en", llm=False, no_cache=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """One commit a day for twelve days, each with a body in Markdown and a Python change."""
    path = tmp_path_factory.mktemp("output") / "repo"
    builder = RepoBuilder(path)
    for day in range(DAYS):
        body = f"Handles *case {day}*:\n\n- first\n- second `x_{day}`\n"
        source = "".join(f"def step_{k}(value, limit={k}):\n    return value * {k}\n\n" for k in range(day + 1))
        when = datetime(2026, 3, 1, 10, tzinfo=timezone.utc) + timedelta(days=day)
        builder.commit(f"feat: step {day}\n\n{body}", when, {"src/steps.py": source})
    return path


@pytest.fixture
def two_workers(monkeypatch):
    """Batches of five, each rendered by two workers whatever the machine's cores."""
    monkeypatch.setattr(output, "BATCH", 5)
    monkeypatch.setattr(output, "worker_count", lambda items, least: 2 if items >= 2 else 1)


def test_reports_rendered_by_workers_are_the_reports_rendered_here(repo, two_workers):
    days = offline_report.daily_reports(repo, **WINDOW).days
    assert len(days) == DAYS
    kept = ReportOutput("md", "unused", None, None, batched=True)
    rendered_by_workers = kept._rendered(days)
    assert rendered_by_workers == [render(day, "md") for day in days]
    assert all(f"step {n}" in text for n, text in enumerate(rendered_by_workers))


def test_a_batched_run_writes_every_report_in_order(repo, tmp_path, two_workers):
    reports = offline_report.daily_reports(repo, output_dir=tmp_path / "out", **WINDOW)
    names = [path.name for path in reports.written]
    assert names == [f"2026-03-{day:02d}.md" for day in range(1, DAYS + 1)]
    for n, path in enumerate(reports.written):
        assert f"step {n}" in path.read_text(encoding="utf-8")


def test_a_stop_writes_the_reports_made_before_it(repo, tmp_path, monkeypatch):
    monkeypatch.setattr(output, "BATCH", 100)   # nothing would be written before the end of the run
    real_write_view = pipeline.write_view
    calls = []

    def stopped_at_the_fifth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real_write_view(*args, **kwargs)

    monkeypatch.setattr(pipeline, "write_view", stopped_at_the_fifth)
    with pytest.raises(KeyboardInterrupt):
        offline_report.daily_reports(repo, output_dir=tmp_path / "out", **WINDOW)
    assert sorted(p.name for p in (tmp_path / "out").glob("*.md")) == [f"2026-03-0{day}.md" for day in range(1, 5)]


def test_a_worker_that_fails_fails_the_run_with_its_error(repo, tmp_path, two_workers, monkeypatch):
    def render_but_the_third(report, fmt, one_line=False, templates=None):
        if report.view.file_stem == "2026-03-03":
            raise ValueError("cannot render the third day")
        return render(report, fmt, one_line, templates)

    monkeypatch.setattr(output, "render", render_but_the_third)
    with pytest.raises(ValueError, match="third day"):
        offline_report.daily_reports(repo, output_dir=tmp_path / "out", **WINDOW)
    assert sorted(p.name for p in (tmp_path / "out").glob("*.md")) == ["2026-03-01.md", "2026-03-02.md"]


def test_the_workers_leave_the_collector_as_they_found_it(repo, two_workers):
    import gc

    days = offline_report.daily_reports(repo, **WINDOW).days
    assert gc.get_freeze_count() == 0
    ReportOutput("md", "unused", None, None, batched=True)._rendered(days)
    assert gc.get_freeze_count() == 0
    gc.freeze()   # a host program's own frozen objects stay frozen
    try:
        ReportOutput("md", "unused", None, None, batched=True)._rendered(days)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
