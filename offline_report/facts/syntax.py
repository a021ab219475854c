"""The definitions of one file's text read by its tree-sitter grammar, each blob parsed once (cached by object id)."""

from __future__ import annotations

import zlib
from itertools import accumulate
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Callable, Sequence

from .grammars import grammar_of, parser
from .kinds import is_test_path
from .options import tail_of
from .patch import Pattern

MAX_PARSE_BYTES = 1_000_000     # a larger blob keeps the line reader
CACHE_BLOBS = 1024              # definitions of this many blobs are kept per process
_HELPER_NAME = Pattern(r"^(?:Fake|Mock|Stub|Dummy|Spy)[A-Z_]")


@dataclass(frozen=True)
class Param:
    name: str
    type: str = ""
    default: str | None = None

    def label(self) -> str:
        """"name" or "name=" (it has a default): the form Symbol.params and SignatureChange carry."""
        return self.name + ("=" if self.default is not None else "")


@dataclass(frozen=True)
class Definition:
    name: str                      # qualified: ns::Class::method, Class.method
    kind: str                      # function method class struct enum union trait interface type
    public: bool
    start: int                     # first line (0-based), decorators and attributes included
    end: int                       # last line
    digest: int                    # of its text: two sides differ in it when their text does
    params: tuple[Param, ...] | None = None
    returns: str | None = None
    role: str = ""                 # "" | constructor | destructor | test (a test file's helper)
    test: bool = False             # a test the runner collects: a test, not a definition
    # Reads (params, returns) from the tree when asked: most definitions of a file are never compared.
    signature: Callable | None = field(default=None, compare=False, repr=False)
    # A function's body, the rows a change may touch without reaching its head or its end (body_edits.py):
    # (the row of its opening brace or colon, the row of its closing brace or its last row, and in Python the
    # function's indentation, else -1); None: not a function, or not one whose body has rows of its own.
    body: tuple[int, int, int] | None = None

    def signed(self) -> "Definition":
        """This definition with its parameters and return type read."""
        if self.signature is None:
            return self
        params, returns = self.signature()
        return replace(self, params=params, returns=returns, signature=None)


class Reader:
    """What every language's walk shares: the source, the file's test-ness, and the definitions found."""

    def __init__(self, source: bytes, path: str, language: str, grammar: str = ""):
        self.source, self.path, self.language = source, path, language
        self.indented = grammar == "python"
        self.test_file = is_test_path(path)
        self.found: list[Definition] = []
        self.test_scope = 0       # inside a test module (Rust's #[cfg(test)] mod tests): test code
        self.header = False       # C and its kin: a header, whose types and prototypes other files include

    @staticmethod
    def text(node) -> str:
        return node.text.decode("utf-8", "replace") if node is not None else ""

    def add(self, span, name: str, kind: str, public: bool, params=None, returns: str | None = None,
            owner: str = "", test: bool = False, signature: Callable | None = None) -> None:
        role = self.role(name, owner)
        source = self.source
        # The digest of its whole lines (line_digest), found from the node's bytes without a table of lines.
        start = source.rfind(b"\n", 0, span.start_byte) + 1
        end = source.find(b"\n", span.end_byte)
        digest = zlib.crc32(memoryview(source)[start:end if end >= 0 else len(source)])
        body = function_body(span, self.indented) if kind in ("function", "method") else None
        self.found.append(Definition(name, kind, public and role != "test" and not test, span.start_point[0],
                                     span.end_point[0], digest, params, returns, role, test, signature, body))

    def role(self, name: str, owner: str) -> str:
        tail = tail_of(name)
        if self.test_file or self.test_scope or _HELPER_NAME.match(tail):
            return "test"
        owner = tail_of(owner) if owner else ""
        if tail.startswith("~") or tail == "__del__" or (tail == "drop" and owner):
            return "destructor"
        if tail in ("__init__", "__new__", "constructor") or (owner and tail == owner):
            return "constructor"
        return ""


_cache: OrderedDict = OrderedDict()     # (blob id, grammar, path) -> definitions
# (blob id, grammar) -> (tree, source, edits): the base of a reparse. A blob whose definitions were had without
# parsing it (body_edits.py) has the tree of the blob they were had from, and the edits that lead from that one's
# text to its own; a parsed blob has its own tree and no edits.
_trees: OrderedDict = OrderedDict()
CACHE_TREES = 256
MAX_PENDING_EDITS = 64


def definitions(text, path: str, language: str, blob_id: str | None = None, base: tuple | None = None
                ) -> tuple[Definition, ...] | None:
    """The module-, namespace- and class-level definitions of a file's text (or of what a callable returns,
    called only when the blob is not cached), or None when no grammar reads it (no wheel for its language, too
    large, unreadable): then its facts come from its patch lines.

    base: (another blob's id, the hunks (start, count, start, count) that turn it into this one): when that
    blob's tree is at hand, only what the hunks changed is parsed again."""
    grammar = grammar_of(path, language)
    if grammar is None:
        return None
    key = (blob_id, grammar, path) if blob_id else None
    if key is not None and key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    ts_parser = parser(grammar)
    text = text() if callable(text) else text
    if ts_parser is None or text is None or len(text) > MAX_PARSE_BYTES:
        return None
    source = text.encode("utf-8", "surrogatepass")
    tree = _parse(ts_parser, grammar, source, base)
    if blob_id:
        _keep(_trees, (blob_id, grammar), (tree, source, ()), CACHE_TREES)
    from .tree_walks import walk   # the walks import nothing heavy, but only a parsed file needs them

    found = Found(walk(tree.root_node, Reader(source, path, language, grammar), grammar))
    if tree.root_node.has_error:
        found.errors = unread_rows(tree.root_node)
    if key is not None:
        _keep(_cache, key, found, CACHE_BLOBS)
    return found


class Found(tuple):
    """The definitions of one blob, and the rows its grammar could not read ((first, last), unread_rows)."""

    errors: tuple[tuple[int, int], ...] = ()


UNREAD_ROWS = 10     # an ERROR node this long swallowed code, not a token the grammar does not know


def unread_rows(root) -> tuple[tuple[int, int], ...]:
    """The rows the grammar could not read: a long ERROR node's (an #ifdef that splits a declaration, a macro it
    does not know), and a definition's that ends in a brace the parser took for missing (it swallowed the
    definitions after it). A short ERROR node, a token it skipped, leaves the definitions around it as read."""
    spans, stack = [], [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" and node.end_point[0] - node.start_point[0] >= UNREAD_ROWS:
            spans.append((node.start_point[0], node.end_point[0]))
        elif node.has_error and node.type != "ERROR":
            if node.type == "function_definition" and _ends_unclosed(node):
                spans.append((node.start_point[0], node.end_point[0]))
            else:
                stack.extend(node.children)
    return tuple(sorted(spans))


def _ends_unclosed(node) -> bool:
    """Whether a definition's body ends in a closing brace that is not in its text."""
    body = node.child_by_field_name("body")
    last = body.children[-1] if body is not None and body.children else None
    return last is not None and last.is_missing


def cached(blob_id: str | None, path: str, language: str) -> tuple[Definition, ...] | None:
    """The definitions already read of this blob, or None."""
    grammar = grammar_of(path, language)
    found = _cache.get((blob_id, grammar, path)) if blob_id and grammar else None
    if found is not None:
        _cache.move_to_end((blob_id, grammar, path))
    return found


def remember(blob_id: str, path: str, language: str, found: tuple[Definition, ...], source: bytes,
             base: tuple[str, list] | None = None) -> None:
    """Definitions read of this blob (source) some other way than by parsing it (body_edits.py), from the blob
    `base` names with the hunks that lead from it here: a later reparse from this blob starts from that one's
    tree."""
    grammar = grammar_of(path, language)
    _keep(_cache, (blob_id, grammar, path), found, CACHE_BLOBS)
    known = _trees.get((base[0], grammar)) if base else None
    if known is None:
        return
    tree, old_source, pending = known
    edits = edits_of(old_source, source, base[1])
    if edits is not None and len(pending) + len(edits) <= MAX_PENDING_EDITS:
        _keep(_trees, (blob_id, grammar), (tree, source, (*pending, *edits)), CACHE_TREES)


def _keep(cache: OrderedDict, key, value, limit: int) -> None:
    cache[key] = value
    if len(cache) > limit:
        cache.popitem(last=False)


def _parse(ts_parser, grammar: str, source: bytes, base: tuple | None):
    """The tree of source: reparsed from a cached tree of the other side where the hunks lead from it."""
    known = _trees.get((base[0], grammar)) if base and base[0] else None
    if known is not None:
        old_tree, old_source, pending = known
        edits = edits_of(old_source, source, base[1])
        if edits is not None:
            tree = old_tree.copy()
            for edit in (*pending, *edits):
                tree.edit(**edit)
            return ts_parser.parse(source, tree)
    return ts_parser.parse(source)


@lru_cache(maxsize=64)   # a blob's lines are asked for again: reparsed from, derived, then the next commit's old side
def line_starts(source: bytes) -> tuple[int, ...]:
    """Where each line starts: the lengths of the lines before it, and their newlines."""
    return tuple(accumulate(map((1).__add__, map(len, source.split(b"\n"))), initial=0))


def edits_of(old: bytes, new: bytes, hunks: Sequence[tuple[int, int, int, int]]) -> list[dict] | None:
    """tree.edit arguments for each hunk, last first (so that each stays in the old text's coordinates); None
    when the hunks do not lead from old to new (a truncated patch)."""
    if not hunks:
        return None
    old_starts, new_starts = line_starts(old), line_starts(new)
    at = lambda starts, text, line: min(starts[line], len(text)) if line < len(starts) else len(text)  # noqa: E731
    edits, growth = [], 0
    for old_line, old_count, new_line, new_count in hunks:
        old_line = old_line - 1 if old_count else old_line
        new_line = new_line - 1 if new_count else new_line
        start = at(old_starts, old, old_line)
        old_end = at(old_starts, old, old_line + old_count)
        new_size = at(new_starts, new, new_line + new_count) - at(new_starts, new, new_line)
        growth += new_size - (old_end - start)
        edits.append({"start_byte": start, "old_end_byte": old_end, "new_end_byte": start + new_size,
                      "start_point": (old_line, 0), "old_end_point": (old_line + old_count, 0),
                      "new_end_point": (old_line + new_count, 0)})
    if len(old) + growth != len(new):
        return None
    return edits[::-1]


def line_digest(source: bytes, starts: tuple[int, ...], first: int, last: int) -> int:
    """The digest of whole lines first..last of a source (not the last one's newline): two sides differ in it
    when those lines do."""
    end = starts[last + 1] - 1 if last + 1 < len(starts) else len(source)
    return zlib.crc32(memoryview(source)[starts[first] if first < len(starts) else len(source):end])


_BODIES = frozenset({"compound_statement", "block", "statement_block", "constructor_body"})


def function_body(span, indented: bool) -> tuple[int, int, int] | None:
    """The rows of a function's body a change may touch without reaching its head or its end (Definition.body):
    after the line of its colon or opening brace, up to its last line (Python) or before its closing brace;
    the function is the span itself or what it wraps (a template, a decorator, an export)."""
    node = span
    for _ in range(3):
        body = node.child_by_field_name("body")
        if body is not None:
            break
        inner = node.child_by_field_name("definition") or node.child_by_field_name("declaration") or (
            node.named_children[-1] if node.named_children else None)
        if inner is None:
            return None
        node = inner
    else:
        return None
    if body.type not in _BODIES:
        return None
    if indented:   # the body starts on the line after its header's colon (comments are not in the tree's body)
        colon = next((c for c in reversed(node.children) if c.type == ":" and c.end_byte <= body.start_byte), None)
        if colon is None or body.start_point[0] <= colon.end_point[0]:
            return None
        return colon.end_point[0], body.end_point[0], node.start_point[1]
    return body.start_point[0], body.end_point[0], -1
