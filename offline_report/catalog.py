"""Words a reader sees, one catalogue per language (catalogs/<lang>.toml), read once per run.

Every sentence of a catalogue formats like str.format, with one addition for plural forms: `{count:# file|# files}`
gives "1 file" or "2 files" (`#` stands for the number; the first form is for one, the second for any other count).
A language without plural forms (zh) never needs it."""

from __future__ import annotations

import os
import string
from functools import lru_cache

PLURAL_SEP = "|"
NUMBER_MARK = "#"


class _PluralFormatter(string.Formatter):
    """str.format, where a field's spec `one|other` picks the form by the number."""

    def format_field(self, value, format_spec: str) -> str:
        if PLURAL_SEP not in format_spec:
            return super().format_field(value, format_spec)
        one, other = format_spec.split(PLURAL_SEP, 1)
        return (one if value == 1 else other).replace(NUMBER_MARK, str(value))


_FORMATTER = _PluralFormatter()


class Words(str):
    """A catalogue sentence: formats with plural forms, in Python and in templates alike."""

    __slots__ = ()

    def format(self, *args, **kwargs) -> str:  # noqa: A003 - the catalogue's one way to fill a sentence
        if PLURAL_SEP not in self:  # most sentences: str.format itself, without the Python-level formatter
            return str.format(self, *args, **kwargs)
        return _FORMATTER.vformat(str(self), args, kwargs)


def _words(value):
    if isinstance(value, str):
        return Words(value)
    if isinstance(value, dict):
        return {key: _words(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_words(item) for item in value]
    return value


def languages() -> tuple[str, ...]:
    """Every language that has a catalogue file."""
    try:  # the package's own folder: read at start-up, without importlib.resources' machinery
        names = os.listdir(os.path.join(os.path.dirname(__file__), "catalogs"))
    except OSError:  # installed in a zip: ask the package's loader
        from importlib import resources

        names = [entry.name for entry in resources.files("offline_report").joinpath("catalogs").iterdir()]
    return tuple(sorted(name[:-5] for name in names if name.endswith(".toml")))


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict:
    try:  # imported here: `--version` and `--help` read no catalogue
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    from importlib import resources

    text = resources.files("offline_report").joinpath(f"catalogs/{lang}.toml").read_text(encoding="utf-8")
    return _words(tomllib.loads(text))


def words(lang: str, section: str, key: str, /, **values) -> str:
    """One sentence of a catalogue section, formatted with its values."""
    return catalog(lang)[section][key].format(**values)


class Phrase:
    """A catalogue sentence not worded yet: the language is chosen where it is said (an error's part, a warning)."""

    __slots__ = ("section", "key", "values")

    def __init__(self, section: str, key: str, /, **values):
        self.section, self.key, self.values = section, key, values

    def say(self, lang: str) -> str:
        return say(lang, self.section, self.key, self.values)

    def __str__(self) -> str:  # in English where no language is known (a library caller's str(warning))
        return self.say("en")

    def __repr__(self) -> str:
        return f"Phrase({self.section!r}, {self.key!r}, **{self.values!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Phrase) and (self.section, self.key, self.values) == (other.section, other.key,
                                                                                       other.values)

    __hash__ = None


def said(lang: str, value):
    """A value as said in `lang`: a Phrase worded, anything else as it is."""
    return value.say(lang) if isinstance(value, Phrase) else value


def say(lang: str, section: str, key: str, values: dict) -> str:
    """words(), where a value may itself be a Phrase (worded in the same language)."""
    return words(lang, section, key, **{name: said(lang, value) for name, value in values.items()})


def counted(lang: str, entries: int, commits: int | None = None) -> str:
    """How many commits a report holds, the same words everywhere: "16 commits", or "7 entries, 16 commits" where
    merges fold the commits they brought into fewer entries (commits None: as many as entries)."""
    commits = entries if commits is None else commits
    return words(lang, "report", "count_commits" if commits == entries else "count_entries",
                 entries=entries, commits=commits)


def coded(lang: str, section: str, code: str, values: dict | None = None) -> dict:
    """A reason, risk or fallback cause for the JSON: the code and values are the same in every language, the text
    is the catalogue's sentence for the code (a list value is named as "a, b, c")."""
    values = dict(values or {})
    shown = {key: ", ".join(map(str, value)) if isinstance(value, list) else value for key, value in values.items()}
    sentence = catalog(lang)[section].get(code)
    return {"code": code, "values": values, "text": sentence.format(**shown) if sentence is not None else code}
