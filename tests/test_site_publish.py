"""Publishing the site: files a web server can read, an Atom feed of the day pages, a private cache."""

from __future__ import annotations

import os
import re
import stat
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest

from offline_report.catalog import catalog

from .support.cli import run_cli
from .support.htmlpage import Page
from .test_html import run_html, two_day_repo

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def atom_entries(feed: Path) -> list[ET.Element]:
    """The feed's entries, after checking what RFC 4287 requires of the feed and of each entry."""
    root = ET.parse(feed).getroot()
    assert root.tag == f"{ATOM}feed"
    for element in (root, *root.findall(f"{ATOM}entry")):
        for required in ("id", "title", "updated"):
            assert len(element.findall(f"{ATOM}{required}")) == 1, (element.tag, required)
        assert RFC3339.match(element.findtext(f"{ATOM}updated"))
        assert element.findtext(f"{ATOM}id").startswith("urn:uuid:")
    assert root.find(f"{ATOM}author/{ATOM}name").text  # an author for every entry, said once
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        alternate = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert len(alternate) == 1 and alternate[0].get("type") == "text/html"
        assert entry.find(f"{ATOM}summary").get("type") == "text"
    return entries


def test_with_umask_022_the_site_is_world_readable_and_the_cache_private(tmp_path, umask_022):
    repo = two_day_repo(tmp_path / "app")
    out, cache = tmp_path / "site", tmp_path / "cache"
    run_html(repo, out, "2026-03-01", "2026-03-02", "--cache-dir", str(cache))
    written = sorted(out.iterdir())
    assert [p.name for p in written] == ["2026-03-01.html", "2026-03-02.html", "feed.xml", "index.html"]
    assert {p.name: oct(mode(p)) for p in written} == {p.name: "0o644" for p in written}
    assert mode(cache) == 0o700  # the analyses and the nightly state: the user's own
    from offline_report.record.state import STATE_FILE
    assert mode(cache / STATE_FILE) == 0o600
    for fmt in ("md", "json"):
        result = run_cli("--repo", str(repo), "--since", "2026-03-02", "--until", "2026-03-02", "--tz", "Asia/Shanghai",
                         "--format", fmt, "--output-dir", str(tmp_path / fmt), "--no-llm", "-q")
        assert result.exit_code == 0, result.output
        assert mode(tmp_path / fmt / f"2026-03-02.{fmt}") == 0o644


def test_a_stricter_umask_is_honoured(tmp_path):
    previous = os.umask(0o077)
    try:
        run_html(two_day_repo(tmp_path / "app"), tmp_path / "site", "2026-03-02")
    finally:
        os.umask(previous)
    assert {mode(p) for p in (tmp_path / "site").iterdir()} == {0o600}


def test_the_feed_has_one_entry_per_day_page_linked_from_the_index(tmp_path):
    repo = two_day_repo(tmp_path / "app")
    out = tmp_path / "site"
    run_html(repo, out, "2026-03-01", "2026-03-02", "--lang", "en")
    entries = atom_entries(out / "feed.xml")
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert links == ["2026-03-02.html", "2026-03-01.html"] and all((out / link).is_file() for link in links)
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles == ["Daily update report (2026-03-02)", "Daily update report (2026-03-01)"]
    summary = entries[1].findtext(f"{ATOM}summary")
    assert "acme/app: 2 commits" in summary and "feat!: new storage engine" in summary
    assert "Breaking change: feat!: new storage engine" in summary  # the overview's risks
    index = Page((out / "index.html").read_text(encoding="utf-8"))
    assert ("link", {"rel": "alternate", "type": "application/atom+xml", "title": catalog("en")["site"]["index_title"],
                     "href": "feed.xml"}) in index.elements
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == 2

    # Rebuilt from the pages present, like the index: a removed page leaves the feed; a rewritten one keeps its id.
    (out / "2026-03-01.html").unlink()
    run_html(repo, out, "2026-03-02", None, "--lang", "en")
    again = atom_entries(out / "feed.xml")
    assert [entry.findtext(f"{ATOM}id") for entry in again] == ids[:1]


def test_the_feed_escapes_what_a_commit_says(tmp_path):
    from .test_html import hostile_repo

    out = tmp_path / "site"
    run_html(hostile_repo(tmp_path / "app"), out, "2026-03-02")
    (entry,) = atom_entries(out / "feed.xml")  # parses: nothing a subject holds breaks the XML
    assert "<script>alert(1)</script>" in entry.findtext(f"{ATOM}summary")
    assert datetime.fromisoformat(entry.findtext(f"{ATOM}updated").replace("Z", "+00:00")).tzinfo is not None
