"""Reading a unified diff: its lines by side within fixed bounds, and regular expressions compiled on first use."""

from __future__ import annotations

import re

# Bounds: the cost of one commit never grows past these, whatever its size.
MAX_FILES = 300               # files looked at per commit
MAX_LINES_PER_FILE = 20_000   # patch lines scanned per file
MAX_PATCH_CHARS = 4_000_000   # characters of one file's patch text read at all
MAX_LINE_CHARS = 1_000        # a longer line (minified code) is scanned up to here only
MAX_MANIFEST_CHARS = 1_000_000  # larger manifests are not parsed


class Pattern:
    """A regular expression compiled on its first use, so that importing this module stays cheap.

    Its methods are the compiled pattern's own, bound into the slots on first use: a call then costs
    what a call to the compiled pattern costs, with no wrapper in between (these run per patch line).
    """

    _METHODS = ("match", "fullmatch", "search", "findall", "finditer", "sub", "split")
    __slots__ = ("_source",) + _METHODS

    def __init__(self, source: str):
        self._source = source

    def __getattr__(self, name: str):
        # Only reached while a method's slot is still empty, that is before the first use.
        if name not in self._METHODS:
            raise AttributeError(name)
        regex = re.compile(self._source)
        for method in self._METHODS:
            setattr(self, method, getattr(regex, method))
        return getattr(regex, name)


# --------------------------------------------------------------------------- patch lines

_HUNK_RE = Pattern(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@ ?(.*)$")


_SIDES = frozenset("+- ")


def patch_lines(patch: str, bounds: list[bool]) -> list[tuple[str, str]]:
    """(side, text) of each line of one file's unified diff after its first hunk header, within the bounds.

    side is "+", "-", " ", or "@" for a hunk header's context line.
    """
    if len(patch) > MAX_PATCH_CHARS:
        patch, bounds[0] = patch[:MAX_PATCH_CHARS], True
    raws = patch.split("\n")
    if len(raws) > MAX_LINES_PER_FILE:
        raws, bounds[0] = raws[:MAX_LINES_PER_FILE], True
    if "\r" in patch:
        raws = [raw[:-1] if raw.endswith("\r") else raw for raw in raws]
    if max(map(len, raws)) > MAX_LINE_CHARS:
        raws, bounds[0] = [raw[:MAX_LINE_CHARS] for raw in raws], True
    lines: list[tuple[str, str]] = []
    in_hunks = False
    hunk_header = _HUNK_RE.match
    for raw in raws:
        if raw.startswith("@@"):
            match = hunk_header(raw)
            if match:
                in_hunks = True
                lines.append(("@", match.group(1)))
        elif in_hunks and raw[:1] in _SIDES:
            lines.append((raw[0], raw[1:]))
    return lines


def indent(text: str) -> int:
    """Width of the leading blanks: a space counts 1, a tab 4."""
    blanks = len(text) - len(text.lstrip(" \t"))
    return blanks + 3 * text.count("\t", 0, blanks)


def patch_sides(patch: str, bounds: list[bool]) -> tuple[str, str]:
    """The old and new text as far as the patch shows them (context lines on both sides)."""
    old, new = [], []
    for side, text in patch_lines(patch, bounds):
        if side in " -":
            old.append(text)
        if side in " +":
            new.append(text)
    return "\n".join(old), "\n".join(new)
