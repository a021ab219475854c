"""For the people who run it: precedence, checks before the run, one error format, quiet cron, stops, the cache."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from offline_report.llm.answer_check import CHECK_SAMPLES

from .support.cli import run_cli
from .support.fakes import FakeEngine, make_gguf
from .support.gitrepo import RepoBuilder, lines

DAY = "2026-02-12"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def team(tmp_path, monkeypatch):
    """A folder with one clone (repo/) holding three commits on DAY; the CLI runs from there."""
    b = RepoBuilder(tmp_path / "repo", remote="https://github.com/acme/widgets.git")
    b.commit("chore: base", "2026-02-11T08:00:00+00:00", {"src/app.py": lines(10)})
    for i, subject in enumerate(["feat: add export", "fix: empty input", "docs: explain"]):
        b.commit(subject, f"{DAY}T{9 + i:02d}:00:00+00:00", {f"src/m{i}.py": lines(20, f"v{i}")})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def config_file(folder: Path, text: str) -> Path:
    path = folder / "offline-report.toml"
    path.write_text(text, encoding="utf-8")
    return path


def shown(output: str) -> dict[str, tuple[str, str]]:
    """`offline-report config`'s lines as key -> (value, source)."""
    rows = {}
    for line in output.splitlines():
        if " = " in line and not line.startswith("#"):
            text, _, source = line.partition("   # ")
            key, _, value = text.partition(" = ")
            rows.setdefault(key.strip(), (value.strip(), source.strip()))
    return rows


RUN = ("--since", DAY, "--until", DAY, "--tz", "UTC")


# --- 1. precedence: the command line always wins ------------------------------------------------------

def test_every_boolean_the_file_turns_on_the_command_line_turns_off(team):
    config_file(team, 'stdout = true\nquiet = true\nno_llm = true\nno_merges = true\nno_cache = true\n'
                      'refresh = true\nverbose = true\nempty_days = true\nyes = true\nforce_model = true\n'
                      'keep_rejected = true\n[[repos]]\npath = "repo"\n')
    result = run_cli("config", "--lang", "en", "--no-stdout", "--no-quiet", "--llm", "--merges", "--cache", "--no-refresh",
                     "--no-verbose", "--no-empty-days", "--no-yes", "--no-force-model", "--no-keep-rejected",
                     "--no-llm")  # given twice, the last one wins, as for any option
    rows = shown(result.output)
    for key in ("stdout", "quiet", "no_merges", "no_cache", "refresh", "verbose", "empty_days", "yes",
                "force_model", "keep_rejected"):
        assert rows[key][0] == "false" and rows[key][1].startswith("command line"), (key, rows[key])
    assert rows["no_llm"] == ("true", "command line (--no-llm)")
    assert run_cli("config", "--llm").exit_code in (0, 3)  # --llm alone: the model is wanted (none here: exit 3)
    assert shown(run_cli("config", "--llm").output)["no_llm"][0] == "false"


def test_output_dir_on_the_command_line_beats_stdout_in_the_file(team):
    config_file(team, 'stdout = true\nno_llm = true\nquiet = true\n[[repos]]\npath = "repo"\n')
    result = run_cli(*RUN, "--output-dir", str(team / "here"))
    assert result.exit_code == 0, result.output
    assert (team / "here" / f"{DAY}.md").is_file() and "feat: add export" not in result.output
    assert shown(run_cli("config", "--lang", "en", "--output-dir", "here").output)["stdout"] == (
        "false", "command line (--output-dir)")


def test_last_on_the_command_line_beats_the_files_dates(team):
    config_file(team, 'since = "2020-01-01"\nuntil = "2020-01-02"\nno_llm = true\nquiet = true\n'
                      'format = "json"\nstdout = true\n[[repos]]\npath = "repo"\n')
    result = run_cli("--last", "1", "--tz", "UTC")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.splitlines()[0])["date"] == DAY


def test_config_shows_what_the_run_with_those_options_would_use(team):
    config_file(team, 'lang = "zh"\n[[repos]]\npath = "repo"\n')
    after = shown(run_cli("config", "--lang", "en", "--no-llm").output)
    before = shown(run_cli("--lang", "en", "--no-llm", "config").output)
    assert after["lang"] == before["lang"] == ('"en"', "command line (--lang)")
    assert shown(run_cli("config", "--no-llm").output)["lang"] == ('"zh"', "offline-report.toml:1")


# --- 2. everything checked before anything runs ---------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    ('since = "last week"\n', ["offline-report.toml:1", "since", "last week"]),
    ('commit_url = "https://git.example.com/x"\n', ["offline-report.toml:1", "commit_url", "{sha}"]),
    ('[model]\nserver = "notaurl"\n', ["offline-report.toml:2", "model.server", "notaurl"]),
    ('exit_code_if_empty = 3\n', ["offline-report.toml:1", "exit_code_if_empty"]),
    ('[[repos]]\npath = "repo"\n\n[[repos]]\nname = "x"\n', ["offline-report.toml:4", "repos[1] has no path"]),
    ('[[repos]]\npath = "repo"\n[[repos]]\npath = "./repo/"\n', ["offline-report.toml:4", "repos[1].path",
                                                                  "same repository as repos[0]", "offline-report.toml:1"]),
    ('[[repos]]\npath = "repo"\ncommit_url = "https://x/y"\n', ["offline-report.toml:3", "repos[0].commit_url", "{sha}"]),
])
def test_config_and_the_run_refuse_the_same_file_naming_file_line_and_key(team, text, words):
    config_file(team, text)
    for args in (("config", "--no-llm"), (*RUN, "--no-llm")):
        result = run_cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert all(word in result.output for word in words), (args, result.output)
        assert "what to do:" in result.output
    assert not (team / "reports").exists()


def test_a_bad_glob_says_the_problem_in_the_message_and_what_to_do_in_words(team):
    config_file(team, '[[repos]]\npath = "repo"\nexclude = ["vendor/[abc"]\n')
    result = run_cli(*RUN, "--no-llm")
    message, hint = result.output.splitlines()[:2]
    assert result.exit_code == 2 and "offline-report.toml:3" in message and "never closed" in message
    assert hint.startswith("  what to do: write a path") and "position" not in hint


def test_config_labels_each_repos_table_with_its_own_line(team):
    RepoBuilder(team / "other").commit("x", f"{DAY}T10:00:00+00:00", {"a": "b"})
    config_file(team, 'no_llm = true\n\n[[repos]]\npath = "repo"\n\n[[repos]]\npath = "other"\n')
    output = run_cli("config", "--lang", "en").output
    labels = [line.split("#")[-1].strip() for line in output.splitlines() if line.startswith("[[repos]]")]
    assert labels == ["offline-report.toml:3", "offline-report.toml:6"]


@pytest.mark.parametrize("args, words", [
    (("--commit-url", "https://git.example.com/x"), ["--commit-url", "{sha}"]),
    (("--server", "notaurl"), ["--server", "notaurl"]),
    (("--repo", "repo", "--repo", "./repo"), ["--repo", "twice"]),
    (("--since", "last week"), ["--since", "last week"]),
    (("--since", "2020-01-01"), ["366 days"]),
    (("--exit-code-if-empty", "2"), ["--exit-code-if-empty", "2"]),
    (("--repo", "repo", "--ref", "no-such-branch"), ["no-such-branch"]),
])
def test_command_line_values_are_refused_by_config_and_by_the_run_with_exit_2(team, args, words):
    for command in (("config", "--no-llm", "--lang", "en", *args), ("--no-llm", "--tz", "UTC", "--lang", "en", *args)):
        result = run_cli(*command)
        assert result.exit_code == 2, (command, result.output)
        assert all(word in result.output for word in words), result.output
        assert "Traceback" not in result.output and "Usage:" not in result.output


# --- 3. one error format ----------------------------------------------------------------------------

@pytest.mark.parametrize("args", [("--bogus",), ("--last", "0"), ("--format", "pdf"), ("cache", "stats", "--nope"),
                                  ("nosuchcommand",)])
def test_click_usage_errors_come_in_the_one_error_format(team, args):
    result = run_cli(*args)
    assert result.exit_code == 2
    assert result.output.startswith("offline-report: error: ") and "\n  what to do: see `offline-report" in result.output
    assert "Usage:" not in result.output


def test_a_group_without_its_subcommand_shows_its_help():
    result = run_cli("cache")
    assert result.exit_code == 0 and "stats" in result.output and "error" not in result.output


def test_an_output_dir_that_is_a_file_says_so(team):
    (team / "passwd").write_text("x")
    result = run_cli(*RUN, "--no-llm", "--lang", "en", "--output-dir", str(team / "passwd"))
    assert result.exit_code == 4 and "is a file, not a directory" in result.output
    assert "File exists" not in result.output


def test_a_truncated_model_gets_the_documented_message(team, tmp_path):
    path = make_gguf(tmp_path / "model.gguf")
    data = Path(path).read_bytes()
    Path(path).write_bytes(data[: len(data) - 1000])
    result = run_cli(*RUN, "--model", path, "-q", "--lang", "en")
    assert result.exit_code == 3 and "model file is truncated" in result.output and "reshape" not in result.output, result.output


def test_a_closed_pipe_ends_quietly(team):
    process = subprocess.Popen([sys.executable, "-c", "from offline_report.cli import main; main()",
                                *RUN, "--no-llm", "--stdout", "--format", "json", "--repo", "repo"],
                               cwd=team, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # as `| head -0` does: the reader is gone before the first report
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert stderr == "", stderr


# --- 4. cron: quiet unless a person is needed, and an exit code for "nothing new" ------------------------

def test_quiet_says_nothing_about_a_day_without_commits_and_the_exit_code_tells_it_apart(team):
    empty = run_cli("--repo", "repo", "--since", "2026-03-01", "--until", "2026-03-01", "--tz", "UTC", "--no-llm",
                    "-q", "--exit-code-if-empty", "99")
    assert empty.exit_code == 99 and empty.output == ""
    loud = run_cli("--repo", "repo", "--since", "2026-03-01", "--until", "2026-03-01", "--tz", "UTC", "--no-llm",
                   "--lang", "en")
    assert loud.exit_code == 0 and "no commits from 2026-03-01" in loud.output
    full = run_cli("--repo", "repo", *RUN, "--no-llm", "-q", "--exit-code-if-empty", "99")
    assert full.exit_code == 0 and full.output == "" and (team / "reports" / f"{DAY}.md").is_file()


def test_the_exit_code_for_nothing_new_can_come_from_the_file(team):
    config_file(team, 'exit_code_if_empty = 77\nquiet = true\nno_llm = true\n[[repos]]\npath = "repo"\n')
    assert run_cli("--since", "2026-03-01", "--until", "2026-03-01").exit_code == 77


# --- 5. stops and recovery ------------------------------------------------------------------------------

def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


WORKER_SCRIPT = """
import os, sys, time
from datetime import timezone
from offline_report.git import decode_pool
from offline_report.git.repo import open_repo

def hang(sha):
    open(os.path.join(sys.argv[2], str(os.getpid())), "w").close()
    time.sleep(600)

decode_pool.worker_count = lambda n: 2
decode_pool._decode_in_worker = hang
handle = open_repo(sys.argv[1])
commits = list(handle.repo.walk(handle.repo.head.target))
decode_pool.decode_commits(handle, commits, timezone.utc)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="decode workers are forked on Linux only")
def test_decode_workers_end_with_their_parent_even_when_it_is_killed(team, tmp_path):
    pids = tmp_path / "pids"
    pids.mkdir()
    parent = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT, str(team / "repo"), str(pids)],
                              env=dict(os.environ, PYTHONPATH=str(ROOT)), stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list(pids.iterdir())) < 2:
        time.sleep(0.05)
    workers = [int(p.name) for p in pids.iterdir()]
    assert len(workers) == 2, parent.stderr.read().decode() if parent.poll() is not None else "no workers"
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


class _Engine(FakeEngine):
    def __init__(self, info, settings):
        super().__init__()


def test_sigterm_ends_a_run_as_ctrl_c_does_keeping_what_was_analysed(team, tmp_path):
    model = make_gguf(tmp_path / "model.gguf")
    log = tmp_path / "completions.log"
    args = ["--repo", str(team / "repo"), *RUN, "--lang", "en", "--output-dir", str(tmp_path / "out"),
            "--cache-dir", str(tmp_path / "cache"), "--model", model, "-q"]
    process = subprocess.Popen([sys.executable, "-m", "tests.support.standin_run", str(log), "0.5", "--", *args],
                               cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wanted = len(CHECK_SAMPLES) + 2  # the answer check, then the second commit asked for: the first one is cached
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not log.exists() or len(log.read_text().splitlines()) < wanted):
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=30)
    stderr = process.stderr.read().decode()
    assert code == 143, stderr
    assert stderr.strip().splitlines() == ["offline-report: stopped by SIGTERM; finished days and cached analyses are kept"]
    rerun = run_cli(*args, "--format", "json", engine_factory=_Engine)
    assert rerun.exit_code == 0, rerun.output
    assert json.loads((tmp_path / "out" / f"{DAY}.json").read_text())["run"]["cache_hits"] >= 1


def _damage(database: Path) -> None:
    data = bytearray(database.read_bytes())
    data[100:4096 * 3] = b"\xff" * (4096 * 3 - 100)
    database.write_bytes(bytes(data))


def test_a_damaged_cache_is_moved_aside_with_one_warning_and_the_nightly_state_survives(team, tmp_path):
    cache = tmp_path / "cache"
    base = ("--repo", "repo", "--tz", "UTC", "--no-llm", "--lang", "en", "--cache-dir", str(cache), "--output-dir", "out")
    assert run_cli(*base, "--since", DAY, "--until", "2026-02-13", "-q").exit_code == 0
    _damage(cache / "cache.db")
    result = run_cli(*base, "-q", "--format", "json")  # no --since: resumes after the last completed day
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("offline-report: warning:")]
    assert len(warnings) == 1 and "was damaged" in warnings[0] and "moved aside" in warnings[0]
    kept = [path for path in cache.glob("cache.db.damaged-*") if not path.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].name in warnings[0]
    assert not (team / "out" / f"{DAY}.json").exists()  # the resume point survived: DAY was not redone
    assert run_cli(*base, "-q", "--since", DAY, "--until", DAY).output == ""  # the new cache works


# --- 6. the cache commands read the run's settings --------------------------------------------------------

def test_cache_commands_use_the_files_cache_dir_and_never_create_a_folder(team, monkeypatch):
    monkeypatch.delenv("OFFLINE_REPORT_CACHE")  # it would beat the file, as it beats it in a run
    config_file(team, 'cache_dir = "team-cache"\nno_llm = true\nquiet = true\nlang = "en"\n[[repos]]\npath = "repo"\n')
    stats = run_cli("cache", "stats")
    assert stats.exit_code == 0 and str(team / "team-cache") in stats.output and "no cache there yet" in stats.output
    cleared = run_cli("cache", "clear")
    assert cleared.exit_code == 0 and "nothing to remove" in cleared.output
    assert not (team / "team-cache").exists()
    assert run_cli(*RUN).exit_code == 0
    stats = run_cli("cache", "stats")
    entries = int(stats.output.split("entries: ")[1].split(",")[0])  # the nightly state and the last run's numbers
    assert str(team / "team-cache") in stats.output and entries >= 1
    elsewhere = team / "elsewhere"
    for args in (("--cache-dir", str(elsewhere), "cache", "stats"), ("cache", "stats", "--cache-dir", str(elsewhere))):
        result = run_cli(*args)
        assert str(elsewhere) in result.output and "team-cache" not in result.output
    assert not elsewhere.exists()
    cleared = run_cli("cache", "clear")
    lines_ = cleared.output.splitlines()
    counted = f"{entries} entry" if entries == 1 else f"{entries} entries"  # the plural form follows the number
    assert lines_[0].startswith(f"removing {counted} (") and "nightly resume state" in lines_[0]
    assert lines_[1].startswith(f"removed {counted} from")
    assert "no cache there yet" in run_cli("cache", "stats").output or "entries: 0," in run_cli("cache", "stats").output


# --- commit links: only where the host's kind is known ----------------------------------------------------

@pytest.mark.parametrize("remote, link", [
    ("git@github.com:acme/widgets.git", "https://github.com/acme/widgets/commit/SHA"),
    ("https://gitlab.example.com/group/sub/proj.git", "https://gitlab.example.com/group/sub/proj/-/commit/SHA"),
    ("https://gitea.local/team/tool", "https://gitea.local/team/tool/commit/SHA"),
    ("git@bitbucket.org:team/tool.git", "https://bitbucket.org/team/tool/commits/SHA"),
    ("ssh://git@bitbucket.corp.example.com:7999/proj/tool.git", None),  # Bitbucket Server: pages laid out otherwise
    ("https://git.example.com/x/y.git", None),  # a host of unknown kind: no guessed link
])
def test_commit_links_only_where_the_host_is_known(remote, link):
    from offline_report.git.remote import commit_url, parse_remote_url

    assert commit_url(None, parse_remote_url(remote), "SHA") == link
    assert commit_url("https://git.example.com/c/{sha}", parse_remote_url(remote), "SHA") == "https://git.example.com/c/SHA"


def test_the_models_command_reads_the_files_model_path(team, tmp_path):
    model = make_gguf(tmp_path / "team-model.gguf", name="team-model")
    config_file(team, f'[model]\npath = "{model}"\n')
    result = run_cli("models")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(f"* {model}")


def test_cache_stats_on_a_damaged_cache_moves_it_aside_and_says_so(team, tmp_path):
    cache = tmp_path / "cache"
    assert run_cli("--repo", "repo", *RUN, "--no-llm", "-q", "--cache-dir", str(cache)).exit_code == 0
    _damage(cache / "cache.db")
    result = run_cli("--lang", "en", "cache", "stats", "--cache-dir", str(cache))
    assert result.exit_code == 0 and "warning: the cache database" in result.output and "entries: 0," in result.output


def test_a_team_template_with_an_unknown_filter_is_refused_before_the_run(team):
    (team / "tpl").mkdir()
    (team / "tpl" / "footer.md.j2").write_text("one\ntwo\n{{ day.date | no_such_filter }}\n")
    config_file(team, 'templates = "tpl"\nno_llm = true\n[[repos]]\npath = "repo"\n')
    for args in (("config",), RUN):
        result = run_cli(*args)
        assert result.exit_code == 2 and "footer.md.j2:3" in result.output and "no_such_filter" in result.output
    assert not (team / "reports").exists()
