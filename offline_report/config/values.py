"""Checks of one value of offline-report.toml: each returns the value for Settings, or raises TypeError or
ValueError whose text says what to write (file.py adds the file, line and key)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import day_problem, exit_code_problem, url_problem


def text(value):
    if isinstance(value, date):  # `since = 2026-02-10` is a TOML date
        return value.isoformat()
    if not isinstance(value, str):
        raise TypeError("a string")
    return value


def day(value):
    value = text(value)
    if day_problem(value):
        raise ValueError('YYYY-MM-DD, "today" or "yesterday", or a TOML date (since = 2026-02-10)')
    return value


def commit_url(value):
    value = text(value)
    if "{sha}" not in value:
        raise ValueError('a link that holds {sha}, e.g. "https://git.example.com/x/y/-/commit/{sha}"')
    return value


def server_url(value):
    value = text(value)
    if url_problem(value):
        raise ValueError('the base URL of the server\'s API, e.g. "http://gpu-box:8080/v1"')
    return value


def exit_code(value):
    value = whole_number()(value)
    problem = exit_code_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def flag(value):
    if not isinstance(value, bool):
        raise TypeError("true or false")
    return value


def whole_number(low: int | None = None):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("a whole number")
        if low is not None and value < low:
            raise ValueError(f"at least {low}")
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


def periods(value):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError('a list, e.g. ["week"]')
    if any(v not in ("week", "month") for v in value):
        raise ValueError('"week" or "month"')
    return list(dict.fromkeys(value))


def zone(value):
    value = text(value)
    if value != "local":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("an IANA time zone such as \"Asia/Shanghai\" or \"UTC\", or \"local\"") from None
    return value


def gpu_layers(value):
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and (value in ("auto", "all") or value.isdigit()):
        return value
    raise TypeError('a number of layers, "all" or "auto"')
