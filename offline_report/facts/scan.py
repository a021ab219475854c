"""One source file's patch read line by line: its definitions (with parameters and visibility), tests, options
and environment variables.

A stack of open definitions, kept by indentation, says which definition a changed line belongs to; a hunk
header's context line (git's enclosing function) opens the stack of its hunk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .defs import definer
from .defs_base import Def
from .defs_c import PUNCTUATION_ONLY
from .kinds import is_header, is_test_path
from .model import SignatureChange, Symbol
from .options import (CLAP_ATTR, CLAP_LONG_BARE, CLAP_LONG_VALUE, GTEST, JAVA_TEST_ANNOTATION, JS_TEST, QUALIFIER,
                      RS_FIELD, TEST_ATTR, Sides, env_in, is_test, options_in, tail_of)
from .params import closed, compare, open_paren, parse_params
from .patch import Pattern, indent, patch_lines

MAX_SIGNATURE_LINES = 40
_ACCESS = Pattern(r"^(public|private|protected)(?:\s+\w+)?\s*:(?!:)")
_ANON_NAMESPACE = Pattern(r"^(?:inline\s+)?namespace\s*\{")
_NAME_FIRST = Pattern(r"^~?[A-Za-z_][\w:~]*\s*\(")
_TYPE_LINE = Pattern(r"^(?:template\s*<.*>\s*)?[A-Za-z_][\w:<>,*&\s]*[\w>*&]$")
_NOT_A_TYPE = frozenset("return else case goto break continue default throw delete new using public private "
                        "protected do if while for switch".split())
_HELPER_NAME = Pattern(r"^(?:Fake|Mock|Stub|Dummy|Spy)[A-Z_]")
_FUNCTIONS = ("function", "method")
_SIDES_OF = {"+": ("+",), "-": ("-",), " ": ("+", "-"), "@": ("+", "-")}
_NOT_TYPE_ENDS = frozenset(";{}(),:=\"'/")


@dataclass
class Collector:
    """What the files of one commit yield, before added and removed are paired up."""

    symbols_added: list[Symbol] = field(default_factory=list)
    symbols_removed: list[Symbol] = field(default_factory=list)
    symbols_changed: list[Symbol] = field(default_factory=list)
    signatures: list[SignatureChange] = field(default_factory=list)
    tests_added: list[str] = field(default_factory=list)
    tests_removed: list[str] = field(default_factory=list)
    options: set = field(default_factory=set)     # (side, option)
    env: set = field(default_factory=set)         # (side, name)


@dataclass
class _Open:
    """A definition open on the stack: its indent and qualified name, and the access section it is in."""

    indent: int
    name: str
    definition: Def
    access: str | None = None     # C++ class: public private protected; None: unknown or not a class


class _FileScan:
    def __init__(self, path: str, language: str, facts: Collector, definitions: bool = True):
        self.path, self.language, self.facts = path, language, facts
        self.define = definer(language, is_header(path)) if definitions else _no_definition
        self.separator = "::" if language in ("c", "cpp", "rust") else "."   # a .h is read as C, its classes C++
        self.clike = language in ("c", "cpp")
        self.test_file = is_test_path(path)
        self.defs = {"+": {}, "-": {}}                     # side -> name -> Def, definitions on changed lines
        self.params: dict[str, dict[str, str]] = {"+": {}, "-": {}}   # side -> name -> "(signature text)"
        self.pending: dict[str, list | None] = {"+": None, "-": None}   # [name, text, lines] of an open signature
        self.touched: dict[str, Def] = {}
        self.parsed_texts: dict[str, tuple[str, ...]] = {}
        self.tests = Sides()
        self.stack: list[_Open] = []
        self.reset()

    def reset(self) -> None:
        self.stack.clear()
        self.test_attr = {"+": False, "-": False}
        self.clap_attr: dict[str, bool | None] = {"+": None, "-": None}   # pending #[arg(long)]: line changed?
        self.clap_pending = False
        self.decorator: list | None = None          # [indent, changed] of decorators above the next definition
        self.type_line = {"+": None, "-": None}      # C/C++: a return type alone on the line before
        self.anonymous = {"+": False, "-": False}    # C++: inside an anonymous namespace
        self.pending = {"+": None, "-": None}
        self.signing = False                         # a signature is open on some side
        self.outer_access: str | None = None         # C++: an access label seen with no class open

    def touch(self) -> None:
        if self.stack:
            self.touched.setdefault(self.stack[-1].name, self.stack[-1].definition)

    # ------------------------------------------------------------------ one line

    def line(self, line_side: str, text: str) -> None:
        stripped = text.strip()
        if line_side == "@":
            self.reset()
        if not stripped:
            return
        sides = _SIDES_OF[line_side]
        changed = line_side in "+-"
        if self.signing:
            self.signature_line(sides, text)
        if changed:
            self.changed_line(line_side, text)
        if (self.clap_pending or "#[" in text or "@" in text) and self.attributes(sides, changed, text):
            return
        if self.clike and stripped[0] in "pin}" and self.scope_line(sides, stripped):
            return
        indent_ = len(text) - len(text.lstrip(" \t"))
        if "\t" in text[:indent_]:
            indent_ = indent(text)
        signature = text
        definition = None if stripped[0] in "}#)]{" else self.define(text)
        if definition is None and self.clike and (self.type_line["+"] or self.type_line["-"]):
            before = next((self.type_line[s] for s in sides if self.type_line[s]), None)
            if before and _NAME_FIRST.match(stripped):
                signature = f"{before} {stripped}"
                definition = self.define(signature)
        if self.clike:
            type_line = stripped if stripped[-1] not in _NOT_TYPE_ENDS and self.is_type_line(stripped) else None
            if type_line or self.type_line["+"] or self.type_line["-"]:
                for side in sides:
                    self.type_line[side] = type_line
        parent = self.parent(indent_) if definition is not None else None
        if definition is not None and parent is not None and parent.definition.kind in _FUNCTIONS \
                and not parent.definition.container and definition.kind in _FUNCTIONS:
            definition, self.decorator = None, None      # a nested function is part of the one around it
        if definition is None:
            self.plain_line(sides, changed, stripped, indent_)
        else:
            self.definition_line(line_side, sides, changed, definition, indent_, signature)

    def changed_line(self, side: str, text: str) -> None:
        """Options, env vars and JavaScript or GoogleTest tests named on one added or removed line."""
        facts, language = self.facts, self.language
        options = options_in(text, language)
        if options:
            facts.options.update((side, option) for option in options)
        names = env_in(text, language)
        if names:
            facts.env.update((side, name) for name in names)
        if language in ("javascript", "typescript"):
            js_test = JS_TEST.match(text)
            if js_test:
                self.tests.add(side, next(group for group in js_test.groups() if group is not None))
        elif self.clike and "TEST" in text:
            gtest = GTEST.match(text)
            if gtest:
                self.tests.add(side, f"{gtest.group(1)}.{gtest.group(2)}")

    def attributes(self, sides: tuple, changed: bool, text: str) -> bool:
        """Test attributes and Rust clap attributes; True when the line is wholly consumed."""
        language = self.language
        if (language == "rust" and "#[" in text and TEST_ATTR.match(text)) or (
                language in ("java", "kotlin") and "@" in text and JAVA_TEST_ANNOTATION.match(text)):
            for side in sides:
                self.test_attr[side] = True
        if language != "rust":
            return False
        clap = CLAP_ATTR.match(text) if "#[" in text else None
        if clap and CLAP_LONG_BARE.search(clap.group(1)) and not CLAP_LONG_VALUE.search(clap.group(1)):
            for side in sides:
                self.clap_attr[side] = changed
            self.clap_pending = True
            return True
        field_match = RS_FIELD.match(text) if any(self.clap_attr[s] is not None for s in sides) else None
        if field_match:
            for side in sides:
                if self.clap_attr[side] is not None and (self.clap_attr[side] or changed):
                    self.facts.options.add((side, "--" + field_match.group(1).replace("_", "-")))
        return False

    def scope_line(self, sides: tuple, stripped: str) -> bool:
        """C++ access labels and anonymous namespaces: they set the visibility of what follows."""
        if stripped[0] in "pP" and (access := _ACCESS.match(stripped)):
            for open_ in reversed(self.stack):
                if open_.definition.container and open_.definition.kind in ("class", "struct"):
                    open_.access = access.group(1)
                    break
            else:   # the class line is above the hunk (git often names the label as the hunk's context)
                self.outer_access = access.group(1)
            return True
        if stripped[0] in "in" and _ANON_NAMESPACE.match(stripped):
            for side in sides:
                self.anonymous[side] = True
            return True
        if stripped[0] == "}" and "namespace" in stripped:
            for side in sides:
                self.anonymous[side] = False
        return False

    @staticmethod
    def is_type_line(stripped: str) -> bool:
        """A line that can be a return type, with the function's name on the next line."""
        if stripped.endswith(":") or not _TYPE_LINE.match(stripped):
            return False
        return not any(word in _NOT_A_TYPE for word in stripped.replace("*", " ").replace("&", " ").split())

    def parent(self, indent_: int) -> _Open | None:
        for open_ in reversed(self.stack):
            if open_.indent < indent_:
                return open_
        return None

    def plain_line(self, sides: tuple, changed: bool, stripped: str, indent_: int) -> None:
        decorator = self.decorator
        if stripped[0] == "@" or stripped.startswith("#["):
            # Decorators, attributes, annotations: they belong to the definition that follows.
            self.decorator = [indent_ if decorator is None else decorator[0], bool(decorator and decorator[1]) or changed]
            return
        if decorator is not None and (indent_ > decorator[0] or stripped[0] in ")]"):
            decorator[1] = decorator[1] or changed
            return
        self.decorator = None
        if stripped[0] in ")]{" or (self.language != "python" and stripped[0] == "#"):
            # A signature's continuation, an opening brace, a preprocessor line: no scope ends here.
            if changed and not PUNCTUATION_ONLY.match(stripped):
                self.touch()
            return
        stack = self.stack
        while stack and stack[-1].indent >= indent_:
            stack.pop()
        if changed and not PUNCTUATION_ONLY.match(stripped):
            self.touch()
        if self.clap_pending or self.test_attr["+"] or self.test_attr["-"]:
            for side in sides:
                self.test_attr[side] = False
                self.clap_attr[side] = None

    def definition_line(self, line_side: str, sides: tuple, changed: bool, definition: Def, indent_: int,
                        signature: str) -> None:
        stack = self.stack
        while stack and stack[-1].indent >= indent_:
            stack.pop()
        parent = stack[-1] if stack else None
        name, kind, public = definition.name, definition.kind, definition.public
        if parent is not None and parent.definition.container and not QUALIFIER.search(name):
            name = f"{parent.name}{self.separator}{name}"
            kind = "method" if kind == "function" else kind
            if self.language == "rust" and parent.definition.kind in ("trait", "impl"):
                public = public or parent.definition.public
            else:
                public = (public or definition.static) and parent.definition.public
                public = public and parent.access not in ("private", "protected")
        if any(self.anonymous[side] for side in sides):
            public = False
        if parent is None and indent_ > 0 and self.outer_access in ("private", "protected"):
            public = False
        is_test_ = any(is_test(self.path, self.language, name, self.test_attr[side]) for side in sides)
        role = self.role(name, parent)
        definition = Def(name, kind, public and role != "test", definition.container,
                         definition.symbol and not is_test_, role=role)
        stack.append(_Open(indent_, name, definition, self.default_access(definition, line_side)))
        if self.decorator is not None and self.decorator[1] and not changed:
            self.touch()
        self.decorator = None
        for side in sides:
            self.test_attr[side] = False
            self.clap_attr[side] = None
        if kind in _FUNCTIONS and not definition.container:
            self.signature_start(sides, name, signature)
        if is_test_:
            if changed:
                self.tests.add(line_side, name.replace(".", "::") if self.language == "python" else name)
        elif definition.symbol and changed:
            self.defs[line_side].setdefault(name, definition)

    def default_access(self, definition: Def, line_side: str) -> str | None:
        """A C++ class opens private, a struct public: known only where the class line is in the hunk itself."""
        if not self.clike or line_side == "@" or not definition.container:
            return None
        return {"class": "private", "struct": "public"}.get(definition.kind)

    def role(self, name: str, parent: _Open | None) -> str:
        tail = tail_of(name)
        if self.test_file or _HELPER_NAME.match(tail):
            return "test"
        parts = QUALIFIER.split(name)
        owner = parts[-2] if len(parts) > 1 else (parent.name.split(self.separator)[-1] if parent else "")
        if tail.startswith("~") or tail == "__del__" or tail == "drop" and owner:
            return "destructor"
        if tail in ("__init__", "__new__", "constructor") or (owner and tail == owner):
            return "constructor"
        return ""

    # ------------------------------------------------------------------ parameters

    def signature_start(self, sides: tuple, name: str, text: str) -> None:
        at = open_paren(text, name)
        if at < 0:
            return
        rest = text[at:]
        for side in sides:
            self.pending[side] = [name, rest, 0, 0, 0]   # name, text, lines, scanned up to, depth there
            self.signature_done(side)

    def signature_line(self, sides: tuple, text: str) -> None:
        for side in sides:
            pending = self.pending[side]
            if pending is not None:
                pending[1] += "\n" + text
                pending[2] += 1
                self.signature_done(side)

    def signature_done(self, side: str) -> None:
        pending = self.pending[side]
        name, text, lines, start, depth = pending
        end, depth = closed(text, start, depth)
        if end is not None:
            self.params[side].setdefault(name, text[:end])   # parsed in finish(), for the names it needs
            self.pending[side] = None
        elif lines >= MAX_SIGNATURE_LINES:
            self.pending[side] = None
        else:
            pending[3], pending[4] = len(text), depth
        self.signing = self.pending["+"] is not None or self.pending["-"] is not None

    # ------------------------------------------------------------------ the file's facts

    def finish(self) -> None:
        plus, minus = dict(self.defs["+"]), dict(self.defs["-"])
        _pair_unqualified(plus, minus)
        facts, path, language = self.facts, self.path, self.language
        for name in sorted(set(plus) - set(minus)):
            facts.symbols_added.append(self.symbol(plus[name], "+"))
        for name in sorted(set(minus) - set(plus)):
            facts.symbols_removed.append(self.symbol(minus[name], "-"))
        for name in sorted((set(plus) & set(minus)) | (set(self.touched) - set(plus) - set(minus))):
            definition = plus.get(name) or self.touched.get(name) or minus[name]
            if not definition.symbol:
                continue
            facts.symbols_changed.append(self.symbol(definition, "+", with_params=False))
            old_text, new_text = self.params["-"].get(name), self.params["+"].get(name)
            change = {}
            if old_text is not None and new_text is not None and old_text != new_text:
                change = compare(self.parsed("-", name), self.parsed("+", name))
            if change:
                facts.signatures.append(SignatureChange(name, definition.kind, path, language, definition.public,
                                                        **change))
        facts.tests_added.extend(f"{path}::{name}" for name in self.tests.added())
        facts.tests_removed.extend(f"{path}::{name}" for name in self.tests.removed())

    def parsed(self, side: str, name: str) -> tuple[str, ...] | None:
        text = self.params[side].get(name)
        if text is None:
            return None
        if text not in self.parsed_texts:
            self.parsed_texts[text] = parse_params(text, self.language)
        return self.parsed_texts[text]

    def symbol(self, definition: Def, side: str, with_params: bool = True) -> Symbol:
        """A definition as a fact; a changed one's parameters are said by its signature change, if any."""
        params = self.parsed(side, definition.name) if with_params else None
        if params is None and with_params:
            params = self.parsed("-" if side == "+" else "+", definition.name)
        return Symbol(definition.name, definition.kind, self.path, self.language, definition.public, params,
                      definition.role)


def _pair_unqualified(plus: dict[str, Def], minus: dict[str, Def]) -> None:
    """A method named without its class on one side (its class line was out of the hunk) is the same method.

    Only where one new name has that tail: two new `X::clear` and `Y::clear` leave an old `clear` unpaired.
    """
    tails_plus: dict[str, list[str]] = {}
    for name in sorted(set(plus) - set(minus)):
        tails_plus.setdefault(tail_of(name), []).append(name)
    for old in sorted(set(minus) - set(plus)):
        candidates = tails_plus.get(tail_of(old), [])
        new = candidates[0] if len(candidates) == 1 else None
        if new and new in plus and (not QUALIFIER.search(old) or not QUALIFIER.search(new)):
            plus[old] = plus.pop(new)


def _no_definition(text: str) -> None:
    return None


def scan_source(path: str, language: str, patch: str, bounds: list[bool], facts: Collector,
                definitions: bool = True) -> None:
    """Definitions, signatures, tests, options and env vars of one source file's patch (without definitions:
    the parser read them)."""
    scan = _FileScan(path, language, facts, definitions)
    if not definitions and language != "rust":
        # Options, environment variables and tests named by a call need the changed lines alone (a Rust clap
        # attribute needs the field under it).
        for side, text in patch_lines(patch, bounds):
            if side == "+" or side == "-":
                scan.changed_line(side, text)
    else:
        for side, text in patch_lines(patch, bounds):
            scan.line(side, text)
    scan.finish()


def scan_shellish(patch: str, bounds: list[bool], facts: Collector) -> None:
    for side, text in patch_lines(patch, bounds):
        if side in "+-":
            facts.env.update((side, name) for name in env_in(text, None))
