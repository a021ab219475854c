"""Facts read from one commit's patch without a model: symbols, dependencies, options, env vars, tests, docs."""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

# Bounds: the cost of one commit never grows past these, whatever its size.
MAX_FILES = 300               # files looked at per commit
MAX_LINES_PER_FILE = 20_000   # patch lines scanned per file
MAX_PATCH_CHARS = 4_000_000   # characters of one file's patch text read at all
MAX_LINE_CHARS = 1_000        # a longer line (minified code) is scanned up to here only
MAX_MANIFEST_CHARS = 1_000_000  # larger manifests are not parsed


@dataclass(frozen=True)
class FilePatch:
    """One file of a commit's diff, as the pipeline hands it over."""

    path: str
    status: str              # added modified deleted renamed copied typechange
    patch: str | None        # unified diff text of this file; None for binary/huge/submodule
    old_text: Callable[[], str | None] = lambda: None   # whole old file, read lazily (manifests only)
    new_text: Callable[[], str | None] = lambda: None
    old_path: str | None = None


@dataclass(frozen=True)
class Symbol:
    name: str        # "parse_config", "Server.Start", "Foo::bar" (C++ as written), "Config.load"
    kind: str        # function method class struct enum trait interface type union object
    path: str
    language: str    # python c cpp rust go java kotlin javascript typescript
    public: bool


@dataclass(frozen=True)
class DependencyChange:
    name: str
    manifest: str            # path of the manifest
    old: str | None          # spec before ("==0.15.0", "^1.2", "v1.4.0"); None when added
    new: str | None          # spec after; None when removed
    change: str              # added removed changed
    major: bool              # the first non-zero version component changed (see _is_major)
    section: str = ""        # "dependencies", "optional-dependencies.test", "dev-dependencies", "require"...


@dataclass(frozen=True)
class LockfileChange:
    path: str
    added: int               # patch lines added
    removed: int             # patch lines removed


def _flat(item: Symbol | DependencyChange | LockfileChange) -> dict:
    """A fact of plain fields as a dict, in field order (dataclasses.asdict, without its deep copy)."""
    return dict(vars(item))


@dataclass
class DiffFacts:
    symbols_added: list[Symbol] = field(default_factory=list)
    symbols_removed: list[Symbol] = field(default_factory=list)
    symbols_changed: list[Symbol] = field(default_factory=list)
    dependencies: list[DependencyChange] = field(default_factory=list)
    lockfiles: list[LockfileChange] = field(default_factory=list)
    options_added: list[str] = field(default_factory=list)
    options_removed: list[str] = field(default_factory=list)
    env_added: list[str] = field(default_factory=list)
    env_removed: list[str] = field(default_factory=list)
    tests_added: list[str] = field(default_factory=list)
    tests_removed: list[str] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    truncated: bool = False

    _LISTS = ("symbols_added", "symbols_removed", "symbols_changed", "dependencies", "lockfiles",
              "options_added", "options_removed", "env_added", "env_removed",
              "tests_added", "tests_removed", "docs")

    def as_json(self) -> dict:
        """The facts as a JSON object; every list sorted and free of duplicates.

        - symbols_added / symbols_removed / symbols_changed: [{"name", "kind", "path", "language", "public"}]
          definitions that appear only on added lines, only on removed lines, or whose definition line or
          body changed (a definition on both sides, or a changed line inside it, found through the hunk header).
        - dependencies: [{"name", "manifest", "section", "old", "new", "change", "major"}] declared
          dependencies whose spec changed; old is null when added, new is null when removed; change is
          "added" | "removed" | "changed"; major is true when the first non-zero version number changed.
        - lockfiles: [{"path", "added", "removed"}] lockfiles touched, with their added/removed line counts.
        - options_added / options_removed: command-line options ("--max-retries", Go "-name") defined only
          on added lines / only on removed lines.
        - env_added / env_removed: UPPER_CASE environment variables read only on added / only on removed lines.
        - tests_added / tests_removed: tests as "path::name" (pytest-like; JS tests by their title).
        - docs: paths of documentation files touched (.md .rst .adoc ..., anything under docs/).
        - truncated: true when a bound was hit (files per commit, lines per file, patch or manifest size).
        """
        def symbols(items: list[Symbol]) -> list[dict]:
            unique = {(s.path, s.name, s.kind, s.language, s.public): s for s in items}
            return [_flat(unique[k]) for k in sorted(unique)]

        deps = {(d.manifest, d.section, d.name, d.old or "", d.new or ""): d for d in self.dependencies}
        locks = {l.path: l for l in self.lockfiles}
        return {
            "symbols_added": symbols(self.symbols_added),
            "symbols_removed": symbols(self.symbols_removed),
            "symbols_changed": symbols(self.symbols_changed),
            "dependencies": [_flat(deps[k]) for k in sorted(deps)],
            "lockfiles": [_flat(locks[k]) for k in sorted(locks)],
            "options_added": sorted(set(self.options_added)),
            "options_removed": sorted(set(self.options_removed)),
            "env_added": sorted(set(self.env_added)),
            "env_removed": sorted(set(self.env_removed)),
            "tests_added": sorted(set(self.tests_added)),
            "tests_removed": sorted(set(self.tests_removed)),
            "docs": sorted(set(self.docs)),
            "truncated": bool(self.truncated),
        }

    @classmethod
    def from_json(cls, data: dict) -> "DiffFacts":
        """Facts back from as_json(); missing keys read as empty, unknown keys are ignored."""
        def items(key: str, kind: type) -> list:
            names = set(kind.__dataclass_fields__)
            return [kind(**{k: v for k, v in entry.items() if k in names}) for entry in data.get(key) or []]

        return cls(
            symbols_added=items("symbols_added", Symbol),
            symbols_removed=items("symbols_removed", Symbol),
            symbols_changed=items("symbols_changed", Symbol),
            dependencies=items("dependencies", DependencyChange),
            lockfiles=items("lockfiles", LockfileChange),
            **{key: list(data.get(key) or []) for key in (
                "options_added", "options_removed", "env_added", "env_removed",
                "tests_added", "tests_removed", "docs")},
            truncated=bool(data.get("truncated", False)),
        )

    def is_empty(self) -> bool:
        """True when no fact was found (truncated alone is not a fact)."""
        return not any(getattr(self, name) for name in self._LISTS)


class _Pattern:
    """A regular expression compiled on its first use, so that importing this module stays cheap.

    Its methods are the compiled pattern's own, bound into the slots on first use: a call then costs
    what a call to the compiled pattern costs, with no wrapper in between (these run per patch line).
    """

    _METHODS = ("match", "fullmatch", "search", "findall", "sub", "split")
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


# --------------------------------------------------------------------------- file kinds

_LANGUAGES = {
    ".py": "python", ".pyi": "python",
    ".c": "c", ".h": "c",
    ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp", ".hh": "cpp", ".hpp": "cpp",
    ".hxx": "cpp", ".h++": "cpp", ".cu": "cpp", ".cuh": "cpp", ".ipp": "cpp", ".inl": "cpp",
    ".rs": "rust", ".go": "go", ".java": "java", ".kt": "kotlin", ".kts": "kotlin",
    ".js": "javascript", ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".ts": "typescript", ".tsx": "typescript", ".mts": "typescript", ".cts": "typescript",
}
_HEADER_EXTS = {".h", ".hh", ".hpp", ".hxx", ".h++", ".cuh", ".inl", ".ipp"}
_SHELLISH_EXTS = {".sh", ".bash", ".zsh", ".ksh", ".yml", ".yaml", ".dockerfile", ".env"}
_DOC_EXTS = {".md", ".markdown", ".mdx", ".rst", ".adoc", ".asciidoc"}
_DOC_DIRS = {"docs", "doc", "documentation"}
_LOCKFILES = {"cargo.lock", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
              "poetry.lock", "uv.lock", "go.sum", "pipfile.lock", "pdm.lock", "gemfile.lock",
              "composer.lock", "bun.lock"}
_REQUIREMENTS_RE = _Pattern(r"(?:.*requirements.*|constraints.*)\.(?:txt|in)$")


def _ext(path: str) -> str:
    return posixpath.splitext(path)[1].lower()


def language_of(path: str) -> str | None:
    """The language whose symbols are read from this path, or None."""
    return _LANGUAGES.get(_ext(path))


def _is_doc(path: str) -> bool:
    parts = path.lower().split("/")
    return _ext(path) in _DOC_EXTS or any(part in _DOC_DIRS for part in parts[:-1])


def _is_shellish(path: str) -> bool:
    base = posixpath.basename(path).lower()
    return _ext(path) in _SHELLISH_EXTS or base.startswith("dockerfile") or base.startswith("containerfile")


def _manifest_kind(path: str) -> str | None:
    base = posixpath.basename(path).lower()
    if base in ("pyproject.toml", "setup.cfg", "cargo.toml", "go.mod", "package.json"):
        return base
    parent = posixpath.basename(posixpath.dirname(path)).lower()
    if _REQUIREMENTS_RE.match(base) or (parent == "requirements" and base.endswith((".txt", ".in"))):
        return "requirements"
    return None


# --------------------------------------------------------------------------- patch lines

_HUNK_RE = _Pattern(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@ ?(.*)$")


_SIDES = frozenset("+- ")


def _patch_lines(patch: str, bounds: list[bool]) -> list[tuple[str, str]]:
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


def _indent(text: str) -> int:
    """Width of the leading blanks: a space counts 1, a tab 4."""
    blanks = len(text) - len(text.lstrip(" \t"))
    return blanks + 3 * text.count("\t", 0, blanks)


# --------------------------------------------------------------------------- definitions

@dataclass(frozen=True)
class _Def:
    name: str
    kind: str
    public: bool
    container: bool = False     # methods defined deeper than this line are qualified with its name
    symbol: bool = True         # a Rust impl block is a container, not a symbol


_PY_DEF = _Pattern(r"^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*[(\[]")
_PY_CLASS = _Pattern(r"^\s*class\s+([A-Za-z_]\w*)\s*[(:\[]")

_GO_METHOD = _Pattern(r"^func\s*\(\s*(?:\w+\s+)?\*?\s*([A-Za-z_]\w*)(?:\[[^\]]*\])?\s*\)\s*([A-Za-z_]\w*)\s*[\[(]")
_GO_FUNC = _Pattern(r"^func\s+([A-Za-z_]\w*)\s*[\[(]")
_GO_TYPE = _Pattern(r"^type\s+([A-Za-z_]\w*)(?:\[[^\]]*\])?\s+(?:=\s*)?(struct|interface)?")

_RS_FN = _Pattern(r"^\s*(?:(pub(?:\s*\([^)]*\))?)\s+)?(?:default\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?"
                    r"(?:extern\s+(?:\"[^\"]*\"\s+)?)?fn\s+(?:r#)?([A-Za-z_]\w*)")
_RS_TYPE = _Pattern(r"^\s*(?:(pub(?:\s*\([^)]*\))?)\s+)?(?:unsafe\s+)?(struct|enum|trait|union|type)\s+([A-Za-z_]\w*)")
_RS_TYPE_WORDS = ("struct", "enum", "trait", "union", "type")
_RS_IMPL = _Pattern(r"^\s*(?:unsafe\s+)?impl\b(?:\s*<[^{]*?>)?\s+(?:(?:[\w:]+(?:<[^{]*?>)?)\s+for\s+)?"
                      r"(?:[\w]+::)*([A-Za-z_]\w*)")

_C_RECORD = _Pattern(r"^\s*(?:template\s*<.*>\s*)?(?:typedef\s+)?(class|struct|union|enum(?:\s+class|\s+struct)?)"
                       r"\s+(?:[A-Z_][A-Z0-9_]*\s+|alignas\s*\([^)]*\)\s+|\[\[[^\]]*\]\]\s+)*"
                       r"([A-Za-z_]\w*)\s*(?:final\s*)?(?:[:{]|$)")
_C_USING = _Pattern(r"^\s*(?:template\s*<.*>\s*)?using\s+([A-Za-z_]\w*)\s*=")
_C_TYPEDEF = _Pattern(r"^\s*typedef\b[^;(]*?\b([A-Za-z_]\w*)\s*;\s*$")
_C_KEYWORDS = frozenset("""return new delete throw else case goto sizeof typeof alignof decltype co_return co_await
    co_yield await yield if while for switch catch do using namespace operator typedef default
    static_assert assert not and or""".split())
_C_BUILTIN_PARAM = _Pattern(r"^(?:const\s+)?(?:unsigned\s+|signed\s+)?(?:void|bool|char|short|int|long|float|double|"
                              r"size_t|\w+_t)\s*[*&]*$")
_C_PREFIX_BAD = _Pattern(r"[=\"'+\-!|;{}/%^()]|<<")
_EXTERN_C = _Pattern(r'^extern\s+"C(?:\+\+)?"\s*')
_C_WORD = _Pattern(r"[A-Za-z_]\w*")
_C_NAME = _Pattern(r"~?[A-Za-z_]\w*(?:::~?[A-Za-z_]\w*)*")
_C_NAME_CHARS = _Pattern(r"[\w:~]*")
_C_TYPE_END = _Pattern(r"[ \t*&>]")
_LINE_COMMENT = _Pattern(r"//.*$")
_JAVA_ANNOTATIONS = _Pattern(r"^(?:@[\w.]+(?:\([^)]*\))?\s+)+")
_PUNCTUATION_ONLY = _Pattern(r"^[\s{}()\[\];,]*$")

_JAVA_RECORD = _Pattern(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*((?:(?:public|protected|private|static|final|abstract|sealed|"
                          r"non-sealed|strictfp)\s+)*)(class|interface|enum|record|@interface)\s+([A-Za-z_]\w*)")
_KT_FUN = _Pattern(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*((?:(?:public|private|protected|internal|open|override|abstract|final|"
                     r"inline|suspend|operator|infix|tailrec|external|actual|expect)\s+)*)fun\s+(?:<[^>]*>\s*)?"
                     r"(?:[\w.]+(?:<[^>]*>)?\??\.)?(`[^`]+`|[A-Za-z_]\w*)\s*\(")
_KT_RECORD = _Pattern(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*((?:(?:public|private|protected|internal|open|abstract|final|"
                        r"sealed|data|enum|inner|value|annotation|fun|companion|actual|expect)\s+)*)"
                        r"(class|interface|object|typealias)\s+([A-Za-z_]\w*)")

_JS_FUNC = _Pattern(r"^\s*(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)")
_JS_CLASS = _Pattern(r"^\s*(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(class|interface|enum)\s+"
                       r"([A-Za-z_$][\w$]*)")
_JS_CONST_ENUM = _Pattern(r"^\s*(?:export\s+)?(?:declare\s+)?const\s+enum\s+([A-Za-z_$][\w$]*)")
_TS_TYPE = _Pattern(r"^\s*(?:export\s+)?(?:declare\s+)?type\s+([A-Za-z_$][\w$]*)\s*(?:<[^=]*>)?\s*=")
_JS_ARROW = _Pattern(r"^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?"
                       r"(?:function\b|(?:\([^()]*\)|[A-Za-z_$][\w$]*)\s*(?::\s*[^=]+?)?\s*=>|\(\s*$)")
_JS_METHOD = _Pattern(r"^\s+((?:(?:static|async|public|private|protected|readonly|override|abstract|get|set)\s+)*)"
                        r"\*?\s*(#?[A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\([^()]*\)\s*(?::\s*[^{]+)?\{\s*$")
_JS_KEYWORDS = frozenset("if for while switch catch function return with constructor super do else".split())


def _py_public(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__") and len(name) > 4)


# The _def_* functions first look for a keyword their patterns need, so that most lines cost no regex.

def _def_python(text: str) -> _Def | None:
    match = _PY_DEF.match(text) if "def" in text else None
    if match:
        name = match.group(1)
        return _Def(name, "function", _py_public(name))
    match = _PY_CLASS.match(text) if "class" in text else None
    if match:
        name = match.group(1)
        return _Def(name, "class", _py_public(name), container=True)
    return None


def _def_go(text: str) -> _Def | None:
    if not text.startswith(("func", "type")):
        return None
    match = _GO_METHOD.match(text)
    if match:
        receiver, name = match.groups()
        return _Def(f"{receiver}.{name}", "method", receiver[0].isupper() and name[0].isupper())
    match = _GO_FUNC.match(text)
    if match:
        name = match.group(1)
        return _Def(name, "function", name[0].isupper())
    match = _GO_TYPE.match(text)
    if match:
        name, kind = match.group(1), match.group(2) or "type"
        return _Def(name, kind, name[0].isupper())
    return None


def _def_rust(text: str) -> _Def | None:
    match = _RS_FN.match(text) if "fn" in text else None
    if match:
        return _Def(match.group(2), "function", (match.group(1) or "") == "pub")
    match = _RS_TYPE.match(text) if any(word in text for word in _RS_TYPE_WORDS) else None
    if match:
        visibility, kind, name = match.groups()
        return _Def(name, kind, (visibility or "") == "pub", container=kind == "trait")
    match = _RS_IMPL.match(text) if "impl" in text else None
    if match:
        return _Def(match.group(1), "impl", " for " in text, container=True, symbol=False)
    return None


def _looks_like_param(arg: str) -> bool:
    arg = arg.strip()
    return (arg in ("", "void", "...") or arg.endswith(("*", "&")) or "<" in arg
            or bool(_C_BUILTIN_PARAM.match(arg)) or len(_C_WORD.findall(arg)) >= 2)


def _name_start(prefix: str) -> int | None:
    """Where the (qualified) name that ends `prefix` starts, or None: the leftmost start from which _C_NAME
    matches up to the end, as a search for it followed by `$` finds (that search backtracks badly on long lines).
    """
    # A name holds only these characters, so it starts within the run of them that ends the prefix.
    run = len(_C_NAME_CHARS.match(prefix[::-1]).group())
    for start in range(len(prefix) - run, len(prefix)):
        if _C_NAME.fullmatch(prefix, start):
            return start
    return None


def _def_clike(text: str, language: str, header: bool) -> _Def | None:
    """C, C++ and Java definitions: records by keyword, functions by shape (type, name, parenthesis)."""
    stripped = text.strip()
    if stripped.startswith("extern"):
        stripped = _EXTERN_C.sub("", stripped)
    if not stripped or stripped[0] in "#/*}{)@" or stripped.startswith("//"):
        if language == "java" and stripped.startswith("@"):
            stripped = _JAVA_ANNOTATIONS.sub("", stripped)
            if not stripped or stripped.startswith("@"):
                return None
        else:
            return None
    if language == "java":
        match = _JAVA_RECORD.match(stripped)
        if match:
            modifiers, kind, name = match.groups()
            kind = {"record": "class", "@interface": "interface"}.get(kind, kind)
            return _Def(name, kind, "public" in modifiers or "protected" in modifiers, container=True)
    else:
        definition = _def_c_type(stripped)
        if definition:
            return definition
    paren = stripped.find("(")
    if paren <= 0:
        return None
    prefix = stripped[:paren].rstrip()
    if not _C_TYPE_END.search(prefix):
        return None   # the name must follow one of these (checked below on `before`); most calls have none
    start = _name_start(prefix)
    if start is None:
        return None
    name, before = prefix[start:], prefix[:start]
    if not before.strip() or before[-1] not in " \t*&>" or _C_PREFIX_BAD.search(before):
        return None
    tokens = _C_WORD.findall(before)
    if not tokens or any(token in _C_KEYWORDS for token in tokens) or name.split("::")[-1] in _C_KEYWORDS:
        return None
    if "operator" in name:
        return None
    code = _LINE_COMMENT.sub("", stripped).rstrip()
    if code.endswith(";") and language != "java":
        # A C/C++ declaration counts in a header only, and only when its arguments look like parameters.
        if not header:
            return None
        close = code.find(")", paren)
        args = code[paren + 1:close if close > 0 else len(code)]
        if not all(_looks_like_param(arg) for arg in args.split(",")):
            return None
    if language == "java":
        public = "public" in tokens or "protected" in tokens
        return _Def(name, "method", public)
    public = "static" not in tokens or "::" in name
    return _Def(name, "method" if "::" in name else "function", public)


def _def_c_type(stripped: str) -> _Def | None:
    """A C or C++ record (class struct union enum), using alias or typedef defined on this line, or None."""
    if "class" in stripped or "struct" in stripped or "union" in stripped or "enum" in stripped:
        match = _C_RECORD.match(stripped)
        if match and not stripped.rstrip().endswith(";"):
            kind, name = match.groups()
            return _Def(name, "enum" if kind.startswith("enum") else kind, True, container=kind in ("class", "struct"))
    match = _C_USING.match(stripped) if "using" in stripped else None
    if not match and "typedef" in stripped and "(" not in stripped:
        match = _C_TYPEDEF.match(stripped)
    return _Def(match.group(1), "type", True) if match else None


def _def_kotlin(text: str) -> _Def | None:
    match = _KT_FUN.match(text)
    if match:
        modifiers, name = match.groups()
        return _Def(name.strip("`"), "function", not re.search(r"\b(?:private|internal)\b", modifiers))
    match = _KT_RECORD.match(text)
    if match:
        modifiers, kind, name = match.groups()
        kind = "type" if kind == "typealias" else ("enum" if "enum" in modifiers else kind)
        return _Def(name, kind, not re.search(r"\b(?:private|internal)\b", modifiers), container=kind != "type")
    return None


def _def_js(text: str) -> _Def | None:
    match = _JS_FUNC.match(text) or _JS_ARROW.match(text)
    if match:
        name = match.group(1)
        return _Def(name, "function", not name.startswith("_"))
    match = _JS_CLASS.match(text)
    if match:
        kind, name = match.groups()
        return _Def(name, kind, not name.startswith("_"), container=kind == "class")
    match = _JS_CONST_ENUM.match(text)
    if match:
        return _Def(match.group(1), "enum", True)
    match = _TS_TYPE.match(text)
    if match:
        return _Def(match.group(1), "type", True)
    match = _JS_METHOD.match(text)
    if match and match.group(2) not in _JS_KEYWORDS:
        modifiers, name = match.groups()
        public = not name.startswith(("_", "#")) and not re.search(r"\b(?:private|protected)\b", modifiers)
        return _Def(name, "method", public)
    return None


def _definer(language: str, header: bool) -> Callable[[str], _Def | None]:
    """The function that reads a definition from one line of this language (chosen once per file)."""
    if language in ("c", "cpp", "java"):
        return lambda text: _def_clike(text, language, header)
    return {"python": _def_python, "go": _def_go, "rust": _def_rust, "kotlin": _def_kotlin}.get(language, _def_js)


# --------------------------------------------------------------------------- tests, options, env vars

_QUALIFIER = _Pattern(r"\.|::")
_PY_TEST_FILE = _Pattern(r"(?:^|/)(?:tests?/|test_[^/]*\.py$|[^/]*_test\.py$|conftest\.py$)")
_TEST_ATTR = _Pattern(r"^\s*#\[(?:[\w:]+::)?(?:test|rstest|test_case|test_log::test|tokio::test|async_std::test)\b")
_JAVA_TEST_ANNOTATION = _Pattern(r"^\s*@(?:org\.junit\.(?:jupiter\.api\.)?)?(?:Test|ParameterizedTest|RepeatedTest|"
                                   r"TestFactory|TestTemplate)\b")
_JS_TEST = _Pattern(r"^\s*(?:it|test)(?:\.(?:only|skip|concurrent|todo|failing))?\s*\(\s*"
                      r"(?:\"([^\"]*)\"|'([^']*)'|`([^`]*)`)")
_GTEST = _Pattern(r"^\s*(?:TEST|TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P)\s*\(\s*(\w+)\s*,\s*(\w+)\s*\)")

_OPTION_CALL = _Pattern(r"(?:add_argument|click\.option|typer\.Option|\.option|\bOption)\s*\(")
_QUOTED_DASH = _Pattern(r"[\"'](-[^\"']*)[\"']")
_OPTION_TOKEN = _Pattern(r"(?:^|[\s,/|])(--?[A-Za-z][\w-]*)")
_LONE_LONG_OPTION = _Pattern(r"^\s*[\"'](--[A-Za-z][\w-]*)[\"']\s*,?\s*$")
_OPTIONISH_LINE = _Pattern(r"(?i)option|argument|\barg|flag|param")
_LONG_LITERAL = _Pattern(r"[\"'](--[A-Za-z][\w-]*)[\"']")
_GO_FLAG = _Pattern(r"\bflag\.(?:String|Int64|Int|Uint64|Uint|Bool|Float64|Duration|Func|BoolFunc|TextVar|Var)"
                      r"(?:Var)?\(\s*(?:&?[\w.\[\]]+\s*,\s*)?\"([A-Za-z][\w.-]*)\"")
_COBRA_FLAG = _Pattern(r"\.(?:Persistent)?Flags\(\)\.\w+\(\s*(?:&?[\w.\[\]]+\s*,\s*)?\"([A-Za-z][\w.-]*)\"")
_CLAP_ATTR = _Pattern(r"^\s*#\[(?:arg|clap|structopt|option)\s*\((.*)\)\]")
_CLAP_LONG_VALUE = _Pattern(r"\blong\s*=\s*\"([\w-]+)\"")
_CLAP_LONG_BARE = _Pattern(r"\blong\b(?!\s*=)")
_CLAP_BUILDER = _Pattern(r"\.long\(\s*\"([\w-]+)\"\s*\)")
_RS_FIELD = _Pattern(r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:r#)?([a-z_][a-z0-9_]*)\s*:")

_ENV_NAME = r"([A-Z_][A-Z0-9_]*)"
_ENV_CODE = _Pattern(
    r"(?:\benviron(?:\.(?:get|setdefault|pop)\s*\(|\s*\[)|\b(?:getenv|putenv|setenv|unsetenv|Getenv|LookupEnv|Setenv|"
    r"Unsetenv)\s*\(|\benv::(?:var|var_os|set_var|remove_var)\s*\(|\b(?:option_)?env!\s*\(|Deno\.env\.get\s*\()"
    r"\s*[\"']" + _ENV_NAME + r"[\"']")
_ENV_JS = _Pattern(r"\b(?:process|import\.meta)\.env(?:\.|\[\s*[\"'])" + _ENV_NAME + r"\b")
_ENV_SHELL = _Pattern(r"\$\{" + _ENV_NAME + r"\b|\$" + _ENV_NAME + r"\b|\benv\." + _ENV_NAME + r"\b")
_ENV_EXPORT = _Pattern(r"^\s*(?:export\s+)" + _ENV_NAME + r"=")
_DOCKER_ENV = _Pattern(r"^\s*ENV\s+(.*)$")
_DOCKER_ENV_NAME = _Pattern(r"(?:^|\s)" + _ENV_NAME + r"(?==|\s|$)")
_SHELL_BUILTINS = frozenset("PATH HOME PWD OLDPWD USER SHELL IFS RANDOM LINENO UID EUID HOSTNAME TERM BASH_SOURCE "
                            "BASH_REMATCH FUNCNAME PIPESTATUS SECONDS OPTARG OPTIND".split())


def _options_in(text: str, language: str) -> set[str]:
    # Every pattern below needs its own literal in the line (a quote then a dash, "flag.", ".long(", "#["):
    # most lines have none of them and are answered without a regex.
    found: set[str] = set()
    if language == "go":
        if "flag." in text:
            found.update("-" + name for name in _GO_FLAG.findall(text))
        if "Flags()" in text:
            found.update("--" + name for name in _COBRA_FLAG.findall(text))
        return found
    if language == "rust":
        if ".long(" in text:
            found.update("--" + name for name in _CLAP_BUILDER.findall(text))
        attr = _CLAP_ATTR.match(text) if "#[" in text else None
        if attr:
            found.update("--" + name for name in _CLAP_LONG_VALUE.findall(attr.group(1)))
    if '"-' not in text and "'-" not in text:
        return found
    if _OPTION_CALL.search(text):
        quoted = [option for literal in _QUOTED_DASH.findall(text) for option in _OPTION_TOKEN.findall(literal)]
        longs = [option for option in quoted if option.startswith("--")]
        found.update(longs or quoted)
    else:
        lone = _LONE_LONG_OPTION.match(text)
        if lone:
            found.add(lone.group(1))
        elif _OPTIONISH_LINE.search(text):
            found.update(_LONG_LITERAL.findall(text))
    return found


def _may_name_env(text: str, language: str | None) -> bool:
    """False when no environment pattern can match this line: each one needs one of these literals."""
    if language is not None:
        return "env" in text or "Env" in text
    return "$" in text or "env." in text or "export" in text or "ENV" in text


def _env_in(text: str, language: str | None) -> set[str]:
    if not _may_name_env(text, language):
        return set()
    # Every name is [A-Z_][A-Z0-9_]*: isupper() says it holds a letter.
    if language is not None:
        return {name for name in _ENV_CODE.findall(text) + _ENV_JS.findall(text) if name.isupper()}
    names = {a or b or c for a, b, c in _ENV_SHELL.findall(text)}
    names.update(_ENV_EXPORT.findall(text))
    docker = _DOCKER_ENV.match(text)
    if docker:
        names.update(_DOCKER_ENV_NAME.findall(docker.group(1)))
    return {name for name in names if name.isupper() and name not in _SHELL_BUILTINS}


# --------------------------------------------------------------------------- one source file

@dataclass
class _Sides:
    """What one commit's added (+) and removed (-) lines hold."""

    plus: set = field(default_factory=set)
    minus: set = field(default_factory=set)

    def add(self, side: str, item) -> None:
        (self.plus if side == "+" else self.minus).add(item)

    def added(self) -> set:
        return self.plus - self.minus

    def removed(self) -> set:
        return self.minus - self.plus


def _is_test(path: str, language: str, name: str, attributed: bool) -> bool:
    tail = _tail(name)
    if language == "python":
        return tail.startswith("test") and (tail == "test" or tail[4] == "_") and bool(_PY_TEST_FILE.search(path))
    if language == "go":
        return "." not in name and tail.startswith("Test") and (len(tail) == 4 or not tail[4].islower())
    return attributed


def _tail(name: str) -> str:
    return _QUALIFIER.split(name)[-1]


def _scan_source(path: str, language: str, patch: str, bounds: list[bool], facts: "_Collector") -> None:
    """Definitions, tests, options and env vars of one source file's patch.

    A stack of open definitions, kept by indentation, says which definition a changed line belongs to;
    a hunk header's context line (git's enclosing function) opens the stack of its hunk.
    """
    define = _definer(language, _ext(path) in _HEADER_EXTS)
    separator = "::" if language in ("cpp", "rust") else "."
    brace = language != "python"
    defs_plus: dict[str, _Def] = {}
    defs_minus: dict[str, _Def] = {}
    touched: dict[str, _Def] = {}
    tests = _Sides()
    stack: list[tuple[int, str, _Def]] = []       # (indent, qualified name, definition)
    test_attr = {"+": False, "-": False}
    clap_attr: dict[str, bool | None] = {"+": None, "-": None}   # pending #[arg(long)]: was its line changed?
    decorator: list | None = None                 # [indent, changed] of decorators above the next definition

    def touch() -> None:
        if stack:
            touched.setdefault(stack[-1][1], stack[-1][2])

    for line_side, text in _patch_lines(patch, bounds):
        sides = ("+", "-") if line_side in " @" else (line_side,)
        changed = line_side in "+-"
        if line_side == "@":
            stack.clear()
            test_attr = {"+": False, "-": False}
            clap_attr = {"+": None, "-": None}
            decorator = None
        stripped = text.strip()
        if not stripped:
            continue
        if changed:
            _changed_line_facts(line_side, text, language, facts, tests)
        if (language == "rust" and "#[" in text and _TEST_ATTR.match(text)) or (
                language in ("java", "kotlin") and "@" in text and _JAVA_TEST_ANNOTATION.match(text)):
            for side in sides:
                test_attr[side] = True
        if language == "rust":
            clap = _CLAP_ATTR.match(text) if "#[" in text else None
            if clap and _CLAP_LONG_BARE.search(clap.group(1)) and not _CLAP_LONG_VALUE.search(clap.group(1)):
                for side in sides:
                    clap_attr[side] = changed
                continue
            field_match = _RS_FIELD.match(text) if any(clap_attr[s] is not None for s in sides) else None
            if field_match:
                for side in sides:
                    if clap_attr[side] is not None and (clap_attr[side] or changed):
                        facts.options.add((side, "--" + field_match.group(1).replace("_", "-")))
        indent = _indent(text)
        definition = None if stripped[0] in "}#)]{" else define(text)
        if definition is None:
            if stripped[0] == "@" or stripped.startswith("#["):
                # Decorators, attributes, annotations: they belong to the definition that follows.
                decorator = [indent if decorator is None else decorator[0], bool(decorator and decorator[1]) or changed]
                continue
            if decorator is not None and (indent > decorator[0] or stripped[0] in ")]"):
                decorator[1] = decorator[1] or changed
                continue
            decorator = None
            if stripped[0] in ")]{" or (brace and stripped[0] == "#"):
                # A signature's continuation, an opening brace, a preprocessor line: no scope ends here.
                if changed and not _PUNCTUATION_ONLY.match(stripped):
                    touch()
                continue
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if changed and not _PUNCTUATION_ONLY.match(stripped):
                touch()
            for side in sides:
                test_attr[side] = False
                clap_attr[side] = None
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        name, kind, public = definition.name, definition.kind, definition.public
        parent = stack[-1] if stack else None
        if parent is not None and parent[2].container and not _QUALIFIER.search(name):
            name = f"{parent[1]}{separator}{name}"
            kind = "method" if kind == "function" else kind
            if language == "rust" and parent[2].kind in ("trait", "impl"):
                public = public or parent[2].public
            else:
                public = public and parent[2].public
        is_test = any(_is_test(path, language, name, test_attr[side]) for side in sides)
        definition = _Def(name, kind, public, definition.container, definition.symbol and not is_test)
        stack.append((indent, name, definition))
        if decorator is not None and decorator[1] and not changed:
            touch()
        decorator = None
        for side in sides:
            test_attr[side] = False
            clap_attr[side] = None
        if is_test:
            if changed:
                tests.add(line_side, name.replace(".", "::") if language == "python" else name)
        elif definition.symbol and line_side == "+":
            defs_plus.setdefault(name, definition)
        elif definition.symbol and line_side == "-":
            defs_minus.setdefault(name, definition)

    plus, minus = set(defs_plus), set(defs_minus)
    # A method named without its class on one side (its class line was out of the hunk) is the same method.
    # Only where one new name has that tail: two new `X::clear` and `Y::clear` leave an old `clear` unpaired.
    tails_plus: dict[str, list[str]] = {}
    for name in sorted(plus - minus):
        tails_plus.setdefault(_tail(name), []).append(name)
    for old in sorted(minus - plus):
        candidates = tails_plus.get(_tail(old), [])
        new = candidates[0] if len(candidates) == 1 else None
        if new and new in plus and (not _QUALIFIER.search(old) or not _QUALIFIER.search(new)):
            defs_plus[old] = defs_plus.pop(new)
            plus.discard(new)
            plus.add(old)
    for name in sorted(plus - minus):
        facts.symbols_added.append(_symbol(defs_plus[name], path, language))
    for name in sorted(minus - plus):
        facts.symbols_removed.append(_symbol(defs_minus[name], path, language))
    for name in sorted((plus & minus) | (set(touched) - plus - minus)):
        definition = defs_plus.get(name) or touched.get(name) or defs_minus[name]
        if definition.symbol:
            facts.symbols_changed.append(_symbol(definition, path, language))
    facts.tests_added.extend(f"{path}::{name}" for name in tests.added())
    facts.tests_removed.extend(f"{path}::{name}" for name in tests.removed())


def _changed_line_facts(side: str, text: str, language: str, facts: "_Collector", tests: _Sides) -> None:
    """Options, env vars and JavaScript or GoogleTest tests named on one added or removed line."""
    options = _options_in(text, language)
    if options:
        facts.options.update((side, option) for option in options)
    names = _env_in(text, language)
    if names:
        facts.env.update((side, name) for name in names)
    if language in ("javascript", "typescript"):
        js_test = _JS_TEST.match(text)
        if js_test:
            tests.add(side, next(group for group in js_test.groups() if group is not None))
    elif language in ("c", "cpp") and "TEST" in text:
        gtest = _GTEST.match(text)
        if gtest:
            tests.add(side, f"{gtest.group(1)}.{gtest.group(2)}")


def _symbol(definition: _Def, path: str, language: str) -> Symbol:
    return Symbol(definition.name, definition.kind, path, language, definition.public)


def _scan_shellish(patch: str, bounds: list[bool], facts: "_Collector") -> None:
    for side, text in _patch_lines(patch, bounds):
        if side in "+-":
            facts.env.update((side, name) for name in _env_in(text, None))


# --------------------------------------------------------------------------- manifests

_VERSION_RE = _Pattern(r"(===|==|>=|<=|~=|!=|\^|~|<|>|=)?\s*v?(\d+(?:\.\d+)*)")
_GO_REQUIRE = _Pattern(r"^\s*(?:require\s+)?([^\s()=]+)\s+(v\d[^\s]*)")


def _leading_version(spec: str | None) -> tuple[int, ...] | None:
    """The version a spec is about: its lower bound (==, >=, ^, ~ ...) or else its first version."""
    if not spec:
        return None
    first = None
    for operator, version in _VERSION_RE.findall(spec):
        numbers = tuple(int(part) for part in version.split(".")[:6])
        if operator not in ("<", "<=", "!="):
            return numbers
        first = first or numbers
    return first


def _is_major(old: str | None, new: str | None) -> bool:
    """Whether the first non-zero version component changed, the semver-0 rule.

    0.27 -> 0.28 is major (for 0.x the minor number is the breaking one), 1.4 -> 1.5 is not,
    1.9 -> 2.0 is; 0.0.3 -> 0.0.4 is major. Specs without a version (git, path) are never major.
    """
    before, after = _leading_version(old), _leading_version(new)
    if before is None or after is None:
        return False

    def head(version: tuple[int, ...]) -> tuple[int, ...]:
        for index, number in enumerate(version):
            if number:
                return version[:index + 1]
        return version

    width = max(len(head(before)), len(head(after)))
    pad = lambda v: (v + (0,) * width)[:width]  # noqa: E731
    return pad(before) != pad(after)


def _requirement(line: str) -> tuple[str, str] | None:
    """(canonical name, the requirement less its name) of one PEP 508 line, or None."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    line = re.split(r"(?:^|\s)#", line, maxsplit=1)[0]
    line = re.split(r"\s--?\w", line, maxsplit=1)[0].strip()
    if not line or line.startswith(("-", ".", "/")) or "://" in line.split("@")[0]:
        return None
    try:
        requirement = Requirement(line)
    except InvalidRequirement:
        return None
    text = str(requirement)
    return canonicalize_name(requirement.name), text[len(requirement.name):].strip()


def _requirements(lines: Iterable[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    pending = ""
    for line in lines:
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        parsed = _requirement(pending + line)
        pending = ""
        if parsed:
            name, spec = parsed
            found[name] = f"{found[name]} | {spec}" if name in found else spec
    return found


def _go_requires(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    block = ""
    for line in text.splitlines():
        code = line.split("//", 1)[0].strip()
        if code.endswith("(") and code[:-1].strip() in ("require", "replace", "exclude", "retract", "tool", "godebug"):
            block = code[:-1].strip()
            continue
        if code == ")":
            block = ""
            continue
        if block not in ("", "require") or "=>" in code or code.startswith(("module ", "go ", "toolchain ")):
            continue
        match = _GO_REQUIRE.match(code)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def _table_spec(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        parts = [str(value["version"])] if isinstance(value.get("version"), str) else []
        parts += [f"{key}={json.dumps(value[key], sort_keys=True)}" for key in sorted(value) if key != "version"]
        return "; ".join(parts)
    return json.dumps(value, sort_keys=True)


def _pep508_list(values) -> dict[str, str]:
    return _requirements(value for value in values if isinstance(value, str)) if isinstance(values, list) else {}


def _table(data, *keys) -> dict:
    """data[keys[0]][keys[1]]..., or {} where a level is missing or is not a table."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _pyproject(data: dict) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    project = _table(data, "project")
    for name, spec in _pep508_list(project.get("dependencies")).items():
        found["dependencies", name] = spec
    for extra, values in _table(project, "optional-dependencies").items():
        for name, spec in _pep508_list(values).items():
            found[f"optional-dependencies.{extra}", name] = spec
    for group, values in _table(data, "dependency-groups").items():
        for name, spec in _pep508_list(values).items():
            found[f"dependency-groups.{group}", name] = spec
    for name, spec in _pep508_list(_table(data, "build-system").get("requires")).items():
        found["build-system", name] = spec
    poetry = _table(data, "tool", "poetry")
    tables = {"tool.poetry.dependencies": _table(poetry, "dependencies"),
              "tool.poetry.dev-dependencies": _table(poetry, "dev-dependencies")}
    for group in _table(poetry, "group"):
        tables[f"tool.poetry.group.{group}.dependencies"] = _table(poetry, "group", group, "dependencies")
    for section, table in tables.items():
        for name, value in table.items():
            if name.lower() != "python":
                found[section, name.lower()] = _table_spec(value)
    return found


def _cargo(data: dict) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    sections = ("dependencies", "dev-dependencies", "build-dependencies")
    tables = {section: _table(data, section) for section in sections}
    tables["workspace.dependencies"] = _table(data, "workspace", "dependencies")
    for target in _table(data, "target"):
        for section in sections:
            tables[f"target.{target}.{section}"] = _table(data, "target", target, section)
    for section, table in tables.items():
        for name, value in table.items():
            found[section, name] = _table_spec(value)
    return found


def _package_json(data: dict) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for section in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        for name, value in _table(data, section).items():
            found[section, name] = _table_spec(value)
    return found


def _setup_cfg(text: str) -> dict[tuple[str, str], str]:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    found: dict[tuple[str, str], str] = {}
    if parser.has_option("options", "install_requires"):
        for name, spec in _requirements(parser.get("options", "install_requires").splitlines()).items():
            found["install_requires", name] = spec
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            for name, spec in _requirements(value.splitlines()).items():
                found[f"extras_require.{extra}", name] = spec
    return found


def _parse_manifest(kind: str, text: str) -> dict[tuple[str, str], str] | None:
    """{(section, name): spec} of one manifest's text; None when it does not parse."""
    if not text.strip():
        return {}
    if kind == "requirements":
        return {("requirements", name): spec for name, spec in _requirements(text.splitlines()).items()}
    if kind == "go.mod":
        return {("require", name): spec for name, spec in _go_requires(text).items()}
    if kind == "package.json":
        try:
            data = json.loads(text)
        except ValueError:
            return None
        return _package_json(data) if isinstance(data, dict) else None
    if kind == "setup.cfg":
        import configparser
        try:
            return _setup_cfg(text)
        except configparser.Error:
            return None
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    return _pyproject(data) if kind == "pyproject.toml" else _cargo(data)


def _patch_sides(patch: str, bounds: list[bool]) -> tuple[str, str]:
    """The old and new text as far as the patch shows them (context lines on both sides)."""
    old, new = [], []
    for side, text in _patch_lines(patch, bounds):
        if side in " -":
            old.append(text)
        if side in " +":
            new.append(text)
    return "\n".join(old), "\n".join(new)


def _manifest_changes(item: FilePatch, kind: str, bounds: list[bool]) -> list[DependencyChange]:
    old = "" if item.status == "added" else item.old_text()
    new = "" if item.status == "deleted" else item.new_text()
    if old is None or new is None:
        if kind not in ("requirements", "go.mod") or not item.patch:
            return []
        old, new = _patch_sides(item.patch, bounds)   # line-based formats read well from the patch alone
    if len(old) > MAX_MANIFEST_CHARS or len(new) > MAX_MANIFEST_CHARS:
        bounds[0] = True
        return []
    before, after = _parse_manifest(kind, old), _parse_manifest(kind, new)
    if before is None or after is None:
        return []
    changes = []
    for section, name in sorted(set(before) | set(after)):
        was, now = before.get((section, name)), after.get((section, name))
        if was == now:
            continue
        change = "added" if was is None else "removed" if now is None else "changed"
        changes.append(DependencyChange(name, item.path, was, now, change, _is_major(was, now), section))
    return changes


def _lockfile_change(item: FilePatch, bounds: list[bool]) -> LockfileChange:
    """Added and removed lines only: lockfiles are long, and their own manifests say what changed."""
    patch = item.patch or ""
    if len(patch) > MAX_PATCH_CHARS:
        patch, bounds[0] = patch[:MAX_PATCH_CHARS], True
    start = patch.find("\n@@")
    added = removed = 0
    if start >= 0 or patch.startswith("@@"):
        for raw in patch[max(start, 0):].split("\n"):
            if raw[:1] == "+":
                added += 1
            elif raw[:1] == "-":
                removed += 1
    return LockfileChange(item.path, added, removed)


# --------------------------------------------------------------------------- the commit

@dataclass
class _Collector:
    symbols_added: list[Symbol] = field(default_factory=list)
    symbols_removed: list[Symbol] = field(default_factory=list)
    symbols_changed: list[Symbol] = field(default_factory=list)
    tests_added: list[str] = field(default_factory=list)
    tests_removed: list[str] = field(default_factory=list)
    options: set = field(default_factory=set)     # (side, option)
    env: set = field(default_factory=set)         # (side, name)


def _split(pairs: set) -> tuple[list[str], list[str]]:
    sides = _Sides({item for side, item in pairs if side == "+"}, {item for side, item in pairs if side == "-"})
    return sorted(sides.added()), sorted(sides.removed())


def diff_facts(files: Iterable[FilePatch]) -> DiffFacts:
    """Facts of one commit from its files' patches (and, for manifests, their whole old and new texts).

    Bounded: at most MAX_FILES files, MAX_LINES_PER_FILE patch lines each; `truncated` says a bound was hit.
    An option or environment variable counts as added only when it appears on added lines and on no removed
    line of the same commit, and the other way round.
    """
    facts = DiffFacts()
    collector = _Collector()
    bounds = [False]
    for count, item in enumerate(files):
        if count >= MAX_FILES:
            bounds[0] = True
            break
        path = item.path
        if _is_doc(path):
            facts.docs.append(path)
        base = posixpath.basename(path).lower()
        if base in _LOCKFILES:
            facts.lockfiles.append(_lockfile_change(item, bounds))
            continue
        kind = _manifest_kind(path)
        if kind:
            facts.dependencies.extend(_manifest_changes(item, kind, bounds))
            continue
        if not item.patch:
            continue
        language = language_of(path)
        if language:
            _scan_source(path, language, item.patch, bounds, collector)
        elif _is_shellish(path):
            _scan_shellish(item.patch, bounds, collector)
    facts.symbols_added = collector.symbols_added
    facts.symbols_removed = collector.symbols_removed
    facts.symbols_changed = collector.symbols_changed
    facts.tests_added = sorted(set(collector.tests_added))
    facts.tests_removed = sorted(set(collector.tests_removed))
    facts.options_added, facts.options_removed = _split(collector.options)
    facts.env_added, facts.env_removed = _split(collector.env)
    facts.docs = sorted(set(facts.docs))
    facts.truncated = bounds[0]
    return facts
