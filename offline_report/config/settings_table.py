"""Every setting declared once: its field, type, default, flags, file key, environment variable, help and check.

The command line's options (cli.py), the file's keys (file.py), precedence and `config`'s listing (merge.py), the
Python API's keywords (api.py), the starter file (starter.py) and Settings itself are made from SETTINGS."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import ENV_CACHE, ENV_MODEL
from ..catalog import languages
from . import values

LANGS = languages()
FORMATS = ("md", "json", "html")
VOTE_METHODS = ("score", "json")
PERIOD_KINDS = ("day", "week", "month")


@dataclass(frozen=True)
class Setting:
    """One setting. `name` is its one spelling in Python: the Settings field, the click parameter, the API keyword."""

    name: str
    default: Any
    help: str
    flag: str | None = None  # "--lang"; None: not on the command line
    opposite: str | None = None  # "--no-stdout": a true/false setting's other form
    short: str | None = None  # "-q"
    key: str | None = None  # in offline-report.toml: "lang", "model.ctx"; None: not in the file
    env: str | None = None  # an environment variable that beats the file
    type: type = str  # str, int, float, bool, list or Path
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: int | None = None
    custom: Callable[[Any], Any] | None = None  # a check beyond type, choices and bounds (values.py)
    multiple: bool = False  # the option may be repeated
    metavar: str | None = None
    show_default: bool = False
    relative: bool = False  # a path: relative to the file's folder when the file sets it
    example: str | None = None  # the starter file's commented line (TOML), with a note after `#`

    @property
    def check(self) -> Callable[[Any], Any]:
        """The one check of a value from anywhere: returns it as the file gives it, or raises TypeError/ValueError."""
        if self.custom:
            return self.custom
        if self.choices:
            return (lambda value: values.choice(self.choices)(value) if not self.multiple else
                    [values.choice(self.choices)(v) for v in values.texts(value)])
        return {bool: values.flag, int: values.whole_number(self.low, self.high), float: values.number(self.low or 0),
                list: values.texts, Path: values.path}.get(self.type, values.text)

    def convert(self, value):
        """A checked value as Settings holds it."""
        if value is None:
            return None
        if self.type is Path:
            return Path(value)
        if self.type is list:
            return list(value)
        return value

    @property
    def option(self) -> str:
        """How an error or `config` names the command-line option."""
        return self.flag or self.name

    @property
    def table(self) -> str | None:
        return self.key.split(".")[0] if self.key and "." in self.key else None

    @property
    def file_key(self) -> str | None:
        return self.key.split(".")[-1] if self.key else None


def _flag(name: str, help: str, flag: str, opposite: str, key: str | None = None, **more) -> Setting:
    return Setting(name, False, help, flag=flag, opposite=opposite, key=key, type=bool, **more)


SETTINGS: tuple[Setting, ...] = (
    Setting("repos", ["."], "Local git clone (repeatable). Default: the current directory.", flag="--repo",
            type=list, multiple=True),
    Setting("since", None, "First day: YYYY-MM-DD, 'today' or 'yesterday'. Default: the day after the last completed "
            "one (first run: today).", flag="--since", key="since", custom=values.day),
    Setting("until", None, "Last day, inclusive. Default: today.", flag="--until", key="until", custom=values.day),
    Setting("last", None, "The N most recent days that have commits, per repository.", flag="--last", type=int, low=1),
    Setting("period", "day", "One report per day (default), ISO week or calendar month.", flag="--period",
            key="period", choices=PERIOD_KINDS,
            example='"day"              # "week" or "month": one report per ISO week or calendar month'),
    Setting("rollups", [], "A day run also writes each week's (month's) report once it is over (repeatable).",
            flag="--rollup", key="rollups", type=list, choices=("week", "month"), multiple=True,
            custom=values.periods,
            example='["week"]         # the nightly run also writes each week\'s report once it is over (on Mondays)'),
    Setting("range_spec", None, "One release report of exactly `git rev-list A..B`; one tag alone: since the tag "
            "before it.", flag="--range", metavar="A..B"),
    Setting("output_dir", Path("reports"), "Where the day files go.", flag="--output-dir", key="output_dir",
            type=Path, show_default=True, relative=True, example='"reports"      # where the day files go'),
    _flag("stdout", "Print the reports instead of writing files.", "--stdout", "--no-stdout", key="stdout"),
    Setting("lang", "zh", "Report language.", flag="--lang", key="lang", choices=LANGS, show_default=True,
            example='"en"                 # report language: ' + " or ".join(LANGS)),
    Setting("tz_name", "local", "IANA time zone of the day windows, or 'local'.", flag="--tz", key="tz",
            show_default=True, custom=values.zone,
            example='"Asia/Shanghai"        # IANA zone of the day windows, or "local"'),
    Setting("fmt", "md", "Markdown, JSON or HTML.", flag="--format", key="format", choices=FORMATS,
            show_default=True, example='"md"               # md, json or html'),
    Setting("ref", "HEAD", "Branch, tag or commit to walk from.", flag="--ref", key="ref", show_default=True,
            example='"HEAD"                # branch, tag or commit to walk from'),
    _flag("no_merges", "No merge entries: what merges brought is listed on its own (--merges: one entry per merge).",
          "--no-merges", "--merges", key="no_merges", example="false"),
    Setting("commit_url", None, "Commit link template with {sha}, e.g. https://git.example.com/x/y/-/commit/{sha}.",
            flag="--commit-url", key="commit_url", custom=values.commit_url,
            example='"https://git.example.com/x/y/-/commit/{sha}"'),
    _flag("no_llm", "No model: every analysis is built by rules from the git facts (--llm: use the model).",
          "--no-llm", "--llm", key="no_llm", example="false              # true: every analysis is built by rules"),
    Setting("model_path", None, "GGUF model file (else $OFFLINE_REPORT_MODEL, ./models/*.gguf, the bundled model).",
            flag="--model", key="model.path", env=ENV_MODEL, relative=True,
            example='"models/qwen2.5-7b-instruct-q4_k_m.gguf"'),
    Setting("server", None, "Base URL of an OpenAI-compatible inference server (llama-server, vLLM), e.g. "
            "http://gpu-box:8080/v1. Replaces the local model.", flag="--server", key="model.server",
            custom=values.server_url,
            example='"http://gpu-box:8080/v1"   # an OpenAI-compatible server instead of a local model'),
    Setting("server_model", None, "The model to ask for, when the server hosts several.", flag="--server-model",
            key="model.server_model", example='"qwen2.5-7b"'),
    Setting("api_key_env", None, "Name of the environment variable that holds the server's token.",
            flag="--api-key-env", key="model.api_key_env", metavar="VAR",
            example='"GPU_BOX_KEY" # the variable holding the key, never the key'),
    Setting("parallel", None, "Concurrent requests to the server. Default: its slot count, else 4.",
            flag="--parallel", key="model.parallel", type=int, low=1, example="4"),
    Setting("threads", None, "CPU threads for llama.cpp. Default: all cores.", flag="--threads",
            key="model.threads", type=int, low=1, example="8"),
    Setting("n_ctx", None, "Context size in tokens. Default: 4096, capped by the model's trained context.",
            flag="--ctx", key="model.ctx", type=int, low=512, example="4096"),
    Setting("gpu_layers", "auto", "Layers to offload: N, 'all', or 'auto' (all when the llama.cpp build can "
            "offload).", flag="--gpu-layers", key="model.gpu_layers", show_default=True, custom=values.gpu_layers,
            example='"auto"         # a number, "all" or "auto"'),
    Setting("seed", 1234, "Sampling seed, fixed so reruns are reproducible.", flag="--seed", key="model.seed",
            type=int, show_default=True, example="1234"),
    Setting("vote_method", "score", "Pass 1: score the labels by log-probability, or ask for constrained JSON.",
            flag="--vote-method", key="model.vote_method", choices=VOTE_METHODS, show_default=True,
            example='"score"       # score or json'),
    Setting("cache_dir", None, "Analysis cache. Default: $OFFLINE_REPORT_CACHE or the user cache dir.",
            flag="--cache-dir", key="cache_dir", env=ENV_CACHE, type=Path, relative=True,
            example='"/var/cache/offline-report"'),
    _flag("no_cache", "Run without the analysis cache (and without resuming).", "--no-cache", "--cache",
          key="no_cache"),
    _flag("refresh", "Analyse the selected days again, ignoring cached analyses.", "--refresh", "--no-refresh",
          key="refresh"),
    _flag("force_model", "Use the model even when its answer check failed, and never stop it after repeated "
          "rejections.", "--force-model", "--no-force-model", key="force_model"),
    _flag("keep_rejected", "Keep rejected model answers and the guard's reason in the JSON.", "--keep-rejected",
          "--no-keep-rejected", key="keep_rejected"),
    Setting("lock_timeout", 600.0, "Seconds to wait for another run on the same cache directory.",
            flag="--lock-timeout", key="lock_timeout", type=float, low=0, show_default=True, example="600"),
    _flag("verbose", "Show llama.cpp's own log lines.", "--verbose", "--no-verbose", key="verbose"),
    _flag("empty_days", "Also write a report for days without commits.", "--empty-days", "--no-empty-days",
          key="empty_days", example="false"),
    _flag("yes", "Allow a range of more than 366 days.", "--yes", "--no-yes", key="yes"),
    _flag("quiet", "Nothing on stderr unless something failed or needs a person (cron).", "--quiet", "--no-quiet",
          key="quiet", short="-q", example="false            # true: nothing on stderr unless something needs a person"),
    Setting("exit_code_if_empty", None, "Exit with N (instead of 0) when the selected days hold no commits: nothing "
            "new to report.", flag="--exit-code-if-empty", key="exit_code_if_empty", type=int, low=0, high=255,
            metavar="N", custom=values.exit_code,
            example="99     # exit with this code when there was nothing new to report (cron wrappers)"),
    _flag("debug", "Show a traceback on errors.", "--debug", "--no-debug"),
    Setting("config_path", None, "Settings file. Default: $OFFLINE_REPORT_CONFIG, else ./offline-report.toml if "
            "present.", flag="--config", type=Path),
    Setting("templates", None, "A folder of *.j2 files that replace the built-in templates of the same name.",
            key="templates", type=Path, relative=True,
            example='"templates"     # *.j2 files here replace the built-in ones of the same name'),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS if s.key}
FILE_TABLES = tuple(dict.fromkeys(s.table for s in SETTINGS if s.table))


def defaults() -> dict[str, Any]:
    """Each setting's default (a fresh list for a list)."""
    return {s.name: list(s.default) if isinstance(s.default, list) else s.default for s in SETTINGS}


def settings_fields(table=SETTINGS) -> list[tuple[str, Any, Any]]:
    """The dataclass fields of Settings, one per row."""
    return [(s.name, s.type | None, field(default_factory=lambda s=s: list(s.default)) if isinstance(s.default, list)
             else field(default=s.default)) for s in table]
