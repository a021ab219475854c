"""Every merged setting checked before a run starts (and by `offline-report config`), each error naming its source."""

from __future__ import annotations

import os
from pathlib import Path

from . import Settings, values
from .settings_table import SETTINGS
from ..errors import OutputError, RepoError, UsageError


def check_settings(settings: Settings) -> None:
    """What a run would refuse, refused now: each value by its row's check, then what values say together."""
    _check_values(settings)
    _check_server_key(settings)
    _check_folders(settings)
    _check_repos(settings)


def _check_values(settings: Settings) -> None:
    """Every setting's one check (settings_table.py), whichever source gave the value."""
    for row in SETTINGS:
        value = getattr(settings, row.name)
        if value is None or value == row.default:
            continue
        try:
            row.check(value)
        except (TypeError, ValueError) as exc:
            raise values.refusal(settings.named(row.name), value, exc) from None


def _check_server_key(settings: Settings) -> None:
    if settings.server and settings.api_key_env and not os.environ.get(settings.api_key_env):
        raise UsageError(f"{settings.named('api_key_env')} {settings.api_key_env}: "
                         "that environment variable is not set",
                         f"export {settings.api_key_env}=<token> before the run, or leave --api-key-env out")


def _check_folders(settings: Settings) -> None:
    if not settings.stdout:
        _not_a_file(settings.output_dir, f"cannot write to {settings.label('output_dir', '--output-dir')}",
                    "choose a writable --output-dir, or use --stdout")
    if settings.cache_dir is not None and not settings.no_cache:
        _not_a_file(settings.cache_dir, f"cannot open the cache in {settings.label('cache_dir', '--cache-dir')}",
                    "choose a writable --cache-dir, or run with --no-cache")


def _not_a_file(path: Path, problem: str, hint: str) -> None:
    """A folder the run writes into must not be a file (or lie under one)."""
    for folder in (Path(path), *Path(path).parents):
        if folder.exists():
            if not folder.is_dir():
                raise OutputError(f"{problem} {path}: {folder} is a file, not a directory", hint)
            return


def _check_repos(settings: Settings) -> None:
    seen: dict[str, str] = {}
    for given in settings.repos:
        if not os.path.exists(given):
            raise RepoError(f"repository path does not exist: {given}", "check the --repo path")
        if not os.path.isdir(given):
            raise RepoError(f"--repo is not a directory: {given}", "pass the directory of a git clone")
        real = os.path.realpath(given)
        if real in seen:
            same = f" (the same directory as {seen[real]})" if seen[real] != given else ""
            raise UsageError(f"--repo {given} is given twice{same}",
                             "name each repository once: two sections with the same anchors would be written")
        seen[real] = given
