"""Python, Go, Rust, Kotlin, JavaScript and TypeScript definitions on one line, and the reader for each language."""

from __future__ import annotations

import re
from typing import Callable

from .defs_base import Def
from .defs_c import def_clike
from .patch import Pattern

_PY_DEF = Pattern(r"^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*[(\[]")
_PY_CLASS = Pattern(r"^\s*class\s+([A-Za-z_]\w*)\s*[(:\[]")

_GO_METHOD = Pattern(r"^func\s*\(\s*(?:\w+\s+)?\*?\s*([A-Za-z_]\w*)(?:\[[^\]]*\])?\s*\)\s*([A-Za-z_]\w*)\s*[\[(]")
_GO_FUNC = Pattern(r"^func\s+([A-Za-z_]\w*)\s*[\[(]")
_GO_TYPE = Pattern(r"^type\s+([A-Za-z_]\w*)(?:\[[^\]]*\])?\s+(?:=\s*)?(struct|interface)?")

_RS_FN = Pattern(r"^\s*(?:(pub(?:\s*\([^)]*\))?)\s+)?(?:default\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?"
                    r"(?:extern\s+(?:\"[^\"]*\"\s+)?)?fn\s+(?:r#)?([A-Za-z_]\w*)")
_RS_TYPE = Pattern(r"^\s*(?:(pub(?:\s*\([^)]*\))?)\s+)?(?:unsafe\s+)?(struct|enum|trait|union|type)\s+([A-Za-z_]\w*)")
_RS_TYPE_WORDS = ("struct", "enum", "trait", "union", "type")
_RS_IMPL = Pattern(r"^\s*(?:unsafe\s+)?impl\b(?:\s*<[^{]*?>)?\s+(?:(?:[\w:]+(?:<[^{]*?>)?)\s+for\s+)?"
                      r"(?:[\w]+::)*([A-Za-z_]\w*)")
_KT_FUN = Pattern(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*((?:(?:public|private|protected|internal|open|override|abstract|final|"
                     r"inline|suspend|operator|infix|tailrec|external|actual|expect)\s+)*)fun\s+(?:<[^>]*>\s*)?"
                     r"(?:[\w.]+(?:<[^>]*>)?\??\.)?(`[^`]+`|[A-Za-z_]\w*)\s*\(")
_KT_RECORD = Pattern(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*((?:(?:public|private|protected|internal|open|abstract|final|"
                        r"sealed|data|enum|inner|value|annotation|fun|companion|actual|expect)\s+)*)"
                        r"(class|interface|object|typealias)\s+([A-Za-z_]\w*)")

_JS_FUNC = Pattern(r"^\s*(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)")
_JS_CLASS = Pattern(r"^\s*(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(class|interface|enum)\s+"
                       r"([A-Za-z_$][\w$]*)")
_JS_CONST_ENUM = Pattern(r"^\s*(?:export\s+)?(?:declare\s+)?const\s+enum\s+([A-Za-z_$][\w$]*)")
_TS_TYPE = Pattern(r"^\s*(?:export\s+)?(?:declare\s+)?type\s+([A-Za-z_$][\w$]*)\s*(?:<[^=]*>)?\s*=")
_JS_ARROW = Pattern(r"^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?"
                       r"(?:function\b|(?:\([^()]*\)|[A-Za-z_$][\w$]*)\s*(?::\s*[^=]+?)?\s*=>|\(\s*$)")
_JS_METHOD = Pattern(r"^\s+((?:(?:static|async|public|private|protected|readonly|override|abstract|get|set)\s+)*)"
                        r"\*?\s*(#?[A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\([^()]*\)\s*(?::\s*[^{]+)?\{\s*$")
_JS_KEYWORDS = frozenset("if for while switch catch function return with constructor super do else".split())


def _py_public(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__") and len(name) > 4)


# The _def_* functions first look for a keyword their patterns need, so that most lines cost no regex.

def _def_python(text: str) -> Def | None:
    match = _PY_DEF.match(text) if "def" in text else None
    if match:
        name = match.group(1)
        return Def(name, "function", _py_public(name))
    match = _PY_CLASS.match(text) if "class" in text else None
    if match:
        name = match.group(1)
        return Def(name, "class", _py_public(name), container=True)
    return None


def _def_go(text: str) -> Def | None:
    if not text.startswith(("func", "type")):
        return None
    match = _GO_METHOD.match(text)
    if match:
        receiver, name = match.groups()
        return Def(f"{receiver}.{name}", "method", receiver[0].isupper() and name[0].isupper())
    match = _GO_FUNC.match(text)
    if match:
        name = match.group(1)
        return Def(name, "function", name[0].isupper())
    match = _GO_TYPE.match(text)
    if match:
        name, kind = match.group(1), match.group(2) or "type"
        return Def(name, kind, name[0].isupper())
    return None


def _def_rust(text: str) -> Def | None:
    match = _RS_FN.match(text) if "fn" in text else None
    if match:
        return Def(match.group(2), "function", (match.group(1) or "") == "pub")
    match = _RS_TYPE.match(text) if any(word in text for word in _RS_TYPE_WORDS) else None
    if match:
        visibility, kind, name = match.groups()
        return Def(name, kind, (visibility or "") == "pub", container=kind == "trait")
    match = _RS_IMPL.match(text) if "impl" in text else None
    if match:
        return Def(match.group(1), "impl", " for " in text, container=True, symbol=False)
    return None



def _def_kotlin(text: str) -> Def | None:
    match = _KT_FUN.match(text)
    if match:
        modifiers, name = match.groups()
        return Def(name.strip("`"), "function", not re.search(r"\b(?:private|internal)\b", modifiers))
    match = _KT_RECORD.match(text)
    if match:
        modifiers, kind, name = match.groups()
        kind = "type" if kind == "typealias" else ("enum" if "enum" in modifiers else kind)
        return Def(name, kind, not re.search(r"\b(?:private|internal)\b", modifiers), container=kind != "type")
    return None


def _def_js(text: str) -> Def | None:
    # At module level only what is exported is public (the scan keeps methods to their class's visibility).
    exported = text.lstrip().startswith("export") or text[:1] in " \t"
    match = _JS_FUNC.match(text) or _JS_ARROW.match(text)
    if match:
        name = match.group(1)
        return Def(name, "function", exported and not name.startswith("_"))
    match = _JS_CLASS.match(text)
    if match:
        kind, name = match.groups()
        return Def(name, kind, exported and not name.startswith("_"), container=kind == "class")
    match = _JS_CONST_ENUM.match(text)
    if match:
        return Def(match.group(1), "enum", True)
    match = _TS_TYPE.match(text)
    if match:
        return Def(match.group(1), "type", True)
    match = _JS_METHOD.match(text)
    if match and match.group(2) not in _JS_KEYWORDS:
        modifiers, name = match.groups()
        public = not name.startswith(("_", "#")) and not re.search(r"\b(?:private|protected)\b", modifiers)
        return Def(name, "method", public)
    return None



def definer(language: str, header: bool) -> Callable[[str], Def | None]:
    """The function that reads a definition from one line of this language (chosen once per file)."""
    if language in ("c", "cpp") and not header:
        def define(text: str) -> Def | None:
            # In a source a line ending in ";" is a statement or a declaration, never a definition (but an alias).
            if text[-1:] == ";" and "using" not in text and "typedef" not in text:
                return None
            return def_clike(text, language, False)
        return define
    if language in ("c", "cpp", "java"):
        return lambda text: def_clike(text, language, header)
    return {"python": _def_python, "go": _def_go, "rust": _def_rust, "kotlin": _def_kotlin}.get(language, _def_js)


