"""Words a reader sees, one catalogue per language (catalogs/<lang>.toml), read once per run."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


def languages() -> tuple[str, ...]:
    """Every language that has a catalogue file."""
    folder = resources.files("offline_report").joinpath("catalogs")
    return tuple(sorted(entry.name[:-5] for entry in folder.iterdir() if entry.name.endswith(".toml")))


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict:
    try:  # imported here: `--version` and `--help` read no catalogue
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    text = resources.files("offline_report").joinpath(f"catalogs/{lang}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def words(lang: str, section: str, key: str, **values) -> str:
    """One sentence of a catalogue section, formatted with its values."""
    return catalog(lang)[section][key].format(**values)
