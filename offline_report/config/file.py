"""offline-report.toml: found, read, and every key checked (with its line) before a run; merge.py merges it."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..analysis_spec import TIERS
from . import FORMATS, LANGS, VOTE_METHODS, values
from ..errors import UsageError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

CONFIG_NAME = "offline-report.toml"
ENV_CONFIG = "OFFLINE_REPORT_CONFIG"
ENV_MODEL = "OFFLINE_REPORT_MODEL"
ENV_CACHE = "OFFLINE_REPORT_CACHE"


@dataclass(frozen=True)
class Key:
    """One key of the file: the Settings field it sets, the command-line parameter that beats it, its check."""

    field: str
    param: str | None
    check: Callable[[Any], Any]
    env: str | None = None  # an environment variable that beats the file
    is_path: bool = False  # relative to the file's directory
    invert: bool = False  # no_llm sets use_llm


TOP_KEYS: dict[str, Key] = {
    "since": Key("since", "since", values.day),
    "until": Key("until", "until", values.day),
    "output_dir": Key("output_dir", "output_dir", values.text, is_path=True),
    "stdout": Key("stdout", "to_stdout", values.flag),
    "lang": Key("lang", "lang", values.choice(LANGS)),
    "tz": Key("tz_name", "tz_name", values.zone),
    "format": Key("fmt", "fmt", values.choice(FORMATS)),
    "ref": Key("ref", "ref", values.text),
    "no_merges": Key("no_merges", "no_merges", values.flag),
    "commit_url": Key("commit_url", "commit_url", values.commit_url),
    "no_llm": Key("use_llm", "no_llm", values.flag, invert=True),
    "cache_dir": Key("cache_dir", "cache_dir", values.text, env=ENV_CACHE, is_path=True),
    "no_cache": Key("no_cache", "no_cache", values.flag),
    "refresh": Key("refresh", "refresh", values.flag),
    "lock_timeout": Key("lock_timeout", "lock_timeout", values.number(0)),
    "verbose": Key("verbose", "verbose", values.flag),
    "empty_days": Key("empty_days", "empty_days", values.flag),
    "yes": Key("yes", "yes", values.flag),
    "quiet": Key("quiet", "quiet", values.flag),
    "exit_code_if_empty": Key("exit_code_if_empty", "exit_code_if_empty", values.exit_code),
    "force_model": Key("force_model", "force_model", values.flag),
    "keep_rejected": Key("keep_rejected", "keep_rejected", values.flag),
    "templates": Key("templates", None, values.text, is_path=True),
    "period": Key("period", "period", values.choice(("day", "week", "month"))),
    "rollups": Key("rollups", "rollups", values.periods),
}
MODEL_KEYS: dict[str, Key] = {
    "path": Key("model_path", "model_path", values.text, env=ENV_MODEL, is_path=True),
    "ctx": Key("ctx", "n_ctx", values.whole_number(512)),
    "threads": Key("threads", "threads", values.whole_number(1)),
    "gpu_layers": Key("gpu_layers", "gpu_layers", values.gpu_layers),
    "seed": Key("seed", "seed", values.whole_number()),
    "vote_method": Key("vote_method", "vote_method", values.choice(VOTE_METHODS)),
    "server": Key("server", "server", values.server_url),
    "server_model": Key("server_model", "server_model", values.text),
    "api_key_env": Key("api_key_env", "api_key_env", values.text),
    "parallel": Key("parallel", "parallel", values.whole_number(1)),
}
REPO_KEYS = ("path", "name", "ref", "commit_url", "include", "exclude", "context", "upstream")
IMPORTANCE_KEYS = ("paths", "subjects")
TABLES = ("model", "repos", "importance")


# ---------------------------------------------------------------------------------------------- globs and rules

def glob_regex(pattern: str) -> re.Pattern:
    """A path glob from the repository root: `*` within a directory, `**` across them, `?`, `[abc]`, `[!abc]`.

    A pattern also matches everything below a directory it matches (`vendor` and `vendor/**` are the same)."""
    if not pattern:
        raise ValueError("the glob is empty")
    if pattern.startswith("/"):
        raise ValueError("it starts with / (globs start at the repository root)")
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
                raise ValueError(f"the [ at position {i + 1} is never closed")
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
        raise ValueError(f"it is not a valid glob ({exc})") from None


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
    where: str = field(default="", repr=False, compare=False)  # "offline-report.toml:12": the table's line
    _include: list[re.Pattern] = field(default_factory=list, repr=False)
    _exclude: list[re.Pattern] = field(default_factory=list, repr=False)

    def keeps(self, paths: list[str]) -> bool:
        """Kept when some changed file is included (any, without include) and not excluded; no files: kept."""
        if not paths:
            return True
        return any((not self._include or any(p.match(path) for p in self._include))
                   and not any(p.match(path) for p in self._exclude) for path in paths)


GLOB_HINT = ('write a path from the repository root without a leading /, close every [ with ], e.g. '
             '"vendor/**" or "src/*.py"')


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
    seen: dict[str, int] = {}  # real path -> index of its table
    for index, table in enumerate(repos):
        def fail(key, problem, hint):
            return cfg.error(key, problem, hint, "repos", index)
        for key in table:
            if key not in REPO_KEYS:
                raise _unknown(cfg, key, REPO_KEYS, "repos", index)
        if "path" not in table:
            raise UsageError(f"{cfg.where('repos', 'repos', index)}: repos[{index}] has no path",
                             "add path = \"/srv/git/name\" (relative paths start at the file's directory)")
        for key in ("path", "name", "ref", "commit_url", "context", "upstream"):
            if key in table and not isinstance(table[key], str):
                raise fail(key, f"wrong type ({type(table[key]).__name__})", "write a string")
        if "commit_url" in table and "{sha}" not in table["commit_url"]:
            raise fail("commit_url", f"no {{sha}} in {table['commit_url']!r}",
                       'write the link with {sha} where the commit id goes, e.g. "https://git.example.com/x/y/-/commit/{sha}"')
        path = (cfg.folder / Path(table["path"]).expanduser())
        if not path.is_dir():
            raise fail("path", f"no such directory: {path}",
                       "clone the repository there, or fix the path (relative paths start at the file's directory)")
        real = os.path.realpath(path)
        if real in seen:
            raise fail("path", f"the same repository as repos[{seen[real]}] ({cfg.where('repos', 'repos', seen[real])})",
                       "keep one [[repos]] table per repository")
        seen[real] = index
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
                    raise fail(key, f"bad glob {pattern!r}: {exc}", GLOB_HINT) from None
            globs[key] = (patterns, compiled)
        result.append(RepoOptions(path=real, name=table.get("name"), ref=table.get("ref"),
                                  commit_url=table.get("commit_url"), include=tuple(globs["include"][0]),
                                  exclude=tuple(globs["exclude"][0]), context=table.get("context") or None,
                                  upstream=table.get("upstream") or None,
                                  _include=globs["include"][1], _exclude=globs["exclude"][1],
                                  where=cfg.where("repos", "repos", index)))
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
                raise cfg.error(pattern, f"bad glob: {exc}", GLOB_HINT, "importance") from None
            except re.error as exc:
                raise cfg.error(pattern, f"bad regular expression ({exc})",
                                "fix the pattern (Python re syntax; escape literal characters like ( or [)",
                                "importance") from None
            rules.append(TeamRule("path" if key == "paths" else "subject", pattern, tier, regex))
    return rules


def _check_templates(cfg: ConfigFile, folder: str) -> None:
    """A team template folder must exist, and its templates must compile with the filters a run gives them (a
    syntax error or an unknown filter is found now, not after the analyses)."""
    import jinja2

    from ..report.render import html_environment

    root = Path(folder)
    if not root.is_dir():
        raise cfg.error("templates", f"no such directory: {root}",
                        "create it with your *.j2 files (relative paths start at the file's directory)")
    env = html_environment(root)
    for path in sorted(root.glob("*.j2")):
        try:
            source = path.read_text(encoding="utf-8")
            env.compile(source, name=path.name, filename=str(path))
        except jinja2.TemplateSyntaxError as exc:  # an unknown filter or test too (TemplateAssertionError)
            raise UsageError(f"{path}:{exc.lineno}: template error: {exc.message}",
                             "fix the template, or remove it to use the built-in one") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read template {path}: {exc}", "save it as UTF-8 text") from None
