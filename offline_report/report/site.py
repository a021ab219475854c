"""The static HTML site: index.html rebuilt from the <date>.html day pages present in the output folder.

Each day page carries its own counts in a `<script type="application/json" id="day-data">` block, so the
index needs no other state: a nightly run writes its day page, then rebuilds the index from every page there.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from .. import __version__
from ..catalog import catalog
from .day import GROUP_ORDER
from .render import html_environment, write_atomic

INDEX_NAME = "index.html"
_DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.html$")
_DAY_DATA = re.compile(r'<script type="application/json" id="day-data">(.*?)</script>', re.S)


def read_day_page(path: Path) -> dict | None:
    """The day-data block of one day page, or None when the file is not a readable day page."""
    match = _DAY_FILE.match(path.name)
    if not match:
        return None
    try:
        day = date.fromisoformat(match.group(1))
        found = _DAY_DATA.search(path.read_text(encoding="utf-8"))
        data = json.loads(found.group(1)) if found else None
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("stats"), dict):
        return None
    stats = {key: int(data["stats"].get(key, 0)) for key in ("total", *GROUP_ORDER)}
    repos = [repo for repo in data.get("repos", []) if isinstance(repo, dict) and "name" in repo]
    return {"date": day.isoformat(), "file": path.name, "stats": stats, "repos": repos}


def day_pages(output_dir: Path) -> list[dict]:
    """Every day page in the folder, newest first."""
    pages = [read_day_page(path) for path in Path(output_dir).glob("*.html")]
    return sorted((page for page in pages if page), key=lambda page: page["date"], reverse=True)


def render_index(days: list[dict], lang: str) -> str:
    context = {"days": days, "lang": lang, "L": catalog(lang), "tiers": GROUP_ORDER, "version": __version__}
    return html_environment().get_template("index.html.j2").render(context)


def write_index(output_dir: Path | str, lang: str) -> Path:
    """Rebuild output_dir/index.html from the day pages present there; returns its path."""
    path = Path(output_dir) / INDEX_NAME
    write_atomic(path, render_index(day_pages(Path(output_dir)), lang))
    return path
