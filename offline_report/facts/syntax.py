"""The definitions of one file's text read by its tree-sitter grammar, each blob parsed once (cached by object id)."""

from __future__ import annotations

import zlib
from collections import OrderedDict
from dataclasses import dataclass

from .grammars import grammar_of, parser
from .kinds import is_test_path
from .options import tail_of
from .patch import Pattern

MAX_PARSE_BYTES = 1_000_000     # a larger blob keeps the line reader
CACHE_BLOBS = 4096              # definitions of this many blobs are kept per process
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


class Reader:
    """What every language's walk shares: the source, the file's test-ness, and the definitions found."""

    def __init__(self, source: bytes, path: str, language: str):
        self.source, self.path, self.language = source, path, language
        self.test_file = is_test_path(path)
        self.found: list[Definition] = []

    @staticmethod
    def text(node) -> str:
        return node.text.decode("utf-8", "replace") if node is not None else ""

    def add(self, span, name: str, kind: str, public: bool, params=None, returns: str | None = None,
            owner: str = "", test: bool = False) -> None:
        role = self.role(name, owner)
        self.found.append(Definition(name, kind, public and role != "test" and not test, span.start_point[0],
                                     span.end_point[0], zlib.crc32(span.text), params, returns, role, test))

    def role(self, name: str, owner: str) -> str:
        tail = tail_of(name)
        if self.test_file or _HELPER_NAME.match(tail):
            return "test"
        owner = tail_of(owner) if owner else ""
        if tail.startswith("~") or tail == "__del__" or (tail == "drop" and owner):
            return "destructor"
        if tail in ("__init__", "__new__", "constructor") or (owner and tail == owner):
            return "constructor"
        return ""


_cache: OrderedDict = OrderedDict()


def definitions(text, path: str, language: str, blob_id: str | None = None) -> tuple[Definition, ...] | None:
    """The module-, namespace- and class-level definitions of a file's text (or of what a callable returns,
    called only when the blob is not cached), or None when no grammar reads it (no wheel for its language, too
    large, unreadable): then its facts come from its patch lines."""
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
    tree = ts_parser.parse(source)
    from .tree_walks import walk   # the walks import nothing heavy, but only a parsed file needs them

    found = walk(tree.root_node, Reader(source, path, language), grammar)
    if key is not None:
        _cache[key] = found
        if len(_cache) > CACHE_BLOBS:
            _cache.popitem(last=False)
    return found
