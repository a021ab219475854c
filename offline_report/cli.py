"""Command line: declares the options, wires them to the pipeline, and maps errors to exit codes."""

from __future__ import annotations

import sys
import traceback

import click

from . import __version__
from .analyze import ModelAnalyzer, RuleAnalyzer
from .cache import NullStore, Store, default_cache_dir
from .config import FORMATS, LANGS, RunConfig, check_range, parse_day, resolve_tz
from .errors import ReportError, UsageError
from .models import candidates, read_info, resolve_model
from .pipeline import run
from .progress import Progress
from .session import ModelOptions, ModelSession
from .stats import RunStats
from .vote import VOTE_METHODS

EXAMPLES = """
\b
Examples:
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
@click.option("--since", help="First day: YYYY-MM-DD, 'today' or 'yesterday'. Default: today.")
@click.option("--until", help="Last day, inclusive. Default: today.")
@click.option("--output-dir", default="reports", show_default=True, type=click.Path(), help="Where the day files go.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the reports instead of writing files.")
@click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True, help="Report language.")
@click.option("--tz", "tz_name", default="local", show_default=True, help="IANA time zone of the day windows, or 'local'.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True, help="Markdown or JSON.")
@click.option("--ref", default="HEAD", show_default=True, help="Branch, tag or commit to walk from.")
@click.option("--no-merges", is_flag=True, help="Leave merge commits out.")
@click.option("--commit-url", help="Commit link template with {sha}, e.g. https://git.example.com/x/y/-/commit/{sha}.")
@click.option("--no-llm", is_flag=True, help="No model: every analysis is built by rules from the git facts.")
@click.option("--model", "model_path", type=click.Path(), help="GGUF model file (else $OFFLINE_REPORT_MODEL, ./models/*.gguf, the bundled model).")
@click.option("--threads", type=click.IntRange(1), help="CPU threads for llama.cpp. Default: all cores.")
@click.option("--ctx", "n_ctx", type=click.IntRange(512), help="Context size in tokens. Default: 4096, capped by the model's trained context.")
@click.option("--gpu-layers", default="auto", show_default=True, callback=lambda c, p, v: gpu_layers_option(v),
              help="Layers to offload: N, 'all', or 'auto' (all when the llama.cpp build can offload).")
@click.option("--seed", type=int, default=1234, show_default=True, help="Sampling seed, fixed so reruns are reproducible.")
@click.option("--vote-method", type=click.Choice(VOTE_METHODS), default="score", show_default=True,
              help="Pass 1: score the labels by log-probability, or ask for constrained JSON.")
@click.option("--cache-dir", type=click.Path(), help="Analysis cache. Default: $OFFLINE_REPORT_CACHE or the user cache dir.")
@click.option("--no-cache", is_flag=True, help="Run without the analysis cache.")
@click.option("--verbose", is_flag=True, help="Show llama.cpp's own log lines.")
@click.option("--empty-days", is_flag=True, help="Also write a report for days without commits.")
@click.option("--yes", is_flag=True, help="Allow a range of more than 366 days.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
@click.version_option(__version__, prog_name="offline-report")
@click.pass_context
def main(ctx: click.Context, **options) -> None:
    """Daily Markdown reports of local git clones, analysed by a local GGUF model. Never touches the network."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = options["debug"]
    if ctx.invoked_subcommand is not None:
        return
    guarded(lambda: run_report(options), options["debug"])


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


def build_config(options: dict) -> RunConfig:
    tz, tz_name = resolve_tz(options["tz_name"])
    until = parse_day(options["until"], tz, "--until") if options["until"] else parse_day("today", tz)
    since = parse_day(options["since"], tz, "--since") if options["since"] else until
    check_range(since, until, options["yes"])
    if options["to_stdout"] and options["output_dir"] != "reports":
        raise UsageError("--stdout and --output-dir both given", "use one of them")
    return RunConfig(
        repos=list(options["repos"]) or ["."],
        since=since,
        until=until,
        tz=tz,
        tz_name=tz_name,
        lang=options["lang"],
        fmt=options["fmt"],
        output_dir=options["output_dir"],
        stdout=options["to_stdout"],
        ref=options["ref"],
        no_merges=options["no_merges"],
        commit_url=options["commit_url"],
        use_llm=not options["no_llm"],
        empty_days=options["empty_days"],
    )


def model_options(options: dict) -> ModelOptions:
    return ModelOptions(threads=options["threads"], ctx=options["n_ctx"], gpu_layers=options["gpu_layers"],
                        seed=options["seed"], vote_method=options["vote_method"], verbose=options["verbose"])


def open_store(options: dict):
    if options["no_cache"]:
        return NullStore()
    return Store(options["cache_dir"] or default_cache_dir())


def build_analyzer(config: RunConfig, options: dict, stats: RunStats):
    if not config.use_llm:
        return RuleAnalyzer(config.lang, stats)
    store = open_store(options)
    session = ModelSession(resolve_model(options["model_path"]), model_options(options), store, stats)
    session.validate()
    return ModelAnalyzer(config.lang, stats, session, store)


def run_report(options: dict) -> None:
    config = build_config(options)
    stats = RunStats(use_llm=config.use_llm)
    analyzer = build_analyzer(config, options, stats)
    result = run(config, analyzer, stats, progress_factory=lambda total: Progress(total, quiet=options["quiet"]))
    if not options["quiet"] and not config.stdout:
        click.echo(f"offline-report: {len(result.written)} report(s) in {config.output_dir}", err=True)


@main.command("models")
@click.option("--model", "model_path", type=click.Path(), help="Also consider this GGUF file first.")
@click.option("--check", is_flag=True, help="Load the chosen model and score its votes on the labelled set.")
@click.option("--cache-dir", type=click.Path(), help="Where calibration scores are remembered.")
@click.option("--vote-method", type=click.Choice(VOTE_METHODS), default="score", show_default=True)
@click.pass_context
def models_command(ctx: click.Context, model_path: str | None, check: bool, cache_dir: str | None,
                   vote_method: str) -> None:
    """List the models offline-report can see, and which one a run would use."""
    guarded(lambda: show_models(model_path, check, cache_dir, vote_method), ctx.obj.get("debug", False))


def show_models(model_path: str | None, check: bool, cache_dir: str | None, vote_method: str) -> None:
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
    click.echo(f"\nA run would use the model marked *, chosen by: --model > $OFFLINE_REPORT_MODEL > "
               f"./models/*.gguf > the bundled tiny model.")
    if check:
        stats = RunStats()
        store = Store(cache_dir or default_cache_dir())
        session = ModelSession(found[0], ModelOptions(vote_method=vote_method), store, stats)
        result = session.calibration()
        verdict = "counted" if result.counted else "not counted"
        click.echo(f"vote check ({result.method}, {result.samples} labelled commits): accuracy {result.accuracy:.2f}, "
                   f"best constant answer {result.baseline:.2f}: the model's importance votes are {verdict} "
                   f"({result.seconds_per_commit:.3f} s per commit)")
