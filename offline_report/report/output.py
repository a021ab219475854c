"""Where a run's reports go: to stdout or to one file each, in the run's order.

A model sets the pace of a run: each report is written as soon as it is made. Without one (--no-llm), reports
come faster than they render (a year of days takes seconds), so they are kept until BATCH are at hand and
rendered on every core (stops.map_forked), then written in order. A stop or an error writes the ones kept before it
unwinds: nothing made is lost."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ..files import write_atomic
from ..stops import in_runs, map_forked, worker_count
from .day import DayReport
from .render import render_html, render_json, render_markdown

# Reports kept before they are rendered together: each batch forks its workers anew, so batches are large; a stop
# renders the kept ones here, within STOP_GRACE_S (about 3 ms a report).
BATCH = 256
MIN_REPORTS_PER_WORKER = 16
PARTS_PER_WORKER = 4            # days differ in size: smaller parts keep every worker busy to the end


def render(report: DayReport, fmt: str, one_line: bool = False, templates: Path | None = None) -> str:
    """The text of one report in the chosen format."""
    if fmt == "json":
        return render_json(report, one_line=one_line)
    return render_html(report, templates) if fmt == "html" else render_markdown(report, templates)


class ReportOutput:
    """The run's reports, written (or printed) in the order they are made; `batched`: kept and rendered BATCH at
    a time on every core. `close` writes what is kept."""

    def __init__(self, fmt: str, output_dir: str | Path, templates: Path | None, stdout: TextIO | None,
                 batched: bool):
        self.fmt, self.output_dir, self.templates = fmt, Path(output_dir), templates
        self.stdout, self.batched = stdout, batched
        self.written: list[Path] = []
        self._kept: list[DayReport] = []

    def add(self, report: DayReport) -> None:
        if self.stdout is not None:
            text = render(report, self.fmt, one_line=True, templates=self.templates)
            self.stdout.write(text + "\n" if self.fmt == "json" else text)
            self.stdout.flush()
        elif self.batched:
            self._kept.append(report)
            if len(self._kept) >= BATCH:
                self.close()
        else:
            self._write(report, self._text(report))

    def close(self, in_process: bool = False) -> None:
        """Every kept report rendered and written, in order; in_process: here alone (a stop is unwinding)."""
        kept = self._kept
        # In process, each is written as soon as it is rendered: a failing one leaves those before it written.
        texts = map(self._text, kept) if in_process else self._rendered(kept)
        for report, text in zip(kept, texts):
            self._write(report, text)
        self._kept = []

    def _rendered(self, reports: list[DayReport]) -> list[str]:
        if not reports:
            return []
        # The first here: the templates it compiles are then every worker's, not compiled again in each.
        first = self._text(reports[0])
        rest = reports[1:]
        workers = worker_count(len(rest), MIN_REPORTS_PER_WORKER)
        if workers <= 1:
            return [first, *map(self._text, rest)]
        parts = in_runs(rest, workers * PARTS_PER_WORKER)
        texts = map_forked(len(parts), lambda i: [self._text(report) for report in parts[i]], workers)
        return [first, *(text for part in texts for text in part)]

    def _text(self, report: DayReport) -> str:
        return render(report, self.fmt, templates=self.templates)

    def _write(self, report: DayReport, text: str) -> None:
        path = self.output_dir / f"{report.view.file_stem}.{self.fmt}"
        write_atomic(path, text)
        self.written.append(path)


__all__ = ["BATCH", "ReportOutput", "render"]
