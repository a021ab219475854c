"""The tree-sitter grammar of each language, imported the first time a file of that language is met."""

from __future__ import annotations

from functools import lru_cache

from .kinds import ext

# grammar -> (module, function returning its language); a grammar whose wheel is missing or does not load leaves
# its files to the line reader.
_MODULES = {
    "python": ("tree_sitter_python", "language"),
    "c": ("tree_sitter_c", "language"),
    "cpp": ("tree_sitter_cpp", "language"),
    "cuda": ("tree_sitter_cuda", "language"),
    "go": ("tree_sitter_go", "language"),
    "rust": ("tree_sitter_rust", "language"),
    "java": ("tree_sitter_java", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
}
# A C header is as often C++ as C: the C++ grammar reads both. CUDA's grammar is C++'s with its own words.
_BY_EXT = {".h": "cpp", ".cu": "cuda", ".cuh": "cuda", ".tsx": "tsx", ".jsx": "javascript"}


def grammar_of(path: str, language: str) -> str | None:
    """The grammar that reads this file, or None when its language has none."""
    grammar = _BY_EXT.get(ext(path), language)
    return grammar if grammar in _MODULES else None


@lru_cache(maxsize=None)
def parser(grammar: str):
    """A tree-sitter parser for this grammar, or None when its wheel cannot be loaded here."""
    import importlib

    try:
        import tree_sitter

        module, function = _MODULES[grammar]
        language = tree_sitter.Language(getattr(importlib.import_module(module), function)())
        return tree_sitter.Parser(language)
    except (ImportError, AttributeError, ValueError, TypeError):
        return None
