"""C, C++ and Java definitions on one line: records by keyword, functions by shape (type, name, parenthesis)."""

from __future__ import annotations

from .defs_base import Def
from .patch import Pattern

_C_RECORD = Pattern(r"^\s*(?:template\s*<.*>\s*)?(?:typedef\s+)?(class|struct|union|enum(?:\s+class|\s+struct)?)"
                       r"\s+(?:[A-Z_][A-Z0-9_]*\s+|alignas\s*\([^)]*\)\s+|\[\[[^\]]*\]\]\s+)*"
                       r"([A-Za-z_]\w*)\s*(?:final\s*)?(?:[:{]|$)")
_C_USING = Pattern(r"^\s*(?:template\s*<.*>\s*)?using\s+([A-Za-z_]\w*)\s*=")
_C_TYPEDEF = Pattern(r"^\s*typedef\b[^;(]*?\b([A-Za-z_]\w*)\s*;\s*$")
_C_KEYWORDS = frozenset("""return new delete throw else case goto sizeof typeof alignof decltype co_return co_await
    co_yield await yield if while for switch catch do using namespace operator typedef default
    static_assert assert not and or""".split())
_C_BUILTIN_PARAM = Pattern(r"^(?:const\s+)?(?:unsigned\s+|signed\s+)?(?:void|bool|char|short|int|long|float|double|"
                              r"size_t|\w+_t)\s*[*&]*$")
_C_PREFIX_BAD = Pattern(r"[=\"'+\-!|;{}/%^()]|<<")
_EXTERN_C = Pattern(r'^extern\s+"C(?:\+\+)?"\s*')
_C_WORD = Pattern(r"[A-Za-z_]\w*")
_C_NAME = Pattern(r"~?[A-Za-z_]\w*(?:::~?[A-Za-z_]\w*)*")
_C_NAME_CHARS = Pattern(r"[\w:~]*")
_C_TYPE_END = Pattern(r"[ \t*&>]")
_LINE_COMMENT = Pattern(r"//.*$")
_JAVA_ANNOTATIONS = Pattern(r"^(?:@[\w.]+(?:\([^)]*\))?\s+)+")
PUNCTUATION_ONLY = Pattern(r"^[\s{}()\[\];,]*$")

_JAVA_RECORD = Pattern(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*((?:(?:public|protected|private|static|final|abstract|sealed|"
                          r"non-sealed|strictfp)\s+)*)(class|interface|enum|record|@interface)\s+([A-Za-z_]\w*)")

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


def def_clike(text: str, language: str, header: bool) -> Def | None:
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
            return Def(name, kind, "public" in modifiers or "protected" in modifiers, container=True)
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
        return Def(name, "method", public)
    static = "static" in tokens
    public = not static or "::" in name
    return Def(name, "method" if "::" in name else "function", public, static=static)


def _def_c_type(stripped: str) -> Def | None:
    """A C or C++ record (class struct union enum), using alias or typedef defined on this line, or None."""
    if "class" in stripped or "struct" in stripped or "union" in stripped or "enum" in stripped:
        match = _C_RECORD.match(stripped)
        if match and not stripped.rstrip().endswith(";"):
            kind, name = match.groups()
            return Def(name, "enum" if kind.startswith("enum") else kind, True, container=kind in ("class", "struct"))
    match = _C_USING.match(stripped) if "using" in stripped else None
    if not match and "typedef" in stripped and "(" not in stripped:
        match = _C_TYPEDEF.match(stripped)
    return Def(match.group(1), "type", True) if match else None


