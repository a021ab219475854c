"""The error hierarchy: each error carries its exit code and a hint saying what to do."""

from __future__ import annotations

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_MODEL = 3
EXIT_OUTPUT = 4
EXIT_LOCKED = 5
EXIT_INTERNAL = 1


class ReportError(Exception):
    """Base of every error offline-report reports to the user."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(ReportError):
    """Bad options or dates."""


class RepoError(ReportError):
    """A --repo that cannot be read as a git repository, or a bad --ref."""


class ModelError(ReportError):
    """No model, or a model that cannot be used."""

    exit_code = EXIT_MODEL


class OutputError(ReportError):
    """Reports or the cache cannot be written."""

    exit_code = EXIT_OUTPUT


class LockedError(ReportError):
    """Another run holds the lock on the cache or output directory."""

    exit_code = EXIT_LOCKED
