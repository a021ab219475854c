"""Words a reader sees, one catalogue per language (catalogs/<lang>.toml), read once per run."""

from __future__ import annotations

import os
from functools import lru_cache


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
    return tomllib.loads(text)


def words(lang: str, section: str, key: str, **values) -> str:
    """One sentence of a catalogue section, formatted with its values."""
    return catalog(lang)[section][key].format(**values)
