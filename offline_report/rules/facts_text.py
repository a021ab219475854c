"""The diff facts in words: what a commit bumps, adds, removes, moves, renames and re-signs, the most salient first."""

from __future__ import annotations

import os
import re

from ..facts.model import DiffFacts, Moved, Renamed, SignatureChange
from ..facts.options import QUALIFIER
from ..facts.salience import ordered

_VERSION = re.compile(r"\d+(?:\.\d+)+(?:[-+][\w.]+)?")
_SEPARATOR = re.compile(r"::|\.")
MAX_NAMED_SYMBOLS = 5
MAX_NAMED = 3
MAX_SIGNATURE_LINES = 3
MAX_MOVE_LINES = 2
BULK_RENAMES = 3      # this many renames of one kind with one pattern are said as one line


def named(names: list[str], text: dict, limit: int = MAX_NAMED) -> str:
    shown = names[:limit]
    more = len(names) - len(shown)
    return text["list_sep"].join(shown) + (text["and_more"].format(count=more) if more > 0 else "")


def fact_lines(d: DiffFacts, words: dict) -> list[str]:
    """What the diff says by name: the version, definitions, moves, renames, signatures, dependencies, options,
    variables, tests, docs."""
    text, facts_words = words["rules"], words["facts"]
    symbols, changed = symbol_lines(d, text, words["symbol_kinds"])   # changed definitions say least: last
    lines = version_lines(d, text, facts_words) + symbols
    lines += move_lines(d.moved, text, facts_words, words["symbol_kinds"])
    lines += rename_lines(d.renamed, text, facts_words, words["symbol_kinds"])
    lines += signature_lines(d.signatures, text, facts_words)
    lines += changed
    for dep in released_apart(d):
        key = {"added": "fact_dep_added", "removed": "fact_dep_removed"}.get(dep.change, "fact_dep_changed")
        lines.append(text[key].format(name=dep.name, old=dep.old or "", new=dep.new or "", manifest=dep.manifest))
    if d.lockfiles:
        lines.append(text["fact_lockfiles"].format(files=named([lock.path for lock in d.lockfiles], text)))
    for key, names in (("fact_options_added", d.options_added), ("fact_options_removed", d.options_removed),
                       ("fact_env_added", d.env_added), ("fact_env_removed", d.env_removed)):
        if names:
            lines.append(text[key].format(items=named(list(names), text)))
    for key, tests in (("fact_tests_added", d.tests_added), ("fact_tests_removed", d.tests_removed)):
        if tests:
            names = [name.rsplit("::", 1)[-1] for name in tests]
            lines.append(text[key].format(count=len(tests), items=named(names, text, MAX_NAMED_SYMBOLS)))
    if d.docs:
        lines.append(text["fact_docs"].format(files=named(list(d.docs), text)))
    return lines


def released_apart(d: DiffFacts) -> list:
    """The dependency changes not already said by the version bump: a workspace's own packages, moved to the
    same new version in the same commit, are the release itself."""
    bumps = {(b.old, b.new) for b in d.version_bumps if b.old and b.new}
    if not bumps:
        return list(d.dependencies)
    def versions(spec: str | None) -> str:
        return _VERSION.search(spec or "").group(0) if _VERSION.search(spec or "") else ""
    return [dep for dep in d.dependencies if (versions(dep.old), versions(dep.new)) not in bumps]


def version_lines(d: DiffFacts, text: dict, words: dict) -> list[str]:
    """The project's own version bump, once per old → new (a workspace bumps many manifests together)."""
    bumps: dict[tuple[str, str], list[str]] = {}
    for bump in d.version_bumps:
        bumps.setdefault((bump.old or "", bump.new or ""), []).append(bump.manifest)
    return [words["version"].format(old=old, new=new, manifests=named(paths, text, 2))
            for (old, new), paths in bumps.items()]


def symbol_lines(d: DiffFacts, text: dict, kinds: dict) -> tuple[list[str], list[str]]:
    """The lines of added and removed definitions, and the line of changed ones; public API first, a header's
    declaration and its source's definition once."""
    re_signed = {s.name for s in d.signatures}   # a header's declaration and its source's definition: one
    alive = {s.name for s in d.symbols_added + d.symbols_changed}   # a declaration dropped, its definition kept
    head = _symbol_line("fact_added", d.symbols_added, text, kinds)
    head += _symbol_line("fact_removed", [s for s in d.symbols_removed if s.name not in alive], text, kinds)
    changed = [s for s in d.symbols_changed if s.name not in re_signed]
    return head, _symbol_line("fact_changed", changed, text, kinds)


def _symbol_line(key: str, symbols: list, text: dict, kinds: dict) -> list[str]:
    if not symbols:
        return []
    first = {}   # by name: a header's declaration and its source's definition are one
    for s in ordered(symbols):
        first.setdefault(s.name, s)
    first = {name: s for name, s in first.items() if not _member_of_listed(name, first)}
    names = [text["symbol"].format(kind=kinds.get(s.kind, s.kind), name=s.name) for s in first.values()]
    return [text[key].format(items=named(names, text, MAX_NAMED_SYMBOLS))]


def _member_of_listed(name: str, names) -> bool:
    """A member of a class that is itself listed: the class says it (a new class's methods are part of it)."""
    return any(name[:match.start()] in names for match in _SEPARATOR.finditer(name))


def move_lines(moved: list[Moved], text: dict, words: dict, kinds: dict) -> list[str]:
    """One line per pair of files: what moved from the one to the other (members of a moved class go with it)."""
    by_files: dict[tuple[str, str], list[Moved]] = {}
    for item in sorted(moved, key=lambda m: (not m.public, m.name)):
        by_files.setdefault((item.old_path, item.path), []).append(item)
    lines = []
    for (old, new), items in sorted(by_files.items(), key=lambda kv: -len(kv[1]))[:MAX_MOVE_LINES]:
        names = {m.name for m in items}
        top = [m for m in items if not _member_of_listed(m.name, names)]
        shown = list(dict.fromkeys(text["symbol"].format(kind=kinds.get(m.kind, m.kind), name=m.name) for m in top))
        lines.append(words["moved"].format(items=named(shown, text, MAX_NAMED_SYMBOLS), old=old, new=new))
    return lines


def rename_lines(renamed: list[Renamed], text: dict, words: dict, kinds: dict) -> list[str]:
    """Renames by what they rename; many of one kind done the same way are one line with a few examples."""
    lines = []
    for what in ("symbol", "option", "env"):
        items = [r for r in renamed if r.what == what]
        by_pattern: dict[str, list[Renamed]] = {}
        for item in items:
            by_pattern.setdefault(_rename_key(item), []).append(item)
        single = []
        for pattern, group in by_pattern.items():
            if len(group) < BULK_RENAMES:
                single += group
                continue
            examples = named([f"{r.old} → {r.new}" for r in group], text, 2)
            if pattern.startswith("replace\0"):
                _, part, by = pattern.split("\0")
                # A word dropped from each name, or added to it, is said so: not as a rename to or from nothing.
                key = "renamed_drop" if not by else "renamed_add" if not part else "renamed_replace"
                lines.append(words[key].format(count=len(group), what=words["rename_what"][what],
                                               old=part, new=by, examples=examples))
            else:
                lines.append(words["renamed_bulk"].format(count=len(group), what=words["rename_what"][what],
                                                          pattern=words["rename_pattern"][pattern],
                                                          examples=examples))
        if single:
            shown = [(f"{kinds.get(r.kind, r.kind)} " if r.kind else "") + f"{r.old} → {r.new}" for r in single]
            lines.append(words["renamed"].format(what=words["rename_what"][what], items=named(shown, text)))
    return lines


def _rename_key(item: Renamed) -> str:
    """Renames done the same way: by their pattern, else by the words replaced; those of a renamed class or
    namespace by its old and new name (Engine::start and the constructor Engine::Engine: Engine → Motor)."""
    if item.pattern == "owner":
        owners = [name[:len(name) - len(QUALIFIER.split(name)[-1])].rstrip(":.") for name in (item.old, item.new)]
        return "\0".join(("replace", *(owners if owners[0] != owners[1] else (item.old, item.new))))
    return item.pattern or "\0".join(("replace",) + replacement(item.old, item.new))


def replacement(old: str, new: str) -> tuple[str, str]:
    """The words one name has where the other has others: ("Memory", "Mem") for prepMemoryView → prepMemView."""
    start = len(os.path.commonprefix([old, new]))
    end = len(os.path.commonprefix([old[start:][::-1], new[start:][::-1]]))
    while start > 0 and not _word_start(old, start):
        start -= 1
    while end > 0 and not _word_start(old, len(old) - end):
        end -= 1
    return old[start:len(old) - end], new[start:len(new) - end]


def _word_start(name: str, at: int) -> bool:
    if at <= 0 or at >= len(name):
        return True
    return name[at].isupper() or not name[at - 1].isalnum() or not name[at].isalnum()


def signature_parts(change: SignatureChange, text: dict, words: dict) -> str:
    """What changed in one signature, as one clause list: parameters added, removed, defaulted, retyped, returns."""
    parts = [words[f"sig_{key}"].format(items=named(_labels(change, key), text))
             for key in ("added", "removed", "defaulted", "required", "retyped") if getattr(change, key)]
    if change.returns_old is not None or change.returns_new is not None:
        parts.append(words["sig_returns"].format(old=change.returns_old or "—", new=change.returns_new or "—"))
    return text["clause_sep"].join(parts)


def api_change_text(change, lang: str) -> str:
    """One API change between two ends in words: the definition, and for a new signature what changed."""
    from ..catalog import catalog

    words = catalog(lang)
    kind = words["symbol_kinds"].get(change.kind, change.kind)
    if change.old_name is not None:
        return words["views"]["api_renamed_item"].format(kind=kind, old=change.old_name, name=change.name,
                                                         path=change.path)
    if change.signature is None:
        return words["views"]["api_item"].format(kind=kind, name=change.name, path=change.path)
    return words["views"]["api_signature_item"].format(
        kind=kind, name=change.name, path=change.path,
        changes=signature_parts(change.signature, words["rules"], words["facts"]))


def _labels(change: SignatureChange, key: str) -> list[str]:
    """The parameters of one part of a signature change; an added one with its default value where known."""
    if key != "added":
        return list(getattr(change, key))
    values = {item.split("=", 1)[0] + "=": item for item in change.defaults}
    return [values.get(label, label) for label in change.added]


def signature_lines(signatures: list[SignatureChange], text: dict, words: dict) -> list[str]:
    """Which parameters a definition gained, lost, or got or lost a default for; public definitions first."""
    lines = []
    signatures = list({s.name: s for s in sorted(signatures, key=lambda s: s.path, reverse=True)}.values())
    for change in sorted(signatures, key=lambda s: (not s.public, s.path, s.name))[:MAX_SIGNATURE_LINES]:
        lines.append(words["signature"].format(name=change.name, changes=signature_parts(change, text, words)))
    if len(signatures) > MAX_SIGNATURE_LINES:
        lines.append(words["signature_more"].format(count=len(signatures) - MAX_SIGNATURE_LINES))
    return lines
