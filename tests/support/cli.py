"""Running the CLI in-process, and reading what it wrote."""

from __future__ import annotations

import re

from click.testing import CliRunner

from offline_report.cli import main

ANCHOR = re.compile(r'<a id="([^"]+)"></a>')
LINK = re.compile(r"(?<!\\)\]\(#([^)]*)\)")


def run_cli(*args: str, env: dict | None = None, engine_factory=None):
    """offline-report with these arguments; engine_factory stands in for the llama.cpp engine."""
    obj = {"engine_factory": engine_factory} if engine_factory else {}
    return CliRunner().invoke(main, list(args), env=env, obj=obj, catch_exceptions=False)


def unescape(markdown_text: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown_text)


def broken_links(markdown: str) -> list[str]:
    anchors = set(ANCHOR.findall(markdown))
    return [target for target in LINK.findall(markdown) if target not in anchors]
