"""A changed file's definition facts from its two parsed sides: what was added, removed, changed and re-signed,
restricted to the definitions whose lines the diff touches."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import accumulate
from typing import Callable

from .model import FilePatch, SignatureChange, Symbol
from .remembered import keep, recall
from .scan import Collector
from .body_edits import HUNK, change_blocks, derive, may_derive
from .grammars import grammar_of
from .syntax import MAX_PARSE_BYTES, Definition, Param, cached, definitions, remember

_HUNK_LINE = re.compile(HUNK.pattern, re.M)


@lru_cache(maxsize=4)   # both sides of a file, and a side derived from the other, ask for the same patch's
def hunks_of(patch: str) -> tuple[tuple[int, int, int, int], ...]:
    """(old start, old count, new start, new count) of each hunk, as its header says."""
    return tuple((int(a), int(b) if b else 1, int(c), int(d) if d else 1)   # findall gives "" for a count left out
                 for a, b, c, d in _HUNK_LINE.findall(patch))


def _from_first_hunk(patch: str) -> str:
    """The patch without its header (diff --git, ---, +++: not lines of either side)."""
    if patch.startswith("@@"):
        return patch
    at = patch.find("\n@@")
    return patch[at + 1:] if at >= 0 else ""


def touched_lines(patch: str) -> tuple[set[int], set[int]]:
    """The old file's removed lines and the new file's added lines (0-based); a pure insertion or deletion also
    marks the line it happens at on the other side."""
    old_lines, new_lines = set(), set()
    old = new = 0
    for raw in _from_first_hunk(patch).split("\n"):
        if raw.startswith("@@"):
            match = HUNK.match(raw)
            if match:
                old, new = int(match.group(1)) - 1, int(match.group(3)) - 1
                if match.group(2) == "0":
                    old_lines.add(old)
                    old += 1
                if match.group(4) == "0":
                    new_lines.add(new)
                    new += 1
            continue
        side = raw[:1]
        if side == "-":
            old_lines.add(old)
            new_lines.add(new)
            old += 1
        elif side == "+":
            new_lines.add(new)
            old_lines.add(old)
            new += 1
        elif side == " ":
            old += 1
            new += 1
    return old_lines, new_lines


def definition_facts(item: FilePatch, language: str, collector) -> bool:
    """The file's definitions added, removed, changed and re-signed, into the collector, from its two parsed
    sides or as a previous run read the same two blobs (remembered.py); False when no grammar reads it (its
    patch lines then say its definitions)."""
    key = (item.old_id, item.new_id, item.old_path or item.path, item.path, item.status, language)
    known = recall(key)
    if known is None:
        sides = read_sides(item, language)
        part = Collector()
        if sides is not None:
            compare_sides(item, header_language(item.path, language, *sides), sides[0], sides[1], part)
        known = (sides is not None, tuple(getattr(part, name) for name in _COMPARED))
        keep(key, known)
    parsed, found = known
    for name, items in zip(_COMPARED, found):
        getattr(collector, name).extend(items)
    return parsed


# What compare_sides fills in a collector: what is remembered of a file.
_COMPARED = ("symbols_added", "symbols_removed", "symbols_changed", "signatures", "tests_added", "tests_removed")


def read_sides(item: FilePatch, language: str) -> tuple[tuple[Definition, ...], tuple[Definition, ...]] | None:
    """The definitions of the file's old and new blob, or None when a side cannot be parsed. A side is parsed
    only when it cannot be had from the other (body_edits.py): the new side of one commit is often the old side
    of the next, already read."""
    old_path = item.old_path or item.path
    old_text, new_text = _once(item.old_text), _once(item.new_text)
    old = () if item.status == "added" else cached(item.old_id, old_path, language)
    new = () if item.status == "deleted" else cached(item.new_id, item.path, language)
    if old is None and new:
        old = _derived(item, new, language, old_text, old_side=True)
    if old is None:
        hunks = hunks_of(item.patch or "")
        old = definitions(old_text, old_path, language, item.old_id,
                          (item.new_id, [(c, d, a, b) for a, b, c, d in hunks]))
    if new is None and old:
        new = _derived(item, old, language, new_text, old_side=False)
    if new is None:
        new = definitions(new_text, item.path, language, item.new_id, (item.old_id, hunks_of(item.patch or "")))
    if old is None or new is None or _unreadable(item, old, new):
        return None
    return old, new


def _unreadable(item: FilePatch, old: tuple, new: tuple) -> bool:
    """Whether the diff touches a line the grammar could not read on its side: what is there (a definition
    swallowed by an unknown macro, or one only partly read) is for the patch's lines to say."""
    old_errors, new_errors = getattr(old, "errors", ()), getattr(new, "errors", ())
    if not old_errors and not new_errors:
        return False
    old_lines, new_lines = touched_lines(item.patch or "")
    return any(first <= line <= last for first, last in old_errors for line in old_lines) or any(
        first <= line <= last for first, last in new_errors for line in new_lines)


_CPP_KINDS = frozenset({"class", "method", "namespace"})


def header_language(path: str, language: str, *sides: tuple[Definition, ...]) -> str:
    """A `.h` is C until what the C++ grammar reads in it says C++ (a class, a method, a namespace, a qualified
    name); every other file keeps its language."""
    if language != "c" or grammar_of(path, language) != "cpp":
        return language
    cpp = any(d.kind in _CPP_KINDS or "::" in d.name for side in sides for d in side)
    return "cpp" if cpp else language


def _once(read: Callable[[], str | None]) -> Callable[[], str | None]:
    """A blob's text read at most once, however many readers ask."""
    text: list = []
    return lambda: text[0] if text else text.append(read()) or text[0]


def _derived(item: FilePatch, known: tuple[Definition, ...], language: str, read: Callable[[], str | None],
             old_side: bool) -> tuple[Definition, ...] | None:
    """One side's definitions from the other side's, when the diff changes only function bodies; else None."""
    grammar = grammar_of(item.path, language)
    if grammar is None or not item.patch or (item.old_path or item.path) != item.path or getattr(known, "errors", ()):
        return None
    blocks = change_blocks(item.patch)
    if old_side:
        blocks = [b.flipped() for b in blocks]
    if not may_derive(known, blocks, grammar):
        return None
    text = read()
    if text is None or len(text) > MAX_PARSE_BYTES:
        return None
    source = text.encode("utf-8", "surrogatepass")
    found = derive(known, blocks, source, grammar)
    if found is not None:
        hunks = hunks_of(item.patch)
        remember(item.old_id if old_side else item.new_id, item.path, language, found, source,
                 (item.new_id, [(c, d, a, b) for a, b, c, d in hunks]) if old_side else (item.old_id, hunks))
    return found


def _by_name(found: tuple[Definition, ...]) -> dict[str, list[Definition]]:
    named: dict[str, list[Definition]] = {}
    for definition in found:
        named.setdefault(definition.name, []).append(definition)
    return named


def _hits(items: list[Definition], lines: list[int]) -> bool:
    """Whether a line of these (sorted) lines falls within one of the definitions' spans."""
    for d in items:
        at = bisect_left(lines, d.start)
        if at < len(lines) and lines[at] <= d.end:
            return True
    return False


def compare_sides(item: FilePatch, language: str, old: tuple, new: tuple, collector) -> None:
    """Definitions added, removed, changed and re-signed between the two sides of one file, into the collector."""
    old_lines, new_lines = (sorted(lines) for lines in touched_lines(item.patch or ""))
    before, after = _by_name(old), _by_name(new)
    path = item.path
    for name in sorted(set(after) - set(before)):
        _emit(after[name][0], path, language, collector.symbols_added, collector.tests_added)
    for name in sorted(set(before) - set(after)):
        _emit(before[name][0], path, language, collector.symbols_removed, collector.tests_removed)
    changed = [name for name in sorted(set(before) & set(after)) if _changed(before[name], after[name], old_lines,
                                                                             new_lines)]
    written: list = []
    for name in changed:
        was, now = before[name], after[name]
        if now[0].kind not in _FUNCTIONS:
            # A class (struct, enum, interface) changed when its own lines did (a field, a base, a modifier): a
            # change inside a member is the member's, and a comment between members is neither's.
            if not written:
                written.extend(sorted(rows) for rows in written_rows(item.patch or "", language))
            members = _members(name, old), _members(name, new)
            if not (_own_change(was, members[0], written[0]) or _own_change(now, members[1], written[1])):
                continue
        pairs = _changed_pairs(was, now, old_lines, new_lines)
        shown = pairs[0][1]
        if not shown.public and any(new.public for _, new in pairs):
            shown = next(new for _, new in pairs if new.public)
        collector.symbols_changed.append(_symbol(shown, path, language, with_params=False))
        for old_one, new_one in pairs:
            change = signature_change(old_one.signed(), new_one.signed(), language)
            if change:
                collector.signatures.append(SignatureChange(name, new_one.kind, path, language, new_one.public,
                                                            **change))


_FUNCTIONS = frozenset({"function", "method"})
_COMMENTS = {"python": ("#",)}          # how a comment line starts; the C family's elsewhere
_C_COMMENTS = ("//", "/*", "*")


def written_rows(patch: str, language: str = "") -> tuple[set[int], set[int]]:
    """The old file's removed and the new file's added lines (0-based) that hold code: neither blank nor a
    comment."""
    comment = _COMMENTS.get(language, _C_COMMENTS)
    old_rows, new_rows = set(), set()
    old = new = 0
    for raw in _from_first_hunk(patch).split("\n"):
        side = raw[:1]
        if side == "@":
            match = HUNK.match(raw)
            if match:
                old, new = int(match.group(1)) - 1, int(match.group(3)) - 1
        elif side == "-":
            text = raw[1:].lstrip()
            if text and not text.startswith(comment):
                old_rows.add(old)
            old += 1
        elif side == "+":
            text = raw[1:].lstrip()
            if text and not text.startswith(comment):
                new_rows.add(new)
            new += 1
        elif side == " ":
            old += 1
            new += 1
    return old_rows, new_rows


def _members(name: str, found: tuple[Definition, ...]) -> list[Definition]:
    prefixes = (name + ".", name + "::")
    return [d for d in found if d.name.startswith(prefixes)]


def _own_change(definitions: list[Definition], members: list[Definition], rows: list[int]) -> bool:
    """Whether a written line lies in one of these definitions and in none of their members (a field, a base
    class, a modifier, the class line itself)."""
    spans = sorted((m.start, m.end) for m in members)
    starts = [start for start, _ in spans]
    reach = list(accumulate((end for _, end in spans), max))   # the furthest row a member up to here reaches
    for d in definitions:
        for row in rows[bisect_left(rows, d.start):bisect_left(rows, d.end + 1)]:
            at = bisect_right(starts, row) - 1
            if at < 0 or reach[at] < row:
                return True
    return False


def _changed_pairs(was: list[Definition], now: list[Definition], old_lines: list[int], new_lines: list[int]
                   ) -> list[tuple[Definition, Definition]]:
    """The old and new definitions that changed, of one name: itself; of overloads (one name defined more than
    once), each pair at one place whose text differs and whose lines the diff touches, or where overloads were
    added or removed, the first touched on each side."""
    if len(was) == len(now):
        pairs = [(a, b) for a, b in zip(was, now) if a.digest != b.digest and (
            _hits([a], old_lines) or _hits([b], new_lines))]
        if pairs:
            return pairs
    touched_was = [d for d in was if _hits([d], old_lines)] or was
    touched_now = [d for d in now if _hits([d], new_lines)] or now
    return [(touched_was[0], touched_now[0])]


def _changed(was: list[Definition], now: list[Definition], old_lines: list[int], new_lines: list[int]) -> bool:
    if now[0].test or not (_hits(was, old_lines) or _hits(now, new_lines)):
        return False
    return [d.digest for d in was] != [d.digest for d in now]


def _emit(definition: Definition, path: str, language: str, symbols: list, tests: list) -> None:
    if definition.test:
        tests.append(f"{path}::{definition.name.replace('.', '::') if language == 'python' else definition.name}")
    else:
        symbols.append(_symbol(definition, path, language))


def _symbol(definition: Definition, path: str, language: str, with_params: bool = True) -> Symbol:
    definition = definition.signed() if with_params else definition
    params = tuple(p.label() for p in definition.params) if with_params and definition.params is not None else None
    return Symbol(definition.name, definition.kind, path, language, definition.public, params, definition.role)


def signature_change(was: Definition, now: Definition, language: str = "python") -> dict:
    """What changed in a definition's parameters (names, defaults, types) and return type; empty when nothing.
    A parameter renamed at its place, its type the same, changes no signature where callers pass arguments by
    place alone (every language read here but Python, whose callers may name them)."""
    if was.params is None or now.params is None:
        return {}
    renamed = language != "python"
    was_params, now_params = _named_alike(was.params, now.params, renamed), _named_alike(now.params, was.params)
    before = {p.name: p for p in was_params}
    after = {p.name: p for p in now_params}
    added = [p for p in now_params if p.name not in before]
    change = {
        "added": tuple(p.label() for p in added),
        "removed": tuple(p.label() for p in was_params if p.name not in after),
        "defaulted": tuple(n for n, p in after.items() if n in before and p.default is not None
                           and before[n].default is None),
        "required": tuple(n for n, p in after.items() if n in before and p.default is None
                          and before[n].default is not None),
        "retyped": tuple(f"{n}: {before[n].type} → {p.type}" for n, p in after.items()
                         if n in before and before[n].type and p.type and _bare(before[n].type) != _bare(p.type)),
        "defaults": tuple(f"{p.name}={_short(p.default)}" for p in added if p.default is not None),
    }
    if _bare(was.returns or "") != _bare(now.returns or ""):
        change["returns_old"], change["returns_new"] = was.returns or "", now.returns or ""
    return {key: value for key, value in change.items() if value}


def _named_alike(params: tuple[Param, ...], other: tuple[Param, ...], renamed: bool = False) -> tuple[Param, ...]:
    """C and C++: an unnamed parameter (it goes by its type) takes the name of the other side's parameter at
    its place when their types agree: naming it, or dropping its name, changes no signature; with `renamed`,
    so does a named one (the old side's, so that a rename at one place is no change)."""
    if len(params) != len(other):
        return params
    return tuple(Param(o.name, p.type, p.default) if p.type and _bare(p.type) == _bare(o.type) and (
        p.name == p.type and o.name != o.type or renamed and o.name != o.type) else p for p, o in zip(params, other))


def _bare(text: str) -> str:
    return "".join(text.split())


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


__all__ = ["Param", "compare_sides", "read_sides", "signature_change", "touched_lines"]
