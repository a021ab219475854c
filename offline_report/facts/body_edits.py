"""One side's definitions from the other's, unparsed, when every change of the diff lies inside function bodies.

Most commits change what functions do, not which functions there are. A change whose lines all lie strictly
inside the body of a module-, namespace- or class-level function, and whose text cannot end that body (its
brackets balance, no string or comment is left open, no preprocessor conditional, in Python no line at or left
of the function's own indentation), cannot add, remove or re-sign a definition: the other side's definitions are
these ones moved down or up by the lines the changes add or remove, with the digests of the functions holding a
change read again from the other side's text. So do blank lines and comments anywhere, and in C and its kin
includes, macros and pragmas where a declaration may stand. Anything else is parsed."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

from .syntax import Definition, line_digest, line_starts

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")   # a unified diff's hunk header
_C_CONDITIONAL = re.compile(rb"^\s*#\s*(?:if|ifdef|ifndef|elif|else|endif|elifdef|elifndef)\b")
# Lines a function body cannot hold: the parser's recovery from them may regroup the whole file.
_NOT_IN_A_BODY = {True: re.compile(rb"^\s*@"),
                  False: re.compile(rb"^\s*(?:(?:public|private|protected)\s*:(?!:)|template\s*<)")}
_CHAR = re.compile(rb"'(?:\\.|[^'\\])'")
# A one-line directive that declares nothing the walks read (C and its kin): an include, a macro, a pragma.
_DIRECTIVE = re.compile(rb"^\s*#\s*(?:include\s*(?:<[^<>\"'\\]*>|\"[^\"'\\]*\")|(?:define|undef|pragma)\b[^\"'`\\]*)"
                        rb"\s*$")
_PREPROCESSED = frozenset({"c", "cpp", "cuda"})
_OPEN, _CLOSE = b"([{", b")]}"
# Where the bracket scan stops: a quote, a comment, a bracket (all else is passed over in C), by language.
_MARKS = {quotes: re.compile(rb"[" + re.escape(quotes + b"'") + rb"()\[\]{}]|//|/\*|\*/") for quotes in
          (b'"', b'"`', b"\"'`")}
_MARKS_PY = re.compile(rb"[\"'()\[\]{}#]")
# What opens a string in each grammar's language (elsewhere ' is a character literal, a lifetime or a digit
# separator).
_QUOTES = {"python": b"\"'", "javascript": b"\"'`", "typescript": b"\"'`", "tsx": b"\"'`", "go": b'"`'}


@dataclass(frozen=True)
class Block:
    """One run of changed lines: `count` lines from row `at` of the known side become `lines` at row
    `other_at` of the other side (rows 0-based; a pure insertion has count 0 and goes before row `at`)."""

    at: int
    count: int
    other_at: int
    removed: tuple[bytes, ...]
    lines: tuple[bytes, ...]

    @property
    def growth(self) -> int:
        return len(self.lines) - self.count

    def flipped(self) -> "Block":
        return Block(self.other_at, len(self.lines), self.at, self.lines, self.removed)


def change_blocks(patch: str) -> list[Block]:
    """The runs of removed and added lines of a unified diff, old side known (flip each for the other way)."""
    blocks: list[Block] = []
    old = new = 0
    removed: list[bytes] = []
    added: list[bytes] = []
    start: tuple[int, int] | None = None
    in_hunk = False
    for raw in patch.split("\n"):
        side = raw[:1]
        if in_hunk and side in ("-", "+"):
            if start is None:
                start = (old, new)
            (removed if side == "-" else added).append(raw[1:].encode("utf-8", "surrogatepass"))
            old, new = (old + 1, new) if side == "-" else (old, new + 1)
            continue
        if side == "\\":   # "\ No newline at end of file" belongs to the line before it
            continue
        if start is not None:
            blocks.append(Block(start[0], len(removed), start[1], tuple(removed), tuple(added)))
            removed, added, start = [], [], None
        if raw.startswith("@@"):
            match = HUNK.match(raw)
            in_hunk = match is not None
            if match:
                old, new = int(match.group(1)) - 1, int(match.group(3)) - 1
                old += match.group(2) == "0"
                new += match.group(4) == "0"
        elif side == " ":
            old += 1
            new += 1
    if start is not None:
        blocks.append(Block(start[0], len(removed), start[1], tuple(removed), tuple(added)))
    return blocks


def may_derive(known: Sequence[Definition], blocks: list[Block], grammar: str) -> bool:
    """Whether every block lies inside a function body (or is blank lines and comments, or in C and its kin
    includes, macros and pragmas) and leaves the brackets around it as they were: what can be told before the
    other side's text is read."""
    python = grammar == "python"
    quotes = _QUOTES.get(grammar, b'"')
    directives = grammar in _PREPROCESSED
    return bool(blocks) and all(_quiet(block, python) or _inside_body(block, known, python, quotes)
                                or directives and _directives(block) for block in blocks)


def derive(known: Sequence[Definition], blocks: list[Block], other: bytes, grammar: str
           ) -> tuple[Definition, ...] | None:
    """The other side's definitions, or None when a change may reach beyond a function body (then it is parsed)."""
    if not may_derive(known, blocks, grammar):
        return None
    python = grammar == "python"
    other_lines = other.split(b"\n")
    for block in blocks:
        if tuple(other_lines[block.other_at:block.other_at + len(block.lines)]) != block.lines:
            return None   # the patch does not lead to this text (truncated, or not this blob's)
        if python and not _quiet(block, python) and not _in_place(block, blocks, known, other_lines):
            return None
        if not python and _directives(block) and not _quiet(block, python) and not _after_a_declaration(
                other_lines, block.other_at):
            return None
    starts = line_starts(other)
    return tuple(_moved(d, blocks, other, starts) for d in known)


def _inside_body(block: Block, known: Sequence[Definition], python: bool, quotes: bytes) -> bool:
    """Whether the block lies inside a function's body and leaves the brackets around it as they were."""
    if not any(_holds(d, block, python) for d in known):
        return False
    before = _unmatched(block.removed, python, quotes)
    return before is not None and before == _unmatched(block.lines, python, quotes)


def _in_place(block: Block, blocks: list[Block], known: Sequence[Definition], other_lines: list[bytes]) -> bool:
    """Python: whether the block's lines are statements of the body it lies in, at its indentation (not inside
    brackets or a string that opened before it)."""
    holder = next(d for d in known if _holds(d, block, True))
    opening = holder.body[0] + sum(b.growth for b in blocks if b.at <= holder.body[0])
    if _unmatched(tuple(other_lines[opening + 1:block.other_at]), True, _QUOTES["python"]) != b"|":
        return False
    return _flat(block, holder.body[2], other_lines)


def _flat(block: Block, column: int, other_lines: list[bytes]) -> bool:
    """Python: whether the block's statements are simple ones, all at the indentation of the statements around
    them and deeper than the function's own, so that every block around them keeps its lines."""
    code = [line for line in block.removed + block.lines if _code(line)]
    if not code:   # comments, deeper than the function and before its last line (_holds): they stay in it
        return all(_indent(line) > column for line in block.removed + block.lines if line.strip())
    levels = {_indent(line) for line in code}
    if len(levels) != 1 or any(line.rstrip().endswith((b":", b"\\")) for line in code):
        return False
    level = levels.pop()
    if level <= column:
        return False
    above = _neighbour(other_lines, block.other_at - 1, -1, level)
    below = _neighbour(other_lines, block.other_at + len(block.lines), 1)
    if below is not None and _indent(below) > level:
        return False
    if below is not None and _indent(below) == level:
        return True
    if above is None:
        return False
    if _indent(above) == level:   # a statement above, or a block above whose body lies between
        return not above.rstrip().endswith(b":") or _neighbour(other_lines, block.other_at - 1, -1) is not above
    # the first statements of the body of the block above, which ends with them
    return above.rstrip().endswith(b":") and any(_code(line) for line in block.lines) and (
        below is None or _indent(below) <= _indent(above))


def _code(line: bytes) -> bool:
    text = line.strip()
    return bool(text) and not text.startswith(b"#")


def _neighbour(lines: list[bytes], row: int, step: int, deepest: int | None = None) -> bytes | None:
    """The nearest line of code from row on, going up (step -1) or down (1); going up, past lines indented
    deeper than `deepest` (the body of a block above)."""
    while 0 <= row < len(lines):
        if _code(lines[row]) and (deepest is None or _indent(lines[row]) <= deepest):
            return lines[row]
        row += step
    return None


def _quiet(block: Block, python: bool) -> bool:
    """Whether both sides of the block are blank lines and whole-line comments, which change no definition
    wherever they are (even inside a string, as long as they hold no quote or comment mark of their own). In
    Python only blank lines: a comment may become a definition's last line."""
    return all(not line.strip() if python else _quiet_line(line) for side in (block.removed, block.lines)
               for line in side)


def _directives(block: Block) -> bool:
    """C and its kin: whether both sides of the block are one-line includes, macros and pragmas, with blank lines
    and comments: they declare nothing, wherever a declaration may stand (_after_a_declaration)."""
    return all(_quiet_line(line) or _DIRECTIVE.match(line) and b"/*" not in line and b"*/" not in line
               for side in (block.removed, block.lines) for line in side)


def _after_a_declaration(lines: list[bytes], row: int) -> bool:
    """Whether the code before this row ends where a directive may stand on its own: the file's start, another
    directive, a comment's end, a statement's or a block's end, or a namespace's opening (inside an initializer
    or an enum, a directive is an error the parser's recovery may spread)."""
    row -= 1
    while row >= 0 and (not lines[row].strip() or lines[row].lstrip().startswith(b"//")):
        row -= 1
    if row < 0:
        return True
    text = lines[row].strip()
    if text.startswith(b"#"):
        return not text.endswith(b"\\")
    if text.endswith(b"*/"):
        return text.startswith((b"/*", b"*"))
    if text.endswith(b"{"):
        return text.startswith((b"namespace ", b"extern ")) or b" namespace " in text
    return text.endswith(b";") or text.startswith(b"}")


def _quiet_line(line: bytes) -> bool:
    text = line.strip()
    if not text:
        return True
    return text.startswith(b"//") and not any(sign in text[2:] for sign in (b'"', b"'", b"`", b"/*", b"*/", b"\\"))


def _holds(definition: Definition, block: Block, python: bool) -> bool:
    """Whether the block lies where only this function's body can change."""
    body = definition.body
    if body is None:
        return False
    opening, closing, _ = body
    last = closing if python else closing - 1   # a line may go before a closing brace, never replace it
    if block.count == 0:
        inside = opening < block.at <= closing
    else:
        inside = opening < block.at and block.at + block.count - 1 <= last
    if not inside or not python:
        return inside
    if block.count and block.at + block.count - 1 == last:   # the body's end moves with the block's last line
        return bool(block.lines) and _code(block.lines[-1])
    return True


def _indent(line: bytes) -> int:
    return len(line) - len(line.lstrip(b" \t"))


def _unmatched(lines: tuple[bytes, ...], python: bool, quotes: bytes) -> bytes | None:
    """The brackets this text leaves unmatched, in order (closers first, then openers), or None when it leaves
    a string or comment open (or closes one it did not open) or, in C and its kin, holds a preprocessor
    conditional. Two texts with the same unmatched brackets pair with the code around them alike."""
    text = b"\n".join(lines)
    if any(_NOT_IN_A_BODY[python].match(line) or not python and _C_CONDITIONAL.match(line) for line in lines):
        return None
    closers, openers = bytearray(), bytearray()
    marks = _MARKS_PY if python else _MARKS[quotes]
    i, size = 0, len(text)
    while (found := marks.search(text, i)) is not None:
        i = found.start()
        c = text[i:i + 1]
        if c in quotes:
            end = _string_end(text, i, python)
            if end < 0:
                return None
            i = end
            continue
        if c == b"'":   # C, Rust, Java, JS: a character literal, else a lifetime or digit separator
            match = _CHAR.match(text, i)
            i = match.end() if match else i + 1
            continue
        if c == b"#" or text.startswith(b"//", i):   # the scan meets # only in Python
            newline = text.find(b"\n", i)
            i = size if newline < 0 else newline
            continue
        if text.startswith(b"/*", i):
            end = text.find(b"*/", i + 2)
            if end < 0:
                return None
            i = end + 2
            continue
        if text.startswith(b"*/", i):
            return None
        if c in _OPEN:
            openers += c
        elif not openers:
            closers += c
        elif openers[-1] == _OPEN[_CLOSE.index(c)]:
            openers.pop()
        else:
            return None   # ( closed by }: the parser's recovery decides what it means
        i += 1
    return bytes(closers) + b"|" + bytes(openers)


def _string_end(text: bytes, i: int, python: bool) -> int:
    """Where the string opening at i ends (just past its closing quote), or -1 when it does not end in this text
    (or on its own line, for a one-line string)."""
    quote = text[i:i + 1]
    if python and text.startswith(quote * 3, i) or not python and text.startswith(b'"""', i):
        end = text.find(quote * 3, i + 3)
        return -1 if end < 0 else end + 3
    j = i + 1
    while j < len(text):
        c = text[j:j + 1]
        if c == b"\\":
            j += 2
            continue
        if c == quote:
            return j + 1
        if c == b"\n" and quote != b"`":
            return -1
        j += 1
    return -1


def _moved(definition: Definition, blocks: list[Block], other: bytes, starts: tuple[int, ...]) -> Definition:
    """The definition where the blocks move it on the other side; its digest read again if a block is in it."""
    row = lambda r: r + sum(b.growth for b in blocks if b.at <= r)  # noqa: E731 - a block replaces or goes before
    start, end = row(definition.start), row(definition.end)
    if start == definition.start and end == definition.end and not any(
            definition.start < b.at <= definition.end for b in blocks):
        return definition
    body = definition.body
    if body is not None:
        body = (row(body[0]), row(body[1]), body[2])
    digest = definition.digest if end - start == definition.end - definition.start and not any(
        definition.start < b.at <= definition.end for b in blocks) else line_digest(other, starts, start, end)
    return replace(definition, start=start, end=end, digest=digest, body=body)
