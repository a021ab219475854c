"""The static HTML site: index.html and the Atom feed feed.xml, rebuilt from the <date>.html day pages present.

Each day page carries its own counts and overview in a `<script type="application/json" id="day-data">` block, so
the index and the feed need no other state: a nightly run writes its day page, then rebuilds both from every page
there.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

from .. import __version__
from ..catalog import catalog
from .day import GROUP_ORDER
from ..files import write_atomic
from .render import counter, html_environment

INDEX_NAME = "index.html"
FEED_NAME = "feed.xml"
MAX_FEED_ENTRIES = 60  # about two months of nightly pages; older days stay in the index
_DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.html$")
_REPORT_FILE = re.compile(r"^(?!index\.html$).+\.html$")
_DAY_DATA = re.compile(r'<script type="application/json" id="day-data">(.*?)</script>', re.S)


def read_day_page(path: Path) -> dict | None:
    """The day-data block of one report page (a day's, or a week's, month's or release's: its `view`), or None when
    the file is not a readable report page."""
    if not _REPORT_FILE.match(path.name):
        return None
    try:
        found = _DAY_DATA.search(path.read_text(encoding="utf-8"))
        data = json.loads(found.group(1)) if found else None
        written = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("stats"), dict):
        return None
    view = data.get("view") if isinstance(data.get("view"), dict) else {"kind": "day"}
    if view.get("kind", "day") == "day" and not _DAY_FILE.match(path.name):
        return None
    try:
        day = date.fromisoformat(str(data.get("date")))
    except ValueError:
        return None
    stats = {key: int(data["stats"].get(key, 0)) for key in ("total", *GROUP_ORDER)}
    repos = [repo for repo in data.get("repos", []) if isinstance(repo, dict) and "name" in repo]
    return {"date": day.isoformat(), "file": path.name, "stats": stats, "repos": repos, "view": view,
            "lang": data.get("lang"), "updated": atom_time(written)}


def day_pages(output_dir: Path) -> list[dict]:
    """Every report page in the folder (days, weeks, months, releases), newest first."""
    pages = [read_day_page(path) for path in Path(output_dir).glob("*.html")]
    return sorted((page for page in pages if page), key=lambda page: (page["date"], page["file"]), reverse=True)


def split_views(pages: list[dict]) -> tuple[list[dict], list[dict]]:
    """The day pages, and the others (weeks, months, release ranges)."""
    days = [page for page in pages if page["view"].get("kind", "day") == "day"]
    return days, [page for page in pages if page["view"].get("kind", "day") != "day"]


def site_context(days: list[dict], lang: str, views: list[dict] | None = None) -> dict:
    """What index.html.j2 and feed.xml.j2 render from: the day pages, and the index also the other reports."""
    return {"days": days, "views": views or [], "lang": lang, "L": catalog(lang), "tiers": GROUP_ORDER, "version": __version__,
            "index_file": INDEX_NAME, "feed_file": FEED_NAME, "counted": counter(lang)}


def render_index(days: list[dict], lang: str, team_templates: Path | None = None, views: list[dict] | None = None) -> str:
    context = site_context(days, lang, views)
    return html_environment(team_templates).get_template("index.html.j2").render(context)


def render_feed(days: list[dict], lang: str, output_dir: Path, team_templates: Path | None = None) -> str:
    """An Atom feed (RFC 4287): one entry per day page, newest first, with the day's overview as its summary."""
    feed_id = uuid.uuid5(uuid.NAMESPACE_URL, Path(output_dir).resolve().as_uri())
    entries = [day | {"id": f"urn:uuid:{entry_id(feed_id, day)}"} for day in days[:MAX_FEED_ENTRIES]]
    updated = max((day["updated"] for day in entries), default=atom_time(datetime.now(timezone.utc)))
    context = site_context(entries, lang) | {"feed_id": f"urn:uuid:{feed_id}", "updated": updated}
    return html_environment(team_templates).get_template("feed.xml.j2").render(context)


def entry_id(feed_id: uuid.UUID, day: dict) -> uuid.UUID:
    """The same day of the same site keeps its id when its page is written again (feed readers show it once)."""
    return uuid.uuid5(feed_id, day["date"])


def atom_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def write_site(output_dir: Path | str, lang: str, team_templates: Path | None = None) -> list[Path]:
    """Rebuild output_dir/index.html and output_dir/feed.xml from the day pages present there; returns their paths."""
    folder = Path(output_dir)
    days, views = split_views(day_pages(folder))
    index, feed = folder / INDEX_NAME, folder / FEED_NAME
    write_atomic(index, render_index(days, lang, team_templates, views))
    write_atomic(feed, render_feed(days, lang, folder, team_templates))
    return [index, feed]


def write_index(output_dir: Path | str, lang: str, team_templates: Path | None = None) -> Path:
    """Rebuild the site (index and feed); returns the index's path."""
    return write_site(output_dir, lang, team_templates)[0]
