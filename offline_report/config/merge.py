"""Merging: command line > environment > offline-report.toml > defaults, and the effective settings shown."""

from __future__ import annotations

import json
import os
from pathlib import Path

from . import Settings
from ..catalog import words
from .file import CONFIG_NAME, ENV_CONFIG, find_config, parse, read_config
from .settings_table import BY_KEY, BY_NAME, SETTINGS

# A command-line option that makes the file's value of another key moot: (given, key it beats, Settings value).
OVERRIDES = (
    ("output_dir", "stdout", False),  # --output-dir X writes files there, whatever the file says of stdout
    ("last", "since", None),  # --last N replaces the file's date range
    ("last", "until", None),
    ("model_path", "model.server", None),  # --model PATH runs that file, not the file's server
)


def apply_config(settings: Settings, given: set[str], explicit: str | None = None) -> dict[str, str]:
    """Fills `settings` (built from the command line and defaults) from the file, where nothing beats it.

    `given` names the settings the user gave (on the command line, or as the API's arguments). Returns (and keeps
    in settings.sources) where each file key's value came from: "command line (--lang)", "$OFFLINE_REPORT_MODEL",
    "offline-report.toml:3" or "default"."""
    path = find_config(explicit)
    parsed = parse(read_config(path)) if path else None
    settings.config_path = path
    sources: dict[str, str] = {}
    for row in SETTINGS:
        if not row.key:
            continue
        if row.name in given:
            sources[row.key] = f"command line ({row.option})"
        elif row.env and os.environ.get(row.env):
            sources[row.key] = f"${row.env}"  # the consumer reads it (llm/models.py, cache.py)
        elif parsed and row.key in parsed.values:
            value, where = parsed.values[row.key]
            setattr(settings, row.name, row.convert(value))
            sources[row.key] = where
        else:
            sources[row.key] = "default"
    _command_line_overrides(settings, given, sources)
    if "repos" in given:
        sources["repos"] = "command line (--repo)"
    if parsed:
        if "repos" not in given and parsed.repos:
            settings.repos = [r.path for r in parsed.repos]
            sources["repos"] = parsed.repos[0].where
        settings.repo_options = {r.path: r for r in parsed.repos}
        settings.team_rules = list(parsed.rules)
        if parsed.rules:
            sources["importance"] = parsed.config.where("importance", "importance")
    settings.sources = sources
    return sources


def _command_line_overrides(settings: Settings, given: set[str], sources: dict[str, str]) -> None:
    """An option on the command line beats a file value it contradicts, even one of another key."""
    for name, key, value in OVERRIDES:
        row = BY_KEY[key]
        if name in given and row.name not in given and not sources.get(key, "default").startswith(
                ("default", "$", "command line")):
            setattr(settings, row.name, value)
            sources[key] = f"command line ({BY_NAME[name].option})"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Path):
        value = str(value)
    return json.dumps(value, ensure_ascii=False)


def _shown(lang: str, source: str) -> str:
    """Where a value came from, as `config` says it: the sources' own marks ("default", "command line (--x)") worded
    in the run's language; a file's line and an environment variable's name as they are."""
    if source == "default":
        return words(lang, "commands", "source_default")
    if source.startswith("command line (") and source.endswith(")"):
        return words(lang, "commands", "source_command_line", option=source[len("command line ("):-1])
    return source


def _repo_lines(settings: Settings, sources: dict[str, str], lang: str) -> list[tuple[str, str]]:
    """The repositories a run reads: the command line's list beats the file's [[repos]] tables, which then only
    lend their options to a repository the list names (the others are shown commented out, as overridden)."""
    from_command_line = sources.get("repos", "").startswith("command line")
    listed = {os.path.realpath(path) for path in settings.repos}
    rows: list[tuple[str, str]] = []
    if from_command_line or not settings.repo_options:
        prefix = "" if from_command_line else "# "
        rows += [("", ""), (f"{prefix}repos = {json.dumps([str(r) for r in settings.repos])}",
                            sources.get("repos", "default"))]
    for opts in settings.repo_options.values():
        used = not from_command_line or opts.path in listed
        mark = "" if used else "# "
        source = opts.where if used else words(lang, "commands", "source_overridden", where=opts.where)
        rows += [("", ""), (f"{mark}[[repos]]", source), (f"{mark}path = {_toml_value(opts.path)}", "")]
        for key in ("name", "ref", "commit_url", "context", "upstream"):
            if getattr(opts, key):
                rows.append((f"{mark}{key} = {_toml_value(getattr(opts, key))}", ""))
        for key in ("include", "exclude"):
            if getattr(opts, key):
                rows.append((f"{mark}{key} = {json.dumps(list(getattr(opts, key)))}", ""))
    return rows


def effective_lines(settings: Settings, sources: dict[str, str], lang: str = "en") -> list[str]:
    """The effective settings as TOML, each with where it came from (`offline-report config`), its comments in
    `lang`."""
    rows: list[tuple[str, str]] = []
    if settings.config_path:
        rows.append(("# " + words(lang, "commands", "config_file", path=settings.config_path), ""))
    else:
        rows.append(("# " + words(lang, "commands", "config_none", name=CONFIG_NAME, env=ENV_CONFIG), ""))
    table = None
    for row in sorted((row for row in SETTINGS if row.key), key=lambda row: row.table or ""):
        if row.table != table:
            table = row.table
            rows += [("", ""), (f"[{table}]", "")]
        value = getattr(settings, row.name, None)
        if value is None and row.env and os.environ.get(row.env):
            value = os.environ[row.env]
        text = (f"{row.file_key} = {_toml_value(value)}" if value is not None
                else "# " + words(lang, "commands", "config_not_set", setting=row.file_key))
        rows.append((text, sources.get(row.key, "default")))
    rows += _repo_lines(settings, sources, lang)
    if settings.team_rules:
        rows += [("", ""), ("[importance]", sources.get("importance", ""))]
        for kind in ("path", "subject"):
            rules = [r for r in settings.team_rules if r.kind == kind]
            if rules:
                inner = ", ".join(f"{json.dumps(r.pattern)} = {json.dumps(r.tier)}" for r in rules)
                rows.append((f"{kind}s = {{{inner}}}", ""))
    width = max(_width(text) for text, _ in rows)
    return [f"{text}{' ' * (width - _width(text))}   # {_shown(lang, src)}" if src else text for text, src in rows]


def _width(text: str) -> int:
    """Columns on a terminal: a wide (CJK) character takes two, so the source comments line up in Chinese too."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
