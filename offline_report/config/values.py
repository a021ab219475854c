"""The check of one setting's value, whatever its source (command line, environment, file, Python): each returns
the value for Settings, or raises TypeError or ValueError whose text says what to write (`Refused` when the
problem needs its own words); `refusal` turns either into the one error, labelled with where the value came from."""

from __future__ import annotations

import os
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import UsageError

# Exit codes a run already uses (errors.py, signals): --exit-code-if-empty must pick another.
RESERVED_EXIT_CODES = frozenset({1, 2, 3, 4, 5, 129, 130, 141, 143})
SHA_HINT = 'a link that holds {sha} where the commit id goes, e.g. "https://git.example.com/x/y/-/commit/{sha}"'


class Refused(ValueError):
    """A bad value whose problem is worded here (the message), beside what to write (the text)."""

    def __init__(self, hint: str, problem: str):
        super().__init__(hint)
        self.problem = problem


def refusal(label: str, value, exc: Exception) -> UsageError:
    """The one error for a refused value: `label: problem`, and what to write."""
    if isinstance(exc, Refused):
        return UsageError(f"{label}: {exc.problem}", f"use {exc}")
    if isinstance(exc, TypeError):
        return UsageError(f"{label}: wrong type ({type(value).__name__})", f"write {exc}")
    return UsageError(f"{label}: bad value {value!r}", f"use {exc}")


def text(value):
    if isinstance(value, date):  # `since = 2026-02-10` is a TOML date
        return value.isoformat()
    if not isinstance(value, str):
        raise TypeError("a string")
    return value


def path(value):
    """A path: a string (a TOML string, the command line's text) or a Path (from Python)."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return text(value)


def day_problem(value: str) -> str | None:
    """Why a day cannot be read (None when it can): checked before a run, without a time zone."""
    if value.strip().lower() in ("today", "yesterday"):
        return None
    try:
        date.fromisoformat(value.strip())
    except ValueError:
        return f"{value!r} is not a date"
    return None


def day(value):
    value = text(value)
    if problem := day_problem(value):
        raise Refused('YYYY-MM-DD, "today" or "yesterday" (in offline-report.toml also a date: since = 2026-02-10)',
                      problem)
    return value


def commit_url(value):
    value = text(value)
    if "{sha}" not in value:
        raise Refused(SHA_HINT, f"no {{sha}} in {value!r}: every commit would get the same link")
    return value


def url_problem(url: str) -> str | None:
    """Why a server URL cannot be used (None when it can)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        return f"{url!r} is not a URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http:// or https:// URL"
    return None


def server_url(value):
    value = text(value)
    if problem := url_problem(value):
        raise Refused('the base URL of an OpenAI-compatible server\'s API, e.g. "http://gpu-box:8080/v1"', problem)
    return value


def exit_code(value):
    value = whole_number(0, 255)(value)
    if value in RESERVED_EXIT_CODES:
        raise ValueError("a code that no other outcome uses (not " + ", ".join(map(str, sorted(RESERVED_EXIT_CODES)))
                         + "), e.g. 99")
    return value


def flag(value):
    if not isinstance(value, bool):
        raise TypeError("true or false")
    return value


def whole_number(low: int | None = None, high: int | None = None):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("a whole number")
        if low is not None and value < low:
            raise ValueError(f"at least {low}")
        if high is not None and value > high:
            raise ValueError(f"at most {high}")
        return value
    return check


def number(low: float):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("a number")
        if value < low:
            raise ValueError(f"at least {low}")
        return float(value)
    return check


def choice(choices: tuple[str, ...]):
    def check(value):
        if not isinstance(value, str):
            raise TypeError("a string")
        if value not in choices:
            raise ValueError("one of " + ", ".join(f'"{c}"' for c in choices))
        return value
    return check


def texts(value):
    """A list of strings (a TOML array, or the command line's repeated option)."""
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError('a list of strings, e.g. ["week"]')
    return value


def periods(value):
    value = texts(value)
    if any(v not in ("week", "month") for v in value):
        raise ValueError('"week" or "month"')
    return list(dict.fromkeys(value))


def zone(value):
    value = text(value)
    if value != "local":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise Refused("an IANA time zone such as \"Asia/Shanghai\" or \"UTC\", or \"local\"",
                          f"unknown time zone {value!r}") from None
    return value


def gpu_layers(value):
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and (value in ("auto", "all") or value.isdigit()):
        return value
    if isinstance(value, str):
        raise ValueError('a number of layers, "all" or "auto"')
    raise TypeError('a number of layers, "all" or "auto"')
