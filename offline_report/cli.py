"""Command line: declares the options, wires them to the library, and turns every failure into one error format.

The only module that imports click. The library (pipeline, git, llm, report) is imported when a command runs,
so `--version` and `--help` start in a few tens of milliseconds."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

from . import __version__
from .config import Settings
from .config.settings_table import BY_NAME, SETTINGS, Setting
from . import stops
from .catalog import Phrase
from .errors import EXIT_INTERNAL, EXIT_USAGE, ReportError, UsageError
from .stops import Stopped, catch_stops

MAX_NAMED_REPORTS = 3
EXIT_BROKEN_PIPE = 128 + 13  # as a tool killed by SIGPIPE: the reader (| head) closed the pipe
EXAMPLES = """
\b
Examples:
  offline-report --last 1
  offline-report --since 2026-02-10
  offline-report --repo /srv/git/dynamo --repo /srv/git/nixl --output-dir /srv/reports
  offline-report --since yesterday --lang en --format json --stdout
  offline-report --since 2026-02-10 --until 2026-02-12 --no-llm
  offline-report --model ~/models/qwen2.5-7b-instruct-q4_k_m.gguf --gpu-layers all --since yesterday
  offline-report --quiet --exit-code-if-empty 99      # cron: silent, and 99 when nothing was committed
  offline-report models --check
"""


def say(lang: str, key: str, /, **values) -> None:
    """One line on stderr, from the catalogue's [cli] table, in the run's language."""
    from .catalog import say as worded

    click.echo(worded(lang, "cli", key, values), err=True)


def echo(lang: str, key: str, /, **values) -> None:
    """One line of a subcommand's own output (stdout), from the catalogue's [commands] table."""
    from .catalog import say as worded

    click.echo(worded(lang, "commands", key, values))


def say_error(lang: str, message: str, hint: str | None) -> None:
    """The one error format: `offline-report: error: …` and `  what to do: …`, in the run's language."""
    say(lang, "error", message=message)
    if hint:
        say(lang, "what_to_do", hint=hint)


def say_report_error(lang: str, exc: ReportError) -> None:
    say_error(lang, *exc.worded(lang))


def run_lang(ctx: click.Context | None) -> str:
    """The language the run's lines are said in: English until the settings name one (--lang, the file's lang)."""
    root = ctx.find_root() if ctx is not None else None
    return (root.obj or {}).get("lang", "en") if root is not None else "en"


def lang_from_command_line(ctx: click.Context) -> None:
    """--lang, when given, names the language before any file is read (an error in the file is said in it)."""
    root = ctx.find_root()
    if "lang" in root.obj["given"]:
        root.obj["lang"] = root.obj["options"]["lang"]


# click 8.2+: a group called without its subcommand; older click prints the help itself.
NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


class Main(click.Group):
    """The command group, with click's own usage errors printed in offline-report's error format."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if args is None:  # the process's own command line
            stops.owns_process = True
        try:
            code = super().main(args, prog_name or "offline-report", complete_var, standalone_mode=False, **extra)
        except NO_ARGS_IS_HELP as exc:  # `offline-report cache` alone: its help, as --help shows it
            click.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
            code = 0
        # click's own errors come while the command line is parsed, before --lang or the file's lang is known: the
        # frame around them is English (the language boundary); errors after it are said in the run's language.
        except click.UsageError as exc:
            from .catalog import words

            command = " ".join(["offline-report", *(exc.ctx.command_path.split()[1:] if exc.ctx else [])])
            say_error("en", exc.format_message(), words("en", "hints", "see_help", command=command))
            code = EXIT_USAGE
        except click.ClickException as exc:
            say_error("en", exc.format_message(), None)
            code = exc.exit_code
        except click.Abort:  # Ctrl-C outside a command's run (click turns it into Abort)
            code = stops.say_stop(signal.SIGINT, stop_line)
        except Stopped as exc:  # a stop that came while a command was being left
            code = stops.say_stop(exc.signum, stop_line)
        if standalone_mode:
            sys.exit(code if isinstance(code, int) else 0)
        return code


def click_option(row: Setting, **changes):
    """The click option of a row of config/settings_table.py (its one declaration)."""
    flags = [f"{row.flag}/{row.opposite}" if row.opposite else row.flag, *([row.short] if row.short else [])]
    if row.choices:
        kind = click.Choice(row.choices)
    elif row.type is int:
        kind = click.IntRange(row.low, row.high) if row.low is not None or row.high is not None else click.INT
    elif row.type is float:
        kind = click.FloatRange(row.low) if row.low is not None else click.FLOAT
    elif row.type in (Path, list) or row.relative:
        kind = click.Path()
    else:
        kind = None
    default = () if row.multiple else (str(row.default) if isinstance(row.default, Path) else row.default)
    options = dict(type=kind, default=default, show_default=row.show_default, multiple=row.multiple,
                   metavar=row.metavar, help=row.help)
    return click.option(*flags, row.name, **{**options, **changes})


# Every option of a run, from the table; `offline-report config` takes them too, to show what that run would use.
RUN_OPTIONS = tuple(click_option(row) for row in SETTINGS if row.flag)


def run_options(function):
    for option in reversed(RUN_OPTIONS):
        function = option(function)
    return function


@click.group(cls=Main, invoke_without_command=True, epilog=EXAMPLES,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@run_options
@click.version_option(__version__, prog_name="offline-report")
@click.pass_context
def main(ctx: click.Context, **options) -> None:
    """Daily Markdown reports of local git clones, analysed by a local GGUF model. Never touches the network."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = options["debug"]
    ctx.obj["lang"] = "en"  # until the settings are read (resolve_settings)
    ctx.obj["options"] = options
    ctx.obj["given"] = given_params(ctx)
    if ctx.invoked_subcommand is not None:
        return
    code = guarded(lambda: report_command(ctx), ctx)
    if code:
        sys.exit(code)


def given_params(ctx: click.Context) -> set[str]:
    """The parameters the user gave on the command line (not click's defaults)."""
    quiet_sources = (click.core.ParameterSource.DEFAULT, click.core.ParameterSource.DEFAULT_MAP, None)
    return {name for name in ctx.params if ctx.get_parameter_source(name) not in quiet_sources}


def guarded(action, ctx: click.Context):
    """Run an action; every failure becomes one `offline-report: error:` line, a hint and its exit code, in the
    language the run had reached."""
    debug = ctx.find_root().obj.get("debug", False)
    guard = catch_stops(stop_line)
    try:
        return action()
    except ReportError as exc:
        if debug:
            _print_traceback()
        say_report_error(run_lang(ctx), exc)
        return exc.exit_code
    except KeyboardInterrupt:
        guard.say(signal.SIGINT)
        return 128 + signal.SIGINT
    except Stopped as exc:
        guard.say(exc.signum)
        return 128 + exc.signum
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a bare traceback
        if debug:
            _print_traceback()
        say_report_error(run_lang(ctx), ReportError("internal", kind=type(exc).__name__, detail=str(exc)))
        return EXIT_INTERNAL
    finally:
        guard.release()


def _print_traceback() -> None:
    import traceback  # only with --debug: the traceback module costs start-up time

    traceback.print_exc()


def stop_line(signum: int, lang: str = "en") -> str:
    """The one line a stopped run says, in the run's language once its settings are known."""
    from .catalog import words

    if signum == signal.SIGINT:
        return words(lang, "cli", "notice", text=words(lang, "stop", "interrupted"))
    return words(lang, "cli", "notice", text=words(lang, "stop", "stopped", signal=signal.Signals(signum).name))


def _quiet_stdout() -> None:
    """The reader went away: what Python would still flush at exit goes nowhere, without a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # a test's captured stdout has no file descriptor
        pass


def settings_from(options: dict, given: set[str]) -> Settings:
    """The command line's options as one typed Settings value: what was given, else the table's defaults."""
    if options.get("stdout") and "output_dir" in given:
        raise UsageError("stdout_and_output_dir")
    return Settings(**{name: BY_NAME[name].convert(options[name]) for name in given if name in BY_NAME})


def resolve_settings(ctx: click.Context, sub_options: dict | None = None, sub_given: set[str] = frozenset(),
                     check: bool = True) -> Settings:
    """The settings a run would use: the command line (a subcommand's own options first), the environment,
    offline-report.toml, the defaults; checked before anything runs."""
    from .config.merge import apply_config

    root = ctx.find_root()
    options = dict(root.obj["options"])
    given = set(root.obj["given"])
    for name in sub_given:
        options[name] = sub_options[name]
        given.add(name)
    if "lang" in given:  # an error in the file is said in the command line's language (a subcommand's --lang too)
        root.obj["lang"] = options["lang"]
    settings = settings_from(options, given)
    apply_config(settings, given, options["config_path"])
    root.obj["lang"] = settings.lang
    if check:
        from .pipeline import check_run

        check_run(settings)
    return settings


def report_command(ctx: click.Context) -> int:
    from .pipeline import run_report

    settings = resolve_settings(ctx)
    lines = {signum: stop_line(signum, settings.lang) for signum in stops.STOP_SIGNALS}
    stops.speak(lines.__getitem__)  # worded now: a stop reads no file
    result = run_report(settings, engine_factory=ctx.obj.get("engine_factory"))
    lang = settings.lang
    for warning in result.warnings:  # these need a person: said even with --quiet
        say(lang, "warning", text=warning)
    if not settings.quiet:
        for notice in result.notices:
            say(lang, "notice", text=notice)
        if not settings.stdout and result.written:
            say(lang, "notice", text=opened(result))
    if settings.exit_code_if_empty is not None and result.commits == 0:
        return settings.exit_code_if_empty
    return 0


def opened(result) -> str:
    """What to open: the report files, newest first (the site's index first when there is one)."""
    from .catalog import words

    files = sorted(result.written, key=lambda path: path.name, reverse=True)
    index = [path for path in files if path.name == "index.html"]
    shown = index + [path for path in files if path.name != "index.html"][:MAX_NAMED_REPORTS]
    more = len(files) - len(shown)
    lang = result.config.lang
    listing = ", ".join(str(path) for path in shown) + (words(lang, "run", "written_more", count=more) if more > 0 else "")
    return words(lang, "run", "written", count=len(files), files=listing or "-")


def run_subcommand(ctx: click.Context, action) -> None:
    """A subcommand's action, with the run's error format and exit codes."""
    code = guarded(action, ctx)
    if code:
        sys.exit(code)


@main.command("config")
@run_options
@click.pass_context
def config_command(ctx: click.Context, **options) -> None:
    """Print the settings a run with these options would use, where each came from, and check them as the run
    would (exit 2 on what the run would refuse)."""
    def show():
        from .config import run_config
        from .config.merge import effective_lines

        settings = resolve_settings(ctx, options, given_params(ctx), check=False)
        click.echo("\n".join(effective_lines(settings, settings.sources, settings.lang)))
        from .pipeline import check_model, check_run, open_repos

        check_run(settings)
        resolved = run_config(settings, lambda repos, today: today)  # dates, zone and range, as the run reads them
        open_repos(resolved, [])  # each repository opened and its ref (and upstream) resolved, as the run does
        check_model(settings)  # the model file read as the run reads it (a damaged one exits 3), never loaded
    run_subcommand(ctx, show)


@main.command("init")
@click.pass_context
def init_command(ctx: click.Context) -> None:
    """Write a commented starter offline-report.toml (never overwrites one)."""
    def write():
        from .config.starter import write_starter

        lang_from_command_line(ctx)  # the file is what init writes: only the command line names a language
        path = write_starter(ctx.find_root().obj["options"]["config_path"])
        echo(run_lang(ctx), "init_wrote", path=path)
    run_subcommand(ctx, write)


@main.group("cache")
def cache_group() -> None:
    """Inspect or empty the analysis cache (the same cache a run uses: --cache-dir, $OFFLINE_REPORT_CACHE,
    offline-report.toml's cache_dir, the user cache dir)."""


CACHE_DIR_OPTION = click_option(BY_NAME["cache_dir"], type=click.Path(file_okay=False),
                                help="Default: as a run: $OFFLINE_REPORT_CACHE, the file's cache_dir, the user cache dir.")


def cache_directory(ctx: click.Context, cache_dir: str | None) -> Path:
    """The cache folder a run with the same options and file would use."""
    from .cache import default_cache_dir

    given = {"cache_dir"} if cache_dir else set()
    settings = resolve_settings(ctx, {"cache_dir": cache_dir}, given, check=False)
    return Path(settings.cache_dir) if settings.cache_dir else default_cache_dir()


def say_store_warnings(lang: str, store) -> None:
    from .catalog import said

    for warning in getattr(store, "warnings", []):  # a damaged database moved aside on opening
        say(lang, "warning", text=said(lang, warning))


@cache_group.command("stats")
@CACHE_DIR_OPTION
@click.pass_context
def cache_stats(ctx: click.Context, cache_dir: str | None) -> None:
    """Entries, size, and the hit rate of the last run."""
    def show():
        from .cache import existing_store

        directory = cache_directory(ctx, cache_dir)
        lang = run_lang(ctx)
        store = existing_store(directory)
        say_store_warnings(lang, store)
        echo(lang, "cache_dir", directory=directory)
        if store is None:
            echo(lang, "cache_none")
            return
        summary = store.summary()
        echo(lang, "cache_entries_state" if summary["nightly_state"] else "cache_entries", count=summary["entries"],
             kib=f"{summary['bytes'] / 1024:.1f}")
        last = summary["last_run"]
        if last:
            looked_up = last["cache_hits"] + last["model_analyses"] + (last["rule_analyses"] if last["use_llm"] else 0)
            rate = f"{last['cache_hits'] / looked_up:.0%}" if looked_up else Phrase("commands", "cache_rate_rules")
            echo(lang, "cache_last_run", hits=last["cache_hits"], model=last["model_analyses"],
                 rules=last["rule_analyses"], rate=rate,
                 loaded=Phrase("commands", "yes" if last["model_loaded"] else "no"))
    run_subcommand(ctx, show)


@cache_group.command("clear")
@CACHE_DIR_OPTION
@click.pass_context
def cache_clear(ctx: click.Context, cache_dir: str | None) -> None:
    """Remove every cached analysis, vote, calibration and the nightly resume state (says what first)."""
    def clear():
        from .cache import existing_store, run_lock

        directory = cache_directory(ctx, cache_dir)
        lang = run_lang(ctx)
        store = existing_store(directory)
        say_store_warnings(lang, store)
        if store is None:
            echo(lang, "clear_nothing", directory=directory)
            return
        summary = store.summary()
        echo(lang, "clear_removing_state" if summary["nightly_state"] else "clear_removing", count=summary["entries"],
             kib=f"{summary['bytes'] / 1024:.1f}", directory=directory)
        with run_lock(directory, 60):
            removed = store.clear()
        echo(lang, "clear_removed", count=removed, directory=directory)
    run_subcommand(ctx, clear)


@main.group("templates")
def templates_group() -> None:
    """The built-in report templates, for a team to start its own from."""


@templates_group.command("dump")
@click.argument("folder", type=click.Path(file_okay=False))
@click.pass_context
def templates_dump(ctx: click.Context, folder: str) -> None:
    """Copy the built-in templates into FOLDER (files already there are kept)."""
    from .report.team_templates import dump

    def write():
        lang_from_command_line(ctx)  # no settings are read: only the command line names a language
        written, kept = dump(Path(folder))
        echo(run_lang(ctx), "templates_kept" if kept else "templates_wrote", count=len(written), kept=len(kept),
             folder=folder)
    run_subcommand(ctx, write)


@main.command("models")
@click_option(BY_NAME["model_path"], help="Also consider this GGUF file first.")
@click.option("--check", is_flag=True, help="Load the chosen model, score its votes and check its answers (zh, en) on the labelled set.")
@CACHE_DIR_OPTION
@click_option(BY_NAME["vote_method"])
@click.pass_context
def models_command(ctx: click.Context, model_path: str | None, check: bool, cache_dir: str | None,
                   vote_method: str) -> None:
    """List the models offline-report can see, and which one a run would use."""
    def show():
        from .cache import default_cache_dir

        options = {"model_path": model_path, "cache_dir": cache_dir, "vote_method": vote_method}
        settings = resolve_settings(ctx, options, given_params(ctx) - {"check"}, check=False)
        show_models(settings.model_path, check, settings.cache_dir or default_cache_dir(), settings.vote_method,
                    settings.lang)
    run_subcommand(ctx, show)


def show_models(model_path: str | None, check: bool, cache_dir: Path, vote_method: str, lang: str) -> None:
    from .cache import Store
    from .llm.models import candidates, read_info, resolve_model
    from .llm.session import LocalSession, ModelOptions
    from .stats import RunStats

    found = candidates(model_path)
    if not found:
        resolve_model(model_path)  # raises the error that says what to do
    for index, candidate in enumerate(found):
        source = Phrase("commands", "model_bundled") if candidate.source == "bundled" else candidate.source
        echo(lang, "model_chosen" if index == 0 else "model_other", path=candidate.path, source=source)
        try:
            info = read_info(candidate.path)
        except ReportError as exc:
            echo(lang, "model_unusable", message=exc.worded(lang)[0])
            continue
        echo(lang, "model_info", name=info.name, architecture=info.architecture,
             millions=f"{info.parameters / 1e6:.0f}", quantization=info.quantization, mib=f"{info.size / 2**20:.0f}",
             context=info.context_length,
             template=Phrase("commands", "model_template_yes" if info.has_chat_template else "model_template_no"))
    click.echo()
    echo(lang, "model_choice")
    if check:
        stats = RunStats()
        store = Store(cache_dir)
        session = LocalSession(found[0], ModelOptions(vote_method=vote_method), store, stats)
        result = session.calibration()
        echo(lang, "vote_check_counted" if result.counted else "vote_check_not_counted", method=result.method,
             samples=result.samples, accuracy=f"{result.accuracy:.2f}", baseline=f"{result.baseline:.2f}",
             seconds=f"{result.seconds_per_commit:.3f}")
        show_answer_checks(session, lang)


def show_answer_checks(session, lang: str) -> None:
    """The answer check per language: the pass rate, and one failed answer with the guard's reason."""
    from .catalog import catalog

    for checked in ("zh", "en"):
        check = session.answer_check(checked)
        echo(lang, "answer_check_ok" if check.ok else "answer_check_skip", lang=checked, samples=check.samples,
             passed=check.passed, rate=f"{check.pass_rate:.2f}", seconds=f"{check.seconds_per_commit:.1f}")
        if check.failed:
            why = catalog(lang)["fallback"].get(check.failed["reason"], check.failed["reason"])
            echo(lang, "answer_check_failed", subject=repr(check.failed["subject"]), reason=check.failed["reason"],
                 why=why)
            click.echo(f"    {check.failed['text']}")
