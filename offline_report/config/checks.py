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
        raise UsageError("api_key_unset", label=settings.named("api_key_env"), name=settings.api_key_env)


def _check_folders(settings: Settings) -> None:
    if not settings.stdout:
        _not_a_file(settings.output_dir, "output_dir_is_file", settings.label("output_dir", "--output-dir"),
                    "output_dir")
    if settings.cache_dir is not None and not settings.no_cache:
        _not_a_file(settings.cache_dir, "cache_dir_is_file", settings.label("cache_dir", "--cache-dir"), "cache_dir")


def _not_a_file(path: Path, code: str, label: str, hint: str) -> None:
    """A folder the run writes into must not be a file (or lie under one)."""
    for folder in (Path(path), *Path(path).parents):
        if folder.exists():
            if not folder.is_dir():
                raise OutputError(code, hint, label=label, path=path, folder=folder)
            return


def _check_repos(settings: Settings) -> None:
    seen: dict[str, str] = {}
    for given in settings.repos:
        if not os.path.exists(given):
            raise RepoError("repo_missing", path=given)
        if not os.path.isdir(given):
            raise RepoError("repo_not_a_directory", path=given)
        real = os.path.realpath(given)
        if real in seen:
            raise UsageError("repo_twice" if seen[real] == given else "repo_twice_same", path=given, other=seen[real])
        seen[real] = given

