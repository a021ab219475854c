"""Command line: declares the options, wires them to the pipeline, and maps errors to exit codes."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from . import __version__
from .cache import Store, default_cache_dir, run_lock
from .catalog import catalog, words
from .config import FORMATS, LANGS, VOTE_METHODS, Settings
from .configfile import apply_config, effective_lines, write_starter
from .errors import EXIT_INTERNAL, ReportError, UsageError
from .pipeline import run_report
from .stats import RunStats



MAX_NAMED_REPORTS = 3
EXAMPLES = """
\b
Examples:
  offline-report --last 1
  offline-report --since 2026-02-10
  offline-report --repo /srv/git/dynamo --repo /srv/git/nixl --output-dir /srv/reports
  offline-report --since yesterday --lang en --format json --stdout
  offline-report --since 2026-02-10 --until 2026-02-12 --no-llm
  offline-report --model ~/models/qwen2.5-7b-instruct-q4_k_m.gguf --gpu-layers all --since yesterday
  offline-report models --check
"""


def gpu_layers_option(value: str) -> str:
    if value in ("auto", "all") or value.isdigit():
        return value
    raise click.BadParameter("use a number of layers, 'all' or 'auto'")


@click.group(invoke_without_command=True, epilog=EXAMPLES,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--repo", "repos", multiple=True, type=click.Path(), help="Local git clone (repeatable). Default: the current directory.")
@click.option("--since", help="First day: YYYY-MM-DD, 'today' or 'yesterday'. Default: the day after the last completed one (first run: today).")
@click.option("--until", help="Last day, inclusive. Default: today.")
@click.option("--last", type=click.IntRange(1), help="The N most recent days that have commits, per repository.")
@click.option("--period", type=click.Choice(["day", "week", "month"]), default=None,
              help="One report per day (default), ISO week or calendar month.")
@click.option("--range", "range_spec", metavar="A..B",
              help="One release report of exactly `git rev-list A..B`; one tag alone: since the tag before it.")
@click.option("--output-dir", default="reports", show_default=True, type=click.Path(), help="Where the day files go.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the reports instead of writing files.")
@click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True, help="Report language.")
@click.option("--tz", "tz_name", default="local", show_default=True, help="IANA time zone of the day windows, or 'local'.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True, help="Markdown, JSON or HTML.")
@click.option("--ref", default="HEAD", show_default=True, help="Branch, tag or commit to walk from.")
@click.option("--no-merges", is_flag=True, help="No merge entries: what merges brought is listed on its own.")
@click.option("--commit-url", help="Commit link template with {sha}, e.g. https://git.example.com/x/y/-/commit/{sha}.")
@click.option("--no-llm", is_flag=True, help="No model: every analysis is built by rules from the git facts.")
@click.option("--model", "model_path", type=click.Path(), help="GGUF model file (else $OFFLINE_REPORT_MODEL, ./models/*.gguf, the bundled model).")
@click.option("--server", help="Base URL of an OpenAI-compatible inference server (llama-server, vLLM), e.g. http://gpu-box:8080/v1. Replaces the local model.")
@click.option("--server-model", help="The model to ask for, when the server hosts several.")
@click.option("--api-key-env", metavar="VAR", help="Name of the environment variable that holds the server's token.")
@click.option("--parallel", type=click.IntRange(1), help="Concurrent requests to the server. Default: its slot count, else 4.")
@click.option("--threads", type=click.IntRange(1), help="CPU threads for llama.cpp. Default: all cores.")
@click.option("--ctx", "n_ctx", type=click.IntRange(512), help="Context size in tokens. Default: 4096, capped by the model's trained context.")
@click.option("--gpu-layers", default="auto", show_default=True, callback=lambda c, p, v: gpu_layers_option(v),
              help="Layers to offload: N, 'all', or 'auto' (all when the llama.cpp build can offload).")
@click.option("--seed", type=int, default=1234, show_default=True, help="Sampling seed, fixed so reruns are reproducible.")
@click.option("--vote-method", type=click.Choice(VOTE_METHODS), default="score", show_default=True,
              help="Pass 1: score the labels by log-probability, or ask for constrained JSON.")
@click.option("--cache-dir", type=click.Path(), help="Analysis cache. Default: $OFFLINE_REPORT_CACHE or the user cache dir.")
@click.option("--no-cache", is_flag=True, help="Run without the analysis cache (and without resuming).")
@click.option("--refresh", is_flag=True, help="Analyse the selected days again, ignoring cached analyses.")
@click.option("--force-model", is_flag=True,
              help="Use the model even when its answer check failed, and never stop it after repeated rejections.")
@click.option("--keep-rejected", is_flag=True, help="Keep rejected model answers and the guard's reason in the JSON.")
@click.option("--lock-timeout", type=click.FloatRange(0), default=600, show_default=True,
              help="Seconds to wait for another run on the same cache directory.")
@click.option("--verbose", is_flag=True, help="Show llama.cpp's own log lines.")
@click.option("--empty-days", is_flag=True, help="Also write a report for days without commits.")
@click.option("--yes", is_flag=True, help="Allow a range of more than 366 days.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Settings file. Default: $OFFLINE_REPORT_CONFIG, else ./offline-report.toml if present.")
@click.version_option(__version__, prog_name="offline-report")
@click.pass_context
def main(ctx: click.Context, **options) -> None:
    """Daily Markdown reports of local git clones, analysed by a local GGUF model. Never touches the network."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = options["debug"]
    ctx.obj["options"] = options
    if ctx.invoked_subcommand is not None:
        return
    guarded(lambda: report_command(ctx, options), options["debug"])


def guarded(action, debug: bool) -> None:
    """Run an action; a ReportError becomes its message, hint and exit code."""
    try:
        action()
    except ReportError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"offline-report: error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"  what to do: {exc.hint}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("offline-report: interrupted; finished days and cached analyses are kept", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a bare traceback
        if debug:
            traceback.print_exc()
        click.echo(f"offline-report: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("  what to do: run again with --debug and report the traceback; finished days and cached "
                   "analyses are kept", err=True)
        sys.exit(EXIT_INTERNAL)


def settings_from(ctx: click.Context, options: dict) -> Settings:
    """Click's options as one typed Settings value."""
    given = {name: ctx.get_parameter_source(name) != click.core.ParameterSource.DEFAULT for name in options}
    if options["to_stdout"] and given["output_dir"]:
        raise UsageError("--stdout and --output-dir both given", "use one of them")
    return Settings(
        repos=list(options["repos"]) or ["."], since=options["since"], until=options["until"], last=options["last"],
        period=options["period"] or "day", range_spec=options["range_spec"],
        output_dir=Path(options["output_dir"]), stdout=options["to_stdout"], lang=options["lang"],
        tz_name=options["tz_name"], fmt=options["fmt"], ref=options["ref"], no_merges=options["no_merges"],
        commit_url=options["commit_url"], use_llm=not options["no_llm"], model_path=options["model_path"],
        threads=options["threads"], ctx=options["n_ctx"], gpu_layers=options["gpu_layers"], seed=options["seed"],
        vote_method=options["vote_method"], cache_dir=Path(options["cache_dir"]) if options["cache_dir"] else None,
        no_cache=options["no_cache"], refresh=options["refresh"], force_model=options["force_model"],
        keep_rejected=options["keep_rejected"], lock_timeout=options["lock_timeout"],
        verbose=options["verbose"], empty_days=options["empty_days"], yes=options["yes"], quiet=options["quiet"],
        server=options["server"], server_model=options["server_model"], api_key_env=options["api_key_env"],
        parallel=options["parallel"],
    )


def file_settings(ctx: click.Context, options: dict) -> tuple[Settings, dict[str, str]]:
    """The command line's Settings, filled from offline-report.toml where the command line and environment are silent."""
    settings = settings_from(ctx, options)
    return settings, apply_config(settings, ctx, options["config_path"])


def report_command(ctx: click.Context, options: dict) -> None:
    settings, _ = file_settings(ctx, options)
    result = run_report(settings, engine_factory=ctx.obj.get("engine_factory"))
    for warning in result.warnings:
        click.echo(f"offline-report: warning: {warning}", err=True)
    if not settings.quiet and not settings.stdout:
        click.echo(f"offline-report: {opened(result)}", err=True)


def opened(result) -> str:
    """What to open: the report files, newest first (the site's index first when there is one)."""
    files = sorted(result.written, key=lambda path: path.name, reverse=True)
    index = [path for path in files if path.name == "index.html"]
    shown = index + [path for path in files if path.name != "index.html"][:MAX_NAMED_REPORTS]
    more = len(files) - len(shown)
    listing = ", ".join(str(path) for path in shown) + (f" (+{more} more)" if more > 0 else "")
    return words(result.config.lang, "run", "written", count=len(files), files=listing or "-")


@main.command("config")
@click.pass_context
def config_command(ctx: click.Context) -> None:
    """Print the effective settings and where each one came from."""
    root = ctx.find_root()

    def show():
        settings, sources = file_settings(root, ctx.obj["options"])
        click.echo("\n".join(effective_lines(settings, sources)))
    guarded(show, ctx.obj.get("debug", False))


@main.command("init")
@click.pass_context
def init_command(ctx: click.Context) -> None:
    """Write a commented starter offline-report.toml (never overwrites one)."""
    def write():
        path = write_starter(ctx.obj["options"]["config_path"])
        click.echo(f"wrote {path}; edit it, then check it with `offline-report config`")
    guarded(write, ctx.obj.get("debug", False))


@main.group("cache")
def cache_group() -> None:
    """Inspect or empty the analysis cache."""


@cache_group.command("stats")
@click.option("--cache-dir", type=click.Path(), help="Default: $OFFLINE_REPORT_CACHE or the user cache dir.")
@click.pass_context
def cache_stats(ctx: click.Context, cache_dir: str | None) -> None:
    """Entries, size, and the hit rate of the last run."""
    def show():
        summary = Store(cache_dir or default_cache_dir()).summary()
        click.echo(f"cache: {summary['directory']}")
        click.echo(f"entries: {summary['entries']}, size: {summary['bytes'] / 1024:.1f} KiB")
        last = summary["last_run"]
        if last:
            looked_up = last["cache_hits"] + last["model_analyses"] + (last["rule_analyses"] if last["use_llm"] else 0)
            rate = f"{last['cache_hits'] / looked_up:.0%}" if looked_up else "n/a (rules only)"
            click.echo(f"last run: {last['cache_hits']} cache hits, {last['model_analyses']} new model analyses, "
                       f"{last['rule_analyses']} rule analyses; hit rate {rate}; model loaded: {last['model_loaded']}")
    guarded(show, ctx.obj.get("debug", False))


@cache_group.command("clear")
@click.option("--cache-dir", type=click.Path(), help="Default: $OFFLINE_REPORT_CACHE or the user cache dir.")
@click.pass_context
def cache_clear(ctx: click.Context, cache_dir: str | None) -> None:
    """Remove every cached analysis, vote, calibration and resume state."""
    def clear():
        store = Store(cache_dir or default_cache_dir())
        with run_lock(store.directory, 60):
            removed = store.clear()
        click.echo(f"removed {removed} entries from {store.directory}")
    guarded(clear, ctx.obj.get("debug", False))


@main.command("models")
@click.option("--model", "model_path", type=click.Path(), help="Also consider this GGUF file first.")
@click.option("--check", is_flag=True, help="Load the chosen model, score its votes and check its answers (zh, en) on the labelled set.")
@click.option("--cache-dir", type=click.Path(), help="Where calibration scores are remembered.")
@click.option("--vote-method", type=click.Choice(VOTE_METHODS), default="score", show_default=True)
@click.pass_context
def models_command(ctx: click.Context, model_path: str | None, check: bool, cache_dir: str | None,
                   vote_method: str) -> None:
    """List the models offline-report can see, and which one a run would use."""
    guarded(lambda: show_models(model_path, check, cache_dir, vote_method), ctx.obj.get("debug", False))


def show_models(model_path: str | None, check: bool, cache_dir: str | None, vote_method: str) -> None:
    from .llm.models import candidates, read_info, resolve_model
    from .llm.session import ModelOptions, ModelSession

    found = candidates(model_path)
    if not found:
        resolve_model(model_path)  # raises the error that says what to do
    for index, candidate in enumerate(found):
        marker = "* " if index == 0 else "  "
        click.echo(f"{marker}{candidate.path}  [{candidate.source}]")
        try:
            info = read_info(candidate.path)
        except ReportError as exc:
            click.echo(f"    unusable: {exc.message}")
            continue
        click.echo(f"    {info.name}: {info.architecture}, {info.parameters / 1e6:.0f}M parameters, {info.quantization}, "
                   f"{info.size / 2**20:.0f} MiB, trained context {info.context_length}, "
                   f"chat template: {'yes' if info.has_chat_template else 'no (plain completion prompts)'}")
    click.echo("\nA run would use the model marked *, chosen by: --model > $OFFLINE_REPORT_MODEL > "
               "./models/*.gguf > the bundled tiny model.")
    if check:
        stats = RunStats()
        store = Store(cache_dir or default_cache_dir())
        session = ModelSession(found[0], ModelOptions(vote_method=vote_method), store, stats)
        result = session.calibration()
        verdict = "counted" if result.counted else "not counted"
        click.echo(f"vote check ({result.method}, {result.samples} labelled commits): accuracy {result.accuracy:.2f}, "
                   f"best constant answer {result.baseline:.2f}: the model's importance votes are {verdict} "
                   f"({result.seconds_per_commit:.3f} s per commit)")
        show_answer_checks(session)


def show_answer_checks(session) -> None:
    """The answer check per language: the pass rate, and one failed answer with the guard's reason."""
    for lang in ("zh", "en"):
        check = session.answer_check(lang)
        verdict = "the model runs" if check.ok else "runs skip the model unless --force-model"
        click.echo(f"answer check ({lang}, {check.samples} labelled commits): {check.passed} passed, pass rate "
                   f"{check.pass_rate:.2f}: {verdict} ({check.seconds_per_commit:.1f} s per commit)")
        if check.failed:
            why = catalog("en")["fallback"].get(check.failed["reason"], check.failed["reason"])
            click.echo(f"  failed: {check.failed['subject']!r}: {check.failed['reason']} ({why})")
            click.echo(f"    {check.failed['text']}")
