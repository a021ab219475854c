"""A definition's parameters from its signature text: names, and "name=" where a default is given."""

from __future__ import annotations


from .patch import Pattern

MAX_SIGNATURE_CHARS = 2_000
_WORDS = Pattern(r"[A-Za-z_$][\w$]*")
_BLOCK_COMMENT = Pattern(r"/\*.*?\*/")
_LINE_COMMENT = Pattern(r"(?://|#(?!\[)).*?(?=\n|$)")
_OPEN, _CLOSE = "([{<", ")]}>"
_PARENS = Pattern(r"[()]")
_TAIL = Pattern(r"\.|::")
_SELF = frozenset({"self", "cls", "&self", "&mut self", "mut self", "this"})


def open_paren(text: str, name: str) -> int:
    """Where the parameter list of `name` opens on this line (after any generic list), or -1."""
    tail = _TAIL.split(name)[-1]
    at = text.find(tail)
    first = -1
    while at >= 0:
        after = at + len(tail)
        if at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_$"):
            rest = text[after:].lstrip()
            if rest[:1] in ("<", "["):    # a generic list: its end, then the parenthesis
                close = rest.find(">" if rest[0] == "<" else "]")
                rest = rest[close + 1:].lstrip() if close > 0 else rest
            if rest[:1] == "(":
                return len(text) - len(rest)
            first = first if first >= 0 else after
        at = text.find(tail, after)
    return text.find("(", first) if first >= 0 else -1


def closed(text: str, start: int = 0, depth: int = 0) -> tuple[int | None, int]:
    """(the index just past the ")" that closes the "(" at text[0], or None while it is still open; the depth
    reached). Resumes from `start` at `depth`, so that a signature read line by line is scanned once."""
    for match in _PARENS.finditer(text, start):
        depth += 1 if match.group() == "(" else -1
        if depth == 0:
            return match.end(), 0
    return None, depth


def split_top(text: str) -> list[str]:
    """Comma-separated parts outside brackets (a default value or a type may hold commas of its own)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE and not (char == ">" and text[index - 1:index] in "-="):
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def _default_split(part: str) -> tuple[str, bool]:
    """The part before a top-level "=" (not ==, =>, <=), and whether there was one."""
    depth = 0
    for index, char in enumerate(part):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
        elif char == "=" and depth == 0 and part[index + 1:index + 2] not in ("=", ">") \
                and part[index - 1:index] not in ("=", "!", "<", ">"):
            return part[:index].strip(), True
    return part.strip(), False


def _name(decl: str, language: str) -> str:
    """The parameter's name in one declaration, by where each language puts it."""
    if language in ("python", "rust", "kotlin", "typescript", "javascript"):
        head = decl.split(":", 1)[0].strip() if not decl.startswith(("{", "[")) else decl
        if head.startswith(("{", "[")):
            return "{…}"
        words = _WORDS.findall(head)
        stars = "**" if head.startswith("**") else "*" if head.startswith("*") else ""
        dots = "..." if head.startswith("...") else ""
        return (stars + dots + words[-1].rstrip("?")) if words else head
    if language == "go":
        words = decl.split()
        return words[0] if words else decl
    # C, C++, Java: the last word, less array brackets; a lone type (an unnamed parameter) stands as it is.
    decl = decl.split("[", 1)[0].strip()
    words = _WORDS.findall(decl)
    if decl in ("...", ""):
        return decl
    if len(words) <= 1 or decl.endswith(("*", "&", ">")):
        return " ".join(decl.split())
    return words[-1]


def parse_params(signature: str, language: str) -> tuple[str, ...]:
    """("a", "b=") from "(a, b=3)": each parameter's name, with "=" where it has a default."""
    inner = signature[1:-1] if signature.endswith(")") else signature[1:]
    inner = _BLOCK_COMMENT.sub(" ", inner[:MAX_SIGNATURE_CHARS])
    inner = _LINE_COMMENT.sub(" ", inner) if "//" in inner or (language == "python" and "#" in inner) else inner
    found = []
    for part in split_top(inner):
        decl, has_default = _default_split(part)
        if language == "python" and decl in ("/", "*"):
            continue
        if decl in _SELF or decl.split(":")[0].strip() in ("self", "&self", "&mut self", "mut self"):
            continue
        if language in ("c", "cpp") and decl == "void":
            continue
        name = _name(decl, language)
        if name:
            found.append(name + ("=" if has_default else ""))
    return tuple(found)


def compare(old: tuple[str, ...], new: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Parameters added, removed, that gained a default, that lost one; empty when the names and defaults agree."""
    bare = lambda params: {p.rstrip("="): p.endswith("=") for p in params}  # noqa: E731
    before, after = bare(old), bare(new)
    change = {
        "added": tuple(p for p in new if p.rstrip("=") not in before),
        "removed": tuple(p for p in old if p.rstrip("=") not in after),
        "defaulted": tuple(n for n in after if n in before and after[n] and not before[n]),
        "required": tuple(n for n in after if n in before and before[n] and not after[n]),
    }
    return {key: value for key, value in change.items() if value}
