"""Reading the HTML pages the way a test needs them: elements, ids, links, texts, and a headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

# Flags that keep a headless Chromium quiet, local and repeatable: no network of its own, no profile reuse.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars"]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """Every element with its attributes, and the text inside each element (by a stack of open tags)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.texts: list[tuple[tuple[str, ...], dict, str]] = []  # (open tags, innermost attrs, text)
        self._stack: list[tuple[str, dict]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag not in VOID:
            self._stack.append((tag, attributes))

    def handle_endtag(self, tag):
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        if data.strip():
            self.texts.append((tuple(t for t, _ in self._stack), self._stack[-1][1] if self._stack else {}, data))

    @property
    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.elements if "id" in attrs}

    def fragment_links(self) -> list[str]:
        return [attrs["href"][1:] for tag, attrs in self.elements if tag == "a" and attrs.get("href", "").startswith("#")]

    def broken_fragment_links(self) -> list[str]:
        ids = self.ids
        return [target for target in self.fragment_links() if target not in ids]

    def text_of(self, tag: str) -> list[str]:
        """The text directly inside each <tag> (joined per element is not needed by the tests)."""
        return [text.strip() for tags, _, text in self.texts if tags and tags[-1] == tag]

    def inside(self, tag: str) -> str:
        return "".join(text for tags, _, text in self.texts if tag in tags)


def chromium() -> str:
    """The Chromium binary; skips the test when it is missing, except in CI where it must be there."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed, and CI=true requires the browser tests to run (.ci/run installs it)")
    pytest.skip("chromium is not installed (apt-get install chromium); the browser tests need it")


def run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def dump_dom(binary: str, profile: Path, url: str, *flags: str) -> str:
    """The DOM Chromium built from the page (after its scripts ran), serialised."""
    return run_chromium(binary, profile, *flags, "--dump-dom", url).stdout


def screenshot(binary: str, profile: Path, url: str, png: Path, size: str = "1200,1600") -> bytes:
    run_chromium(binary, profile, f"--screenshot={png}", f"--window-size={size}", url)
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG"
    return data
