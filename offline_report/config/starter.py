"""`offline-report init`: the commented starter offline-report.toml, written once, never over a file."""

from __future__ import annotations

import os
from pathlib import Path

from .file import CONFIG_NAME, ENV_CONFIG
from .settings_table import SETTINGS
from ..errors import UsageError

HEADER = """\
# offline-report.toml: the settings of this team's report runs (see `offline-report config`).
# Precedence: command line > environment ({envs}) > this file > defaults;
# every true/false key has both forms on the command line (--quiet/--no-quiet, --no-llm/--llm, ...).
# Relative paths start at this file's directory.
"""
FOOTER = """
# [importance]                # applied after the built-in rules; shown as "team rule" reasons
# paths = {"src/security/**" = "high", "docs/**" = "low"}
# subjects = {"^revert" = "medium"}

# One [[repos]] table per repository; without any, a run reads the clone it is started in (or --repo).
# [[repos]]
# path = "/srv/git/dynamo"    # relative paths start at this file's directory
# name = "acme/dynamo"        # the section title
# ref = "main"
# include = ["src/**"]        # only commits touching these paths
# exclude = ["vendor/**"]     # commits touching only these paths are left out
# context = "The inference router; latency matters more than throughput."
# upstream = "upstream/main"  # an internal fork's upstream: syncs name the fork's files they touch again
"""
NOTE_COLUMN = 30


def starter_text() -> str:
    """The starter file: each setting with an example (settings_table.py), commented out, by table."""
    envs = ", ".join(row.env for row in SETTINGS if row.env and row.key)
    lines, table = [HEADER.format(envs=envs)], None
    for row in sorted((row for row in SETTINGS if row.key and row.example), key=lambda row: row.table or ""):
        if row.table != table:
            table = row.table
            lines.append(f"\n# [{table}]")
        value, _, note = row.example.partition("#")
        line = f"# {row.file_key} = {value.strip()}"
        lines.append(f"{line:<{NOTE_COLUMN}}# {note.strip()}" if note else line)
    return "\n".join(lines) + "\n" + FOOTER


def write_starter(explicit: str | None) -> Path:
    """A commented offline-report.toml; never overwrites one."""
    path = Path(explicit or os.environ.get(ENV_CONFIG) or CONFIG_NAME)
    if path.exists():
        raise UsageError("init_exists", path=path)
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(starter_text())
    except FileExistsError:
        raise UsageError("init_exists", "init_exists_now", path=path) from None
    except OSError as exc:
        raise UsageError("init_cannot_write", path=path, detail=exc.strerror or str(exc)) from None
    return path
