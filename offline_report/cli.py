"""Command line: declares the options, wires them to the pipeline, and maps errors to exit codes."""

from __future__ import annotations

import sys
import traceback

import click

from . import __version__
from .analyze import RuleAnalyzer, RunStats
from .config import FORMATS, LANGS, RunConfig, check_range, parse_day, resolve_tz
from .errors import ReportError, UsageError
from .pipeline import run

EXAMPLES = """
\b
Examples:
  offline-report --since 2026-02-10
  offline-report --repo /srv/git/dynamo --repo /srv/git/nixl --output-dir /srv/reports
  offline-report --since yesterday --lang en --format json --stdout
  offline-report --since 2026-02-10 --until 2026-02-12 --no-llm
"""


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


def run_report(options: dict) -> None:
    config = build_config(options)
    stats = RunStats(use_llm=config.use_llm)
    analyzer = RuleAnalyzer(config.lang, stats)
    quiet = options["quiet"]
    result = run(config, analyzer, stats, progress=None if quiet else lambda line: click.echo(line, err=True))
    if not quiet:
        done = f"{len(result.written)} report(s) written to {config.output_dir}" if not config.stdout else ""
        click.echo(f"offline-report: {done or 'done'}", err=True)
