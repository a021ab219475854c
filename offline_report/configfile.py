"""offline-report.toml: found, read and checked before a run, then merged under the command line and environment."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from .analysis import TIERS
from .config import FORMATS, LANGS, VOTE_METHODS, Settings
from .errors import UsageError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

CONFIG_NAME = "offline-report.toml"
ENV_CONFIG = "OFFLINE_REPORT_CONFIG"
ENV_MODEL = "OFFLINE_REPORT_MODEL"
ENV_CACHE = "OFFLINE_REPORT_CACHE"


# ---------------------------------------------------------------------------------------------- value checks

def _str(value):
    if isinstance(value, date):  # `since = 2026-02-10` is a TOML date
        return value.isoformat()
    if not isinstance(value, str):
        raise TypeError("a string")
    return value


def _bool(value):
    if not isinstance(value, bool):
        raise TypeError("true or false")
    return value


def _int(low: int | None = None):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("a whole number")
        if low is not None and value < low:
            raise ValueError(f"at least {low}")
        return value
    return check


def _number(low: float):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("a number")
        if value < low:
            raise ValueError(f"at least {low}")
        return float(value)
    return check


def _choice(choices: tuple[str, ...]):
    def check(value):
        if not isinstance(value, str):
            raise TypeError("a string")
        if value not in choices:
            raise ValueError("one of " + ", ".join(f'"{c}"' for c in choices))
        return value
    return check


def _zone(value):
    value = _str(value)
    if value != "local":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("an IANA time zone such as \"Asia/Shanghai\" or \"UTC\", or \"local\"") from None
    return value


def _gpu_layers(value):
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and (value in ("auto", "all") or value.isdigit()):
        return value
    raise TypeError('a number of layers, "all" or "auto"')


@dataclass(frozen=True)
class Key:
    """One key of the file: the Settings field it sets, the click parameter that beats it, its check."""

    field: str
    param: str | None
    check: Callable[[Any], Any]
    env: str | None = None  # an environment variable that beats the file
    is_path: bool = False  # relative to the file's directory
    invert: bool = False  # no_llm sets use_llm


TOP_KEYS: dict[str, Key] = {
    "since": Key("since", "since", _str),
    "until": Key("until", "until", _str),
    "output_dir": Key("output_dir", "output_dir", _str, is_path=True),
    "stdout": Key("stdout", "to_stdout", _bool),
    "lang": Key("lang", "lang", _choice(LANGS)),
    "tz": Key("tz_name", "tz_name", _zone),
    "format": Key("fmt", "fmt", _choice(FORMATS)),
    "ref": Key("ref", "ref", _str),
    "no_merges": Key("no_merges", "no_merges", _bool),
    "commit_url": Key("commit_url", "commit_url", _str),
    "no_llm": Key("use_llm", "no_llm", _bool, invert=True),
    "cache_dir": Key("cache_dir", "cache_dir", _str, env=ENV_CACHE, is_path=True),
    "no_cache": Key("no_cache", "no_cache", _bool),
    "refresh": Key("refresh", "refresh", _bool),
    "lock_timeout": Key("lock_timeout", "lock_timeout", _number(0)),
    "verbose": Key("verbose", "verbose", _bool),
    "empty_days": Key("empty_days", "empty_days", _bool),
    "yes": Key("yes", "yes", _bool),
    "quiet": Key("quiet", "quiet", _bool),
    "templates": Key("templates", None, _str, is_path=True),
}
MODEL_KEYS: dict[str, Key] = {
    "path": Key("model_path", "model_path", _str, env=ENV_MODEL, is_path=True),
    "ctx": Key("ctx", "n_ctx", _int(512)),
    "threads": Key("threads", "threads", _int(1)),
    "gpu_layers": Key("gpu_layers", "gpu_layers", _gpu_layers),
    "seed": Key("seed", "seed", _int()),
    "vote_method": Key("vote_method", "vote_method", _choice(VOTE_METHODS)),
    "server": Key("server", "server", _str),
    "server_model": Key("server_model", "server_model", _str),
    "api_key_env": Key("api_key_env", "api_key_env", _str),
    "parallel": Key("parallel", "parallel", _int(1)),
}
REPO_KEYS = ("path", "name", "ref", "commit_url", "include", "exclude", "context", "upstream")
IMPORTANCE_KEYS = ("paths", "subjects")
TABLES = ("model", "repos", "importance")


# ---------------------------------------------------------------------------------------------- globs and rules

def glob_regex(pattern: str) -> re.Pattern:
    """A path glob from the repository root: `*` within a directory, `**` across them, `?`, `[abc]`, `[!abc]`.

    A pattern also matches everything below a directory it matches (`vendor` and `vendor/**` are the same)."""
    if not pattern or pattern.startswith("/"):
        raise ValueError("a path from the repository root, without a leading /, e.g. \"vendor/**\"")
    out, i, n = [], 0, len(pattern)
    while i < n:
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            j = i + 1
            if j < n and pattern[j] == "!":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            end = pattern.find("]", j)
            if end == -1:
                raise ValueError(f"an unclosed [ at position {i + 1}")
            body = pattern[i + 1:end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    try:
        return re.compile("".join(out).rstrip("/") + "(?:/.*)?$")
    except re.error as exc:
        raise ValueError(f"a valid glob ({exc})") from None


@dataclass
class RepoOptions:
    """One [[repos]] table: what it changes for that repository."""

    path: str
    name: str | None = None
    ref: str | None = None
    commit_url: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    context: str | None = None
    upstream: str | None = None  # an internal fork's upstream: a ref or remote-tracking branch
    _include: list[re.Pattern] = field(default_factory=list, repr=False)
    _exclude: list[re.Pattern] = field(default_factory=list, repr=False)

    def keeps(self, paths: list[str]) -> bool:
        """Kept when some changed file is included (any, without include) and not excluded; no files: kept."""
        if not paths:
            return True
        return any((not self._include or any(p.match(path) for p in self._include))
                   and not any(p.match(path) for p in self._exclude) for path in paths)


def context_key(context: str | None) -> tuple:
    """The cache key part of a repository context: nothing when unset, so existing entries stay valid."""
    return ("context", hashlib.sha256(context.encode("utf-8")).hexdigest()[:16]) if context else ()


@dataclass(frozen=True)
class TeamRule:
    """One [importance] entry: a path glob or a subject regex, and the tier it sets.

    A path rule raises the importance to its tier when ANY changed file matches (a floor), and also
    caps it at its tier when EVERY changed file matches (a ceiling). A subject rule does both when the
    subject matches. A floor at "low" or a ceiling at "high" changes nothing and is not reported."""

    kind: str  # "path" or "subject"
    pattern: str
    tier: str
    regex: re.Pattern = field(compare=False)

    def bounds(self, facts) -> tuple[bool, bool]:
        """(floor applies, ceiling applies) for one commit."""
        if self.kind == "subject":
            hit = bool(self.regex.search(facts.subject))
            return hit, hit
        hits = [bool(self.regex.match(change.path)) for change in facts.files]
        return any(hits), bool(hits) and all(hits)


# ---------------------------------------------------------------------------------------------- the file

@dataclass
class ConfigFile:
    path: Path
    text: str
    data: dict

    @property
    def shown(self) -> str:
        try:
            return os.path.relpath(self.path)
        except ValueError:
            return str(self.path)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def line_of(self, key: str, table: str | None = None, index: int = 0) -> int | None:
        """The line of `key =` (inside [table], the index-th [[table]] when repeated), found by scanning the text."""
        lines = self.text.splitlines()
        start = 0
        if table:
            header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?$")
            found = [n for n, line in enumerate(lines) if header.match(line)]
            if len(found) > index:
                start = found[index]
                if key == table:
                    return start + 1
        quoted = re.escape(json.dumps(key, ensure_ascii=False))
        pattern = re.compile(rf"^\s*({re.escape(key)}|{quoted}|'{re.escape(key)}')\s*=|{quoted}\s*=")
        for n in range(start, len(lines)):
            if n > start and table is None and lines[n].lstrip().startswith("["):
                break  # top-level keys end at the first table
            if pattern.search(lines[n]):
                return n + 1
        return None

    def where(self, key: str, table: str | None = None, index: int = 0) -> str:
        line = self.line_of(key, table, index)
        return f"{self.shown}:{line}" if line else self.shown

    def error(self, key: str, problem: str, hint: str, table: str | None = None, index: int = 0) -> UsageError:
        name = f"{table}.{key}" if table and table != "repos" else (f"repos[{index}].{key}" if table else key)
        return UsageError(f"{self.where(key, table, index)}: {name}: {problem}", hint)


def find_config(explicit: str | None) -> Path | None:
    """--config PATH, else $OFFLINE_REPORT_CONFIG, else ./offline-report.toml; None when there is none."""
    for given, how in ((explicit, "--config"), (os.environ.get(ENV_CONFIG), f"${ENV_CONFIG}")):
        if given:
            path = Path(given).expanduser()
            if not path.is_file():
                raise UsageError(f"{how} {given}: no such file",
                                 f"check the path, or run `offline-report init` to write a starter {CONFIG_NAME}")
            return path.resolve()
    local = Path(CONFIG_NAME)
    return local.resolve() if local.is_file() else None


def read_config(path: Path) -> ConfigFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}", "check the file's permissions and that it is UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}", "fix the line it names (https://toml.io)") from None
    return ConfigFile(path, text, data)


def _unknown(cfg: ConfigFile, key: str, known, table: str | None = None, index: int = 0) -> UsageError:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.5)
    hint = (f"did you mean {close[0]!r}? " if close else "") + "known keys here: " + ", ".join(known)
    return cfg.error(key, "unknown key", hint, table, index)


def _checked(cfg: ConfigFile, spec: Key, key: str, value, table: str | None = None):
    try:
        value = spec.check(value)
    except TypeError as exc:
        raise cfg.error(key, f"wrong type ({type(value).__name__})", f"write {exc}", table) from None
    except ValueError as exc:
        raise cfg.error(key, f"bad value {value!r}", f"use {exc}", table) from None
    if spec.is_path:
        value = str((cfg.folder / Path(value).expanduser()))
    return value


@dataclass
class FileSettings:
    """What the file sets: Settings fields with the line each came from, repositories and team rules."""

    config: ConfigFile
    values: dict[str, tuple[Any, str]] = field(default_factory=dict)  # file key -> (value for Settings, where)
    repos: list[RepoOptions] = field(default_factory=list)
    rules: list[TeamRule] = field(default_factory=list)


def parse(cfg: ConfigFile) -> FileSettings:
    """Every key checked before anything runs: unknown keys, types, globs, regexes, repository paths."""
    out = FileSettings(cfg)
    for key, value in cfg.data.items():
        if key in TABLES:
            continue
        if key not in TOP_KEYS:
            raise _unknown(cfg, key, [*TOP_KEYS, *TABLES])
        out.values[key] = (_checked(cfg, TOP_KEYS[key], key, value), cfg.where(key))
    model = cfg.data.get("model", {})
    if not isinstance(model, dict):
        raise cfg.error("model", "must be a table", "write a [model] section with path, ctx, threads, ...")
    for key, value in model.items():
        if key not in MODEL_KEYS:
            raise _unknown(cfg, key, MODEL_KEYS, "model")
        out.values[f"model.{key}"] = (_checked(cfg, MODEL_KEYS[key], key, value, "model"), cfg.where(key, "model"))
    if "templates" in out.values:
        _check_templates(cfg, out.values["templates"][0])
    out.repos = _parse_repos(cfg)
    out.rules = _parse_importance(cfg)
    return out


def _parse_repos(cfg: ConfigFile) -> list[RepoOptions]:
    repos = cfg.data.get("repos", [])
    if not isinstance(repos, list) or not all(isinstance(r, dict) for r in repos):
        raise cfg.error("repos", "must be [[repos]] tables", "write one [[repos]] section per repository, with path = ...")
    result = []
    for index, table in enumerate(repos):
        def fail(key, problem, hint):
            return cfg.error(key, problem, hint, "repos", index)
        for key in table:
            if key not in REPO_KEYS:
                raise _unknown(cfg, key, REPO_KEYS, "repos", index)
        if "path" not in table:
            raise UsageError(f"{cfg.where('repos', None)}: repos[{index}] has no path",
                             "add path = \"/srv/git/name\" (relative paths start at the file's directory)")
        for key in ("path", "name", "ref", "commit_url", "context", "upstream"):
            if key in table and not isinstance(table[key], str):
                raise fail(key, f"wrong type ({type(table[key]).__name__})", "write a string")
        path = (cfg.folder / Path(table["path"]).expanduser())
        if not path.is_dir():
            raise fail("path", f"no such directory: {path}",
                       "clone the repository there, or fix the path (relative paths start at the file's directory)")
        globs: dict[str, tuple[list[str], list[re.Pattern]]] = {}
        for key in ("include", "exclude"):
            patterns = table.get(key, [])
            if isinstance(patterns, str):
                patterns = [patterns]
            if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
                raise fail(key, "wrong type", 'write a list of path globs, e.g. ["vendor/**", "third_party/**"]')
            compiled = []
            for pattern in patterns:
                try:
                    compiled.append(glob_regex(pattern))
                except ValueError as exc:
                    raise fail(key, f"bad glob {pattern!r}", f"write {exc}") from None
            globs[key] = (patterns, compiled)
        result.append(RepoOptions(path=os.path.realpath(path), name=table.get("name"), ref=table.get("ref"),
                                  commit_url=table.get("commit_url"), include=tuple(globs["include"][0]),
                                  exclude=tuple(globs["exclude"][0]), context=table.get("context") or None,
                                  upstream=table.get("upstream") or None,
                                  _include=globs["include"][1], _exclude=globs["exclude"][1]))
    return result


def _parse_importance(cfg: ConfigFile) -> list[TeamRule]:
    table = cfg.data.get("importance", {})
    if not isinstance(table, dict):
        raise cfg.error("importance", "must be a table", "write an [importance] section with paths and subjects")
    rules = []
    for key, value in table.items():
        if key not in IMPORTANCE_KEYS:
            raise _unknown(cfg, key, IMPORTANCE_KEYS, "importance")
        if not isinstance(value, dict):
            raise cfg.error(key, "wrong type", f'write {key} = {{"pattern" = "high"}}', "importance")
        for pattern, tier in value.items():
            if tier not in TIERS:
                raise cfg.error(pattern, f"bad tier {tier!r}", "use \"high\", \"medium\" or \"low\"", "importance")
            try:
                regex = glob_regex(pattern) if key == "paths" else re.compile(pattern)
            except ValueError as exc:
                raise cfg.error(pattern, "bad glob", f"write {exc}", "importance") from None
            except re.error as exc:
                raise cfg.error(pattern, f"bad regular expression ({exc})",
                                "fix the pattern (Python re syntax; escape literal characters like ( or [)",
                                "importance") from None
            rules.append(TeamRule("path" if key == "paths" else "subject", pattern, tier, regex))
    return rules


def _check_templates(cfg: ConfigFile, folder: str) -> None:
    """A team template folder must exist, and its templates must parse."""
    import jinja2

    root = Path(folder)
    if not root.is_dir():
        raise cfg.error("templates", f"no such directory: {root}",
                        "create it with your *.j2 files (relative paths start at the file's directory)")
    for path in sorted(root.glob("*.j2")):
        try:
            jinja2.Environment().parse(path.read_text(encoding="utf-8"), name=path.name, filename=str(path))
        except jinja2.TemplateSyntaxError as exc:
            raise UsageError(f"{path}:{exc.lineno}: template error: {exc.message}",
                             "fix the template, or remove it to use the built-in one") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read template {path}: {exc}", "save it as UTF-8 text") from None


# ---------------------------------------------------------------------------------------------- precedence

def _given(ctx: click.Context, param: str | None) -> bool:
    """Whether the command line (or a click envvar) gave this parameter."""
    if param is None or param not in ctx.params:
        return False
    source = ctx.get_parameter_source(param)
    return source is not None and source not in (click.core.ParameterSource.DEFAULT,
                                                 click.core.ParameterSource.DEFAULT_MAP)


def _option_name(param: str) -> str:
    return {"to_stdout": "--stdout", "tz_name": "--tz", "fmt": "--format", "n_ctx": "--ctx",
            "model_path": "--model"}.get(param, "--" + param.replace("_", "-"))


def _set(settings: Settings, spec: Key, value) -> None:
    if spec.invert:
        value = not value
    if spec.field in ("output_dir", "cache_dir", "templates") and value is not None:
        value = Path(value)
    setattr(settings, spec.field, value)


def apply_config(settings: Settings, ctx: click.Context, explicit: str | None = None) -> dict[str, str]:
    """Fills `settings` (built from the command line and defaults) from the file, where nothing beats it.

    Returns where each file key's value came from: "command line (--lang)", "$OFFLINE_REPORT_MODEL",
    "offline-report.toml:3" or "default"."""
    path = find_config(explicit)
    parsed = parse(read_config(path)) if path else None
    settings.config_path = path
    sources: dict[str, str] = {}
    for table, keys in ((None, TOP_KEYS), ("model", MODEL_KEYS)):
        for key, spec in keys.items():
            name = f"{table}.{key}" if table else key
            if _given(ctx, spec.param):
                sources[name] = f"command line ({_option_name(spec.param)})"
            elif spec.env and os.environ.get(spec.env):
                sources[name] = f"${spec.env}"
            elif parsed and name in parsed.values:
                value, where = parsed.values[name]
                _set(settings, spec, value)
                sources[name] = where
            else:
                sources[name] = "default"
    if parsed:
        if _given(ctx, "repos"):
            sources["repos"] = "command line (--repo)"
        elif parsed.repos:
            settings.repos = [r.path for r in parsed.repos]
            sources["repos"] = parsed.config.where("repos", "repos")
        settings.repo_options = {r.path: r for r in parsed.repos}
        settings.team_rules = list(parsed.rules)
        if parsed.rules:
            sources["importance"] = parsed.config.where("importance", "importance")
    return sources


# ---------------------------------------------------------------------------------------------- config and init

def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Path):
        value = str(value)
    return json.dumps(value, ensure_ascii=False)


def effective_lines(settings: Settings, sources: dict[str, str]) -> list[str]:
    """The effective settings as TOML, each with where it came from (`offline-report config`)."""
    rows: list[tuple[str, str]] = []
    if settings.config_path:
        rows.append((f"# file: {settings.config_path}", ""))
    else:
        rows.append((f"# no {CONFIG_NAME} here (nor --config, nor ${ENV_CONFIG})", ""))
    for table, keys in ((None, TOP_KEYS), ("model", MODEL_KEYS)):
        if table:
            rows.append(("", ""))
            rows.append((f"[{table}]", ""))
        for key, spec in keys.items():
            name = f"{table}.{key}" if table else key
            value = getattr(settings, spec.field, None)
            if spec.invert:
                value = not value
            if value is None and spec.env and os.environ.get(spec.env):
                value = os.environ[spec.env]
            text = f"{key} = {_toml_value(value)}" if value is not None else f"# {key} (not set)"
            rows.append((text, sources.get(name, "default")))
    for opts in settings.repo_options.values():
        rows += [("", ""), ("[[repos]]", sources.get("repos", "")), (f"path = {_toml_value(opts.path)}", "")]
        for key in ("name", "ref", "commit_url", "context", "upstream"):
            if getattr(opts, key):
                rows.append((f"{key} = {_toml_value(getattr(opts, key))}", ""))
        for key in ("include", "exclude"):
            if getattr(opts, key):
                rows.append((f"{key} = {json.dumps(list(getattr(opts, key)))}", ""))
    if not settings.repo_options:
        rows.append(("", ""))
        rows.append((f"# repos = {json.dumps([str(r) for r in settings.repos])}", sources.get("repos", "default")))
    if settings.team_rules:
        rows += [("", ""), ("[importance]", sources.get("importance", ""))]
        for kind in ("path", "subject"):
            rules = [r for r in settings.team_rules if r.kind == kind]
            if rules:
                inner = ", ".join(f"{json.dumps(r.pattern)} = {json.dumps(r.tier)}" for r in rules)
                rows.append((f"{kind}s = {{{inner}}}", ""))
    width = max(len(text) for text, _ in rows)
    return [f"{text:<{width}}   # {src}" if src else text for text, src in rows]


STARTER = '''\
# offline-report.toml: the settings of this team's report runs (see `offline-report config`).
# Precedence: command line > environment (OFFLINE_REPORT_MODEL, OFFLINE_REPORT_CACHE) > this file > defaults.
# Relative paths start at this file's directory.

# lang = "en"                 # report language: en or zh
# tz = "Asia/Shanghai"        # IANA zone of the day windows, or "local"
# output_dir = "reports"      # where the day files go
# format = "md"               # md or json
# ref = "HEAD"                # branch, tag or commit to walk from
# no_merges = false
# commit_url = "https://git.example.com/x/y/-/commit/{sha}"
# no_llm = false              # true: every analysis is built by rules
# cache_dir = "/var/cache/offline-report"
# lock_timeout = 600
# empty_days = false
# quiet = false
# templates = "templates"     # *.j2 files here replace the built-in ones of the same name

# [model]
# path = "models/qwen2.5-7b-instruct-q4_k_m.gguf"
# ctx = 4096
# threads = 8
# gpu_layers = "auto"         # a number, "all" or "auto"
# seed = 1234
# vote_method = "score"       # score or json
# server = "http://gpu-box:8080/v1"   # an OpenAI-compatible server instead of a local model
# server_model = "qwen2.5-7b"
# api_key_env = "GPU_BOX_KEY" # the variable holding the key, never the key
# parallel = 4

# [importance]                # applied after the built-in rules; shown as "team rule" reasons
# paths = {"src/security/**" = "high", "docs/**" = "low"}
# subjects = {"^revert" = "medium"}

# One [[repos]] table per repository.
[[repos]]
path = "."
# name = "acme/dynamo"        # the section title
# ref = "main"
# include = ["src/**"]        # only commits touching these paths
# exclude = ["vendor/**"]     # commits touching only these paths are left out
# context = "The inference router; latency matters more than throughput."
# upstream = "upstream/main"  # an internal fork's upstream: syncs name the fork's files they touch again
'''


def write_starter(explicit: str | None) -> Path:
    """A commented offline-report.toml; never overwrites one."""
    path = Path(explicit or os.environ.get(ENV_CONFIG) or CONFIG_NAME)
    if path.exists():
        raise UsageError(f"{path} already exists; init never overwrites it",
                         "edit it, remove it first, or pass another file with --config PATH")
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(STARTER)
    except FileExistsError:
        raise UsageError(f"{path} already exists; init never overwrites it", "edit it, or remove it first") from None
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}", "run init in a writable directory") from None
    return path
