"""Stops that stop: a long run signalled at many moments, to its process and to its whole process group, as
`timeout`, systemd and cron's shell do, ends within seconds with its one line and leaves nothing running.

OFFLINE_REPORT_STOPS sets how many moments each signal and target is tried at (2 by default; 20 to soak)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from .support.fakes import make_gguf
from .support.gitrepo import RepoBuilder

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and forked workers")

ROOT = Path(__file__).resolve().parent.parent
STOPS = int(os.environ.get("OFFLINE_REPORT_STOPS", "2"))
LOCK_FILE = ".offline-report.lock"
ENDS_WITHIN_S = 10.0  # the grace the watchdog gives the unwinding (3 s), and a busy machine's slack
FIRST_DAY = datetime(2025, 1, 1, 9, tzinfo=timezone.utc)
DAYS = 6
COMMITS_PER_DAY = 100
WINDOW = ("--since", "2025-01-01", "--until", "2025-01-06", "--tz", "UTC")
LINE = {signal.SIGINT: "offline-report: interrupted; finished days and cached analyses are kept",
        signal.SIGTERM: "offline-report: stopped by SIGTERM; finished days and cached analyses are kept",
        signal.SIGHUP: "offline-report: stopped by SIGHUP; finished days and cached analyses are kept"}


@pytest.fixture(scope="module")
def long_history(tmp_path_factory) -> Path:
    """600 commits over 6 days, each editing a Python module and a test: a first run of a few seconds."""
    path = tmp_path_factory.mktemp("stops") / "repo"
    builder = RepoBuilder(path, remote="https://github.com/acme/long.git")
    for day in range(DAYS):
        for n in range(COMMITS_PER_DAY):
            i = day * COMMITS_PER_DAY + n
            body = "".join(f"def handler_{i}_{k}(value, limit={k}):\n    return value * {k} + {i}\n\n" for k in range(4))
            builder.commit(f"feat(pkg{i % 7}): handler set {i}", FIRST_DAY + timedelta(days=day, minutes=n * 9),
                           {f"src/mod{i % 8}.py": body, f"tests/test_mod{i % 5}.py": f"def test_{i}():\n    assert {i}\n"})
    return path


CLI = [sys.executable, "-c", "from offline_report.cli import main; main(prog_name='offline-report')"]


def as_supervised() -> None:
    """A supervisor (systemd, timeout) starts its job with SIGINT handled by default; a shell's background job, as
    this test run may be, would pass on SIGINT ignored, and the run would rightly keep ignoring it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(args: list[str], cwd: Path, wrapper: tuple[str, ...] = ()) -> subprocess.Popen:
    """offline-report in a session of its own: its pid is its process group's id, as under a supervisor."""
    return subprocess.Popen([*wrapper, *CLI, *args], cwd=cwd, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, preexec_fn=as_supervised)


def wait_for_lock(process: subprocess.Popen, lock: Path) -> None:
    """Until the run holds its lock (its start-up is over), so that each moment falls inside the run itself."""
    deadline = time.monotonic() + 60
    while not lock.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)


def group_gone(pgid: int, within: float = 5.0) -> bool:
    """No process of the group is left, zombies included (a zombie still answers signal 0)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def stop_and_check(process: subprocess.Popen, signum: int, to_group: bool, expected_code: int | None = None):
    """Sends the signal; returns (exit code, seconds to exit, stderr) once the run and its whole group are gone."""
    sent = time.monotonic()
    (os.killpg if to_group else os.kill)(process.pid, signum)
    try:
        process.wait(timeout=ENDS_WITHIN_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        pytest.fail(f"{signal.Signals(signum).name} to the {'group' if to_group else 'process'}: still running "
                    f"{ENDS_WITHIN_S} s later; stderr: {process.stderr.read().decode()[-2000:]}")
    seconds = time.monotonic() - sent
    stderr = process.stderr.read().decode()
    process.stdout.close()
    process.stderr.close()
    assert group_gone(process.pid), "a process of the run's group is still there (a worker, or a zombie)"
    return process.returncode, seconds, stderr


_LENGTH: dict[Path, float] = {}


def run_length(repo: Path, tmp_path_factory) -> float:
    """Seconds a whole first run of the history takes on this machine now, from the moment it holds its lock to its
    end (measured once)."""
    if repo not in _LENGTH:
        folder = tmp_path_factory.mktemp("full-run")
        process = start(["--repo", str(repo), *WINDOW, "--no-llm", "--yes", "-q", "--output-dir", str(folder / "out"),
                         "--cache-dir", str(folder / "cache")], folder)
        wait_for_lock(process, folder / "cache" / LOCK_FILE)
        started = time.monotonic()
        assert process.wait(timeout=300) == 0, process.stderr.read().decode()
        process.stdout.close()
        process.stderr.close()
        _LENGTH[repo] = time.monotonic() - started
    return _LENGTH[repo]


def leftovers(folder: Path) -> list[str]:
    """Half-written files: a temporary file beside a report, or an empty report."""
    if not folder.exists():
        return []
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp") or p.suffix == ".md" and not p.stat().st_size]


@pytest.mark.parametrize("to_group", [True, False], ids=["group", "process"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_a_stop_at_any_moment_ends_the_run_within_seconds_and_leaves_nothing(long_history, tmp_path,
                                                                             tmp_path_factory, signum, to_group):
    out, cache = tmp_path / "out", tmp_path / "cache"
    args = ["--repo", str(long_history), *WINDOW, "--no-llm", "--yes", "-q", "--lang", "en",
            "--output-dir", str(out), "--cache-dir", str(cache)]
    length = run_length(long_history, tmp_path_factory)
    stopped = 0
    for moment in range(STOPS):
        # Spread over the run once it holds its lock: the walk, the decode workers, rendering and writing.
        delay = 0.8 * length * (moment + 0.5) / STOPS
        no_cache = moment % 2 == 1
        lock = (out if no_cache else cache) / LOCK_FILE
        lock.unlink(missing_ok=True)  # the file stays after a run; its lock does not
        process = start([*args, "--no-cache"] if no_cache else args, tmp_path)
        wait_for_lock(process, lock)
        time.sleep(delay)
        code, seconds, stderr = stop_and_check(process, signum, to_group)
        if code == 0:  # the run ended before the signal was sent (a quick moment on a busy machine)
            continue
        stopped += 1
        assert code == 128 + signum, f"after {delay:.2f} s: exit {code}, stderr: {stderr[-2000:]}"
        assert stderr.splitlines() == [LINE[signum]], f"after {delay:.2f} s: {stderr[-2000:]}"
        assert seconds < ENDS_WITHIN_S
        assert leftovers(out) == [], f"after {delay:.2f} s, ended {seconds:.2f} s after the signal"
    assert stopped >= max(1, STOPS // 2), "the run ended before most signals were sent"
    after = start(args, tmp_path)  # the lock was released: the next run completes
    assert after.wait(timeout=300) == 0, after.stderr.read().decode()
    after.stdout.close()
    after.stderr.close()
    assert len(list(out.glob("*.md"))) == DAYS


def start_with_model(repo: Path, tmp_path: Path, delay: str, lang: str = "en",
                     wrapper: tuple[str, ...] = ()) -> tuple[subprocess.Popen, Path]:
    """A run of the history's last day (100 commits) with a slow stand-in model (tests/support/standin_run.py, each
    answer taking `delay`), in a session of its own; and the file each completion asked for adds a line to."""
    log = tmp_path / "completions.log"
    args = ["--repo", str(repo), "--since", "2025-01-06", "--until", "2025-01-06", "--tz", "UTC", "--lang", lang,
            "--output-dir", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"),
            "--model", make_gguf(tmp_path / "model.gguf"), "--force-model", "-q"]
    process = subprocess.Popen([*wrapper, sys.executable, "-m", "tests.support.standin_run", str(log), delay, "--",
                                *args], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=as_supervised)
    return process, log


def wait_for_completion(process: subprocess.Popen, log: Path) -> None:
    """Until the model has been asked for its first answer."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not log.exists() and process.poll() is None:
        time.sleep(0.05)
    assert log.exists(), process.stderr.read().decode() if process.poll() is not None else "no completion asked"


def test_timeout_around_a_run_ends_it_with_124_and_nothing_left(long_history, tmp_path):
    """`timeout 2` around a run that needs longer (0.5 s an answer, 100 commits)."""
    if shutil.which("timeout") is None:
        pytest.skip("no timeout command")
    process, _ = start_with_model(long_history, tmp_path, "0.5", wrapper=("timeout", "2"))
    try:
        process.wait(timeout=2 + ENDS_WITHIN_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the run outlived its timeout by more than the grace")
    assert process.returncode == 124
    assert process.stderr.read().decode().splitlines() == [LINE[signal.SIGTERM]]
    assert group_gone(process.pid)


def test_a_stop_during_a_long_model_call_in_c_still_ends_the_run(long_history, tmp_path):
    """A model evaluating a long prompt is one call into C: Python's handler cannot run until it returns, so the
    watchdog ends the run, with the same line, once the grace is over."""
    process, log = start_with_model(long_history, tmp_path, "60c")
    wait_for_completion(process, log)
    time.sleep(0.3)  # inside the call
    code, seconds, stderr = stop_and_check(process, signal.SIGTERM, to_group=True)
    assert code == 143, stderr
    assert stderr.splitlines() == [LINE[signal.SIGTERM]]
    assert seconds < ENDS_WITHIN_S


def test_the_stop_line_is_in_the_reports_language(long_history, tmp_path):
    process, log = start_with_model(long_history, tmp_path, "0.5", lang="zh")
    wait_for_completion(process, log)
    code, _, stderr = stop_and_check(process, signal.SIGTERM, to_group=True)
    assert code == 143, stderr
    assert stderr.splitlines() == ["offline-report：收到 SIGTERM，已停止；已完成的日报和已缓存的分析都保留着"]
