"""A commit body read as the CommonMark its author wrote (markdown-it-py): safe HTML, and safe Markdown for a report."""

from __future__ import annotations

import re
from functools import lru_cache

# Links a report may carry; markdown-it's own validation already refuses javascript:, vbscript:, file: and data:.
_SAFE_LINK = re.compile(r"^(https?://|mailto:|#)", re.IGNORECASE)
# Characters that would start Markdown syntax inside text: escaped with a backslash, which every viewer removes.
_SPECIAL = re.compile(r"([\\`*\[\]<>|~#!])")
_ENTITY_AMPERSAND = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_LINE_START_MARKER = re.compile(r"^(\s*)([-+=])", re.MULTILINE)
_LINE_START_ORDINAL = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)
_INFO = re.compile(r"[^\w+.-]")


@lru_cache(maxsize=1)
def _parser():
    """CommonMark with raw HTML off (it reads as text) and no images (a report fetches nothing)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    md.disable("image")
    md.validateLink = lambda url: bool(_SAFE_LINK.match(url.strip()))
    return md


def _tree(text: str):
    from markdown_it.tree import SyntaxTreeNode

    return SyntaxTreeNode(_parser().parse(text))


def to_html(text: str) -> str:
    """The body as HTML: paragraphs reflowed, lists, emphasis, code and links kept, headings as bold paragraphs,
    raw HTML shown as text, every link opened without the report as its referrer."""
    md = _parser()
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.type, token.tag = token.type.replace("heading", "paragraph"), "p"
            if token.nesting == 1:
                token.attrSet("class", "heading")
        for child in token.children or ():
            if child.type == "link_open":
                child.attrSet("rel", "noopener noreferrer")
    return md.renderer.render(tokens, md.options, {})


def to_markdown(text: str) -> str:
    """The body as Markdown that cannot break the report around it: reflowed paragraphs, lists, emphasis, code
    spans and blocks, and links kept; headings as bold paragraphs; raw HTML and hostile links as escaped text."""
    return "\n\n".join(block for block in (_block(node) for node in _tree(text).children) if block)


def _block(node) -> str:
    kind = node.type
    if kind == "paragraph":
        return _lines(node)
    if kind == "heading":
        inner = _lines(node)
        return f"**{inner}**" if inner else ""
    if kind in ("bullet_list", "ordered_list"):
        return _list(node)
    if kind in ("fence", "code_block"):
        return _code(node.content, node.info if kind == "fence" else "")
    if kind == "blockquote":
        inner = "\n\n".join(b for b in (_block(child) for child in node.children) if b)
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
    if kind == "hr":
        return "* * *"
    return _escape(node.content or "")


def _lines(node) -> str:
    """A paragraph's or heading's text; each line (after a hard break) safe at its start."""
    inline = node.children[0] if node.children else None
    text = _inline(inline.children) if inline is not None else ""
    text = _LINE_START_MARKER.sub(r"\1\\\2", text)
    return _LINE_START_ORDINAL.sub(r"\1\\\2", text)


def _list(node) -> str:
    ordered = node.type == "ordered_list"
    start = int(node.attrs.get("start", 1)) if ordered else 1
    tight = all(getattr(p, "hidden", False) for item in node.children for p in item.children
                if p.type == "paragraph")
    items = []
    for offset, item in enumerate(node.children):
        marker = f"{start + offset}." if ordered else "-"
        body = ("\n" if tight else "\n\n").join(b for b in (_block(child) for child in item.children) if b)
        pad = " " * (len(marker) + 1)
        lines = body.split("\n") if body else [""]
        items.append("\n".join([f"{marker} {lines[0]}".rstrip()] + [pad + line if line else "" for line in lines[1:]]))
    return ("\n" if tight else "\n\n").join(items)


def _code(content: str, info: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * max(3, longest + 1)
    language = _INFO.sub("", (info or "").split(" ")[0])[:30]
    return f"{fence}{language}\n{content}{'' if content.endswith(chr(10)) or not content else chr(10)}{fence}"


def _inline(children) -> str:
    parts: list[str] = []
    for node in children:
        kind = node.type
        if kind == "text":
            parts.append(_escape(node.content))
        elif kind == "softbreak":
            parts.append(" ")  # a wrapped line: the paragraph reflows
        elif kind == "hardbreak":
            parts.append("\\\n")
        elif kind == "code_inline":
            parts.append(_code_span(node.content))
        elif kind in ("em", "strong"):
            mark = "*" if kind == "em" else "**"
            parts.append(mark + _inline(node.children) + mark)
        elif kind == "link":
            href = node.attrs.get("href", "")
            label = _inline(node.children) or _escape(href)
            parts.append(f"[{label}](<{href}>)" if _SAFE_LINK.match(href) and not re.search(r"[<>\s]", href)
                         else label)
        else:  # anything else (raw HTML never parses as such): its text, escaped
            parts.append(_escape(node.content or ""))
    return "".join(parts)


def _code_span(content: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if content.startswith("`") or content.endswith("`") else ""
    return f"{ticks}{pad}{content}{pad}{ticks}"


def _escape(text: str) -> str:
    value = _SPECIAL.sub(r"\\\1", text)
    value = _ENTITY_AMPERSAND.sub(r"\\&", value)
    return _EDGE_UNDERSCORE.sub(r"\\_", value)
