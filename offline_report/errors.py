"""The error hierarchy: each error carries its exit code, its sentence and a hint saying what to do, both worded from
the catalogues ([errors], [hints]) in the language of the run that says them."""

from __future__ import annotations

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_MODEL = 3
EXIT_OUTPUT = 4
EXIT_LOCKED = 5
EXIT_INTERNAL = 1


class ReportError(Exception):
    """Base of every error offline-report reports to the user.

    `code` names the sentence in the catalogues' [errors] table and `hint` the one in [hints] (by default the hint of
    the same name, where there is one); `values` fill both, and a value that is itself a catalogue.Phrase is worded
    in the same language. A code that names no entry is shown as it is."""

    exit_code = EXIT_USAGE

    def __init__(self, code: str, hint: str | None = None, /, **values):
        self.code = code
        self.hint_code = hint
        self.values = values
        super().__init__(self.message)

    def worded(self, lang: str) -> tuple[str, str | None]:
        """The error's line and its hint (None where it has none), in `lang`."""
        from .catalog import catalog, say

        table = catalog(lang)
        code, values = self.code, self.values
        message = say(lang, "errors", code, values) if code in table["errors"] else code
        hint = code if self.hint_code is None and code in table["hints"] else self.hint_code
        if hint is not None and hint in table["hints"]:
            hint = say(lang, "hints", hint, values)
        return message, hint

    @property
    def message(self) -> str:
        """The English line, for a program that catches the error (the library's callers, tests)."""
        return self.worded("en")[0]

    @property
    def hint(self) -> str | None:
        return self.worded("en")[1]


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
