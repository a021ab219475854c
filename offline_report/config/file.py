"""offline-report.toml: found, read, and every key checked (with its line) before a run; merge.py merges it."""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import ENV_CONFIG
from ..analysis_spec import TIERS
from ..catalog import Phrase
from ..errors import UsageError
from . import values
from .settings_table import BY_KEY, FILE_TABLES, Setting

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

CONFIG_NAME = "offline-report.toml"

REPO_KEYS = ("path", "name", "ref", "commit_url", "include", "exclude", "context", "upstream")
IMPORTANCE_KEYS = ("paths", "subjects")
TABLES = (*FILE_TABLES, "repos", "importance")


# ---------------------------------------------------------------------------------------------- globs and rules

def glob_regex(pattern: str) -> re.Pattern:
    """A path glob from the repository root: `*` within a directory, `**` across them, `?`, `[abc]`, `[!abc]`.

    A pattern also matches everything below a directory it matches (`vendor` and `vendor/**` are the same)."""
    if not pattern:
        raise ValueError(Phrase("problems", "glob_empty"))
    if pattern.startswith("/"):
        raise ValueError(Phrase("problems", "glob_absolute"))
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
                raise ValueError(Phrase("problems", "glob_unclosed", position=i + 1))
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
        raise ValueError(Phrase("problems", "glob_invalid", detail=str(exc))) from None


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

    def error(self, key: str, problem: str, hint: str, table: str | None = None, index: int = 0,
              **values) -> UsageError:
        """`where: key: problem` ([problems] `problem`), and what to do ([hints] `hint`); values fill both."""
        name = f"{table}.{key}" if table and table != "repos" else (f"repos[{index}].{key}" if table else key)
        return UsageError("in_file", hint, where=self.where(key, table, index), name=name,
                          problem=Phrase("problems", problem, **values), **values)


def find_config(explicit: str | None) -> Path | None:
    """--config PATH, else $OFFLINE_REPORT_CONFIG, else ./offline-report.toml; None when there is none."""
    for given, how in ((explicit, "--config"), (os.environ.get(ENV_CONFIG), f"${ENV_CONFIG}")):
        if given:
            path = Path(given).expanduser()
            if not path.is_file():
                raise UsageError("config_missing", how=how, path=given, name=CONFIG_NAME)
            return path.resolve()
    local = Path(CONFIG_NAME)
    return local.resolve() if local.is_file() else None


def read_config(path: Path) -> ConfigFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError("config_unreadable", path=path, detail=str(exc)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError("config_not_toml", path=path, detail=str(exc)) from None
    return ConfigFile(path, text, data)


def _keys(table: str | None) -> list[str]:
    """The keys the file takes at the top (None) or in one of its tables."""
    return [row.file_key for row in BY_KEY.values() if row.table == table]


def _unknown(cfg: ConfigFile, key: str, known, table: str | None = None, index: int = 0) -> UsageError:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.5)
    return cfg.error(key, "unknown_key", "unknown_key_close" if close else "unknown_key", table, index,
                     close=close[0] if close else "", known=", ".join(known))


def _checked(cfg: ConfigFile, row: Setting, value, table: str | None = None):
    try:
        value = row.check(value)
    except (TypeError, ValueError) as exc:
        name = f"{table}.{row.file_key}" if table else row.file_key
        raise values.refusal(f"{cfg.where(row.file_key, table)}: {name}", value, exc) from None
    if row.relative:
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
        if BY_KEY.get(key) is None:
            raise _unknown(cfg, key, [*_keys(None), *TABLES])
        out.values[key] = (_checked(cfg, BY_KEY[key], value), cfg.where(key))
    for table in FILE_TABLES:
        section = cfg.data.get(table, {})
        if not isinstance(section, dict):
            raise cfg.error(table, "not_a_table", "write_table", section=table, keys=", ".join(_keys(table)))
        for key, value in section.items():
            if BY_KEY.get(f"{table}.{key}") is None:
                raise _unknown(cfg, key, _keys(table), table)
            out.values[f"{table}.{key}"] = (_checked(cfg, BY_KEY[f"{table}.{key}"], value, table),
                                            cfg.where(key, table))
    if "templates" in out.values:
        _check_templates(cfg, out.values["templates"][0])
    out.repos = _parse_repos(cfg)
    out.rules = _parse_importance(cfg)
    return out


def _parse_repos(cfg: ConfigFile) -> list[RepoOptions]:
    repos = cfg.data.get("repos", [])
    if not isinstance(repos, list) or not all(isinstance(r, dict) for r in repos):
        raise cfg.error("repos", "not_repos_tables", "write_repos")
    result = []
    seen: dict[str, int] = {}  # real path -> index of its table
    for index, table in enumerate(repos):
        def fail(key, problem, hint, **values):
            return cfg.error(key, problem, hint, "repos", index, **values)
        for key in table:
            if key not in REPO_KEYS:
                raise _unknown(cfg, key, REPO_KEYS, "repos", index)
        if "path" not in table:
            raise UsageError("repo_no_path", where=cfg.where("repos", "repos", index), index=index)
        for key in ("path", "name", "ref", "commit_url", "context", "upstream"):
            if key in table and not isinstance(table[key], str):
                raise fail(key, "wrong_type", "write_string", kind=type(table[key]).__name__)
        if "commit_url" in table:
            try:
                values.commit_url(table["commit_url"])
            except ValueError as exc:
                raise values.refusal(f"{cfg.where('commit_url', 'repos', index)}: repos[{index}].commit_url",
                                     table["commit_url"], exc) from None
        path = (cfg.folder / Path(table["path"]).expanduser())
        if not path.is_dir():
            raise fail("path", "no_directory", "clone_there", path=path)
        real = os.path.realpath(path)
        if real in seen:
            raise fail("path", "same_repository", "one_repos_table", other=seen[real],
                       other_where=cfg.where("repos", "repos", seen[real]))
        seen[real] = index
        globs: dict[str, tuple[list[str], list[re.Pattern]]] = {}
        for key in ("include", "exclude"):
            patterns = table.get(key, [])
            if isinstance(patterns, str):
                patterns = [patterns]
            if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
                raise fail(key, "wrong_type_list", "write_globs")
            compiled = []
            for pattern in patterns:
                try:
                    compiled.append(glob_regex(pattern))
                except ValueError as exc:
                    raise fail(key, "bad_glob", "glob", pattern=pattern, detail=exc.args[0]) from None
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
        raise cfg.error("importance", "not_a_table", "write_importance", section="importance")
    rules = []
    for key, value in table.items():
        if key not in IMPORTANCE_KEYS:
            raise _unknown(cfg, key, IMPORTANCE_KEYS, "importance")
        if not isinstance(value, dict):
            raise cfg.error(key, "wrong_type_list", "write_rule", "importance", rule_key=key)
        for pattern, tier in value.items():
            if tier not in TIERS:
                raise cfg.error(pattern, "bad_tier", "tiers", "importance", tier=tier)
            try:
                regex = glob_regex(pattern) if key == "paths" else re.compile(pattern)
            except ValueError as exc:
                raise cfg.error(pattern, "bad_rule_glob", "glob", "importance", detail=exc.args[0]) from None
            except re.error as exc:
                raise cfg.error(pattern, "bad_regex", "regex", "importance", detail=str(exc)) from None
            rules.append(TeamRule("path" if key == "paths" else "subject", pattern, tier, regex))
    return rules


def _check_templates(cfg: ConfigFile, folder: str) -> None:
    """A team template folder must exist (its templates are compiled by report/team_templates.check_templates)."""
    if not Path(folder).is_dir():
        raise cfg.error("templates", "no_directory", "templates_folder", path=folder)
