"""The check of one setting's value, whatever its source (command line, environment, file, Python): each returns
the value for Settings, or raises TypeError or ValueError whose argument (a catalogue Phrase of [wants]) says what to
write (`Refused` when the problem needs its own words, from [problems]); `refusal` turns either into the one error,
labelled with where the value came from."""

from __future__ import annotations

import os
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..catalog import Phrase
from ..errors import UsageError

# Exit codes a run already uses (errors.py, signals): --exit-code-if-empty must pick another.
RESERVED_EXIT_CODES = frozenset({1, 2, 3, 4, 5, 129, 130, 141, 143})


class Refused(ValueError):
    """A bad value whose problem is worded here (the message), beside what to write (the text)."""

    def __init__(self, hint: Phrase, problem: Phrase):
        super().__init__(hint)
        self.problem = problem


def want(key: str, **values) -> Phrase:
    """What to write instead, as a check's TypeError or ValueError carries it."""
    return Phrase("wants", key, **values)


def problem(key: str, **values) -> Phrase:
    return Phrase("problems", key, **values)


def refusal(label: str, value, exc: Exception) -> UsageError:
    """The one error for a refused value: `label: problem`, and what to write."""
    wanted = exc.args[0] if exc.args else str(exc)
    if isinstance(exc, Refused):
        return UsageError("refused", "use", label=label, problem=exc.problem, want=wanted)
    if isinstance(exc, TypeError):
        return UsageError("wrong_type", "write", label=label, kind=type(value).__name__, want=wanted)
    return UsageError("bad_value", "use", label=label, value=value, want=wanted)


def text(value):
    if isinstance(value, date):  # `since = 2026-02-10` is a TOML date
        return value.isoformat()
    if not isinstance(value, str):
        raise TypeError(want("string"))
    return value


def path(value):
    """A path: a string (a TOML string, the command line's text) or a Path (from Python)."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return text(value)


def day_problem(value: str) -> Phrase | None:
    """Why a day cannot be read (None when it can): checked before a run, without a time zone."""
    if value.strip().lower() in ("today", "yesterday"):
        return None
    try:
        date.fromisoformat(value.strip())
    except ValueError:
        return problem("not_a_date", value=value)
    return None


def day(value):
    value = text(value)
    if refused := day_problem(value):
        raise Refused(want("day"), refused)
    return value


def commit_url(value):
    value = text(value)
    if "{sha}" not in value:
        raise Refused(want("commit_url"), problem("no_sha", value=value))
    return value


def url_problem(url: str) -> Phrase | None:
    """Why a server URL cannot be used (None when it can)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        return problem("not_a_url", url=url, detail=str(exc))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return problem("not_http", url=url)
    return None


def server_url(value):
    value = text(value)
    if refused := url_problem(value):
        raise Refused(want("server_url"), refused)
    return value


def exit_code(value):
    value = whole_number(0, 255)(value)
    if value in RESERVED_EXIT_CODES:
        raise ValueError(want("exit_code", taken=", ".join(map(str, sorted(RESERVED_EXIT_CODES)))))
    return value


def flag(value):
    if not isinstance(value, bool):
        raise TypeError(want("flag"))
    return value


def whole_number(low: int | None = None, high: int | None = None):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(want("whole_number"))
        if low is not None and value < low:
            raise ValueError(want("at_least", low=low))
        if high is not None and value > high:
            raise ValueError(want("at_most", high=high))
        return value
    return check


def number(low: float):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(want("number"))
        if value < low:
            raise ValueError(want("at_least", low=low))
        return float(value)
    return check


def choice(choices: tuple[str, ...]):
    def check(value):
        if not isinstance(value, str):
            raise TypeError(want("string"))
        if value not in choices:
            raise ValueError(want("one_of", choices=", ".join(f'"{c}"' for c in choices)))
        return value
    return check


def texts(value):
    """A list of strings (a TOML array, or the command line's repeated option)."""
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(want("strings"))
    return value


def periods(value):
    value = texts(value)
    if any(v not in ("week", "month") for v in value):
        raise ValueError(want("periods"))
    return list(dict.fromkeys(value))


def zone(value):
    value = text(value)
    if value != "local":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise Refused(want("zone"), problem("unknown_tz", name=value)) from None
    return value


def gpu_layers(value):
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and (value in ("auto", "all") or value.isdigit()):
        return value
    if isinstance(value, str):
        raise ValueError(want("gpu_layers"))
    raise TypeError(want("gpu_layers"))
