"""Every merged setting checked before a run starts (and by `offline-report config`), each error naming its source."""

from __future__ import annotations

import os
from pathlib import Path

from . import DAY_HINT, Settings, day_problem, exit_code_problem, url_problem
from ..errors import OutputError, RepoError, UsageError


def check_settings(settings: Settings) -> None:
    """What a run would refuse, refused now: dates, links, URLs, exit codes, folders, repositories."""
    _check_days(settings)
    _check_links(settings)
    _check_folders(settings)
    _check_repos(settings)


def _check_days(settings: Settings) -> None:
    for key in ("since", "until"):
        value = getattr(settings, key)
        if value and (problem := day_problem(value)):
            raise UsageError(f"{settings.label(key, '--' + key)}: {problem}", DAY_HINT)


def _check_links(settings: Settings) -> None:
    if settings.commit_url is not None and "{sha}" not in settings.commit_url:
        raise UsageError(f"{settings.label('commit_url', '--commit-url')}: no {{sha}} in {settings.commit_url!r}: "
                         "every commit would get the same link",
                         "write the link with {sha} where the commit id goes, "
                         "e.g. https://git.example.com/x/y/-/commit/{sha}")
    if settings.server is not None and (problem := url_problem(settings.server)):
        raise UsageError(f"{settings.label('model.server', '--server')}: {problem}",
                         "pass the base URL of an OpenAI-compatible server's API, e.g. http://gpu-box:8080/v1")
    if settings.server and settings.api_key_env and not os.environ.get(settings.api_key_env):
        raise UsageError(f"{settings.label('model.api_key_env', '--api-key-env')} {settings.api_key_env}: "
                         "that environment variable is not set",
                         f"export {settings.api_key_env}=<token> before the run, or leave --api-key-env out")
    code = settings.exit_code_if_empty
    if code is not None and (problem := exit_code_problem(code)):
        raise UsageError(f"{settings.label('exit_code_if_empty', '--exit-code-if-empty')} {code}: use {problem}",
                         "pick a code your cron wrapper tests for, e.g. --exit-code-if-empty 99")


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
