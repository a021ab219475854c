"""The facts of one commit: each file read by its kind, then added and removed facts paired up."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from .kinds import is_doc, is_header, is_shellish, language_of, manifest_kind, path_kind
from .manifests import lockfile_change, manifest_changes
from .model import DiffFacts, FilePatch, Symbol
from .options import Sides
from .pairs import pair_moves, pair_name_renames, pair_symbol_renames
from .patch import MAX_FILES
from .scan import Collector, scan_shellish, scan_source
from .tree_facts import definition_facts


def _split(pairs: set) -> tuple[list[str], list[str]]:
    sides = Sides({item for side, item in pairs if side == "+"}, {item for side, item in pairs if side == "-"})
    return sorted(sides.added()), sorted(sides.removed())


def diff_facts(files: Iterable[FilePatch]) -> DiffFacts:
    """Facts of one commit from its files' patches (and, for manifests, their whole old and new texts).

    Bounded: at most MAX_FILES files, patch.MAX_LINES_PER_FILE patch lines each; `truncated` says a bound was hit.
    An option or environment variable counts as added only when it appears on added lines and on no removed
    line of the same commit, and the other way round; a definition removed from one file and added to another
    has moved; a removed and an added name that are one renamed are a rename, neither added nor removed.
    """
    facts = DiffFacts()
    collector = Collector()
    bounds = [False]
    old_paths: dict[str, str] = {}
    for count, item in enumerate(files):
        if count >= MAX_FILES:
            bounds[0] = True
            break
        _read_file(item, facts, collector, bounds)
        if item.old_path:
            old_paths[item.path] = item.old_path
    _pair_up(facts, collector, old_paths)
    facts.tests_added = sorted(set(collector.tests_added))
    facts.tests_removed = sorted(set(collector.tests_removed))
    facts.docs = sorted(set(facts.docs))
    facts.truncated = bounds[0]
    return facts


def _read_file(item: FilePatch, facts: DiffFacts, collector: Collector, bounds: list[bool]) -> None:
    path = item.path
    if is_doc(path):
        facts.docs.append(path)
    kind = path_kind(path)
    if kind == "lockfile":
        facts.lockfiles.append(lockfile_change(item, bounds))
        return
    manifest = manifest_kind(path)
    if manifest:
        changes, bump = manifest_changes(item, manifest, bounds)
        facts.dependencies.extend(changes)
        if bump:
            facts.version_bumps.append(bump)
        return
    if not item.patch:
        return
    language = language_of(path)
    if language:
        parsed = definition_facts(item, language, collector)
        facts.definitions_read[path] = "parser" if parsed else "lines"
        # The lines still say options, environment variables and tests named by a call (it("..."), TEST(...)).
        scan_source(path, language, item.patch, bounds, collector, definitions=not parsed)
    elif is_shellish(path):
        scan_shellish(item.patch, bounds, collector)


def _pair_up(facts: DiffFacts, collector: Collector, old_paths: dict[str, str]) -> None:
    one = _OneSymbol(collector.symbols_added + collector.symbols_removed + collector.symbols_changed)
    added, removed, facts.moved = pair_moves(one.symbols(collector.symbols_added),
                                             one.symbols(collector.symbols_removed))
    facts.symbols_added, facts.symbols_removed, renamed = pair_symbol_renames(added, removed, old_paths)
    facts.symbols_changed = one.symbols(collector.symbols_changed)
    facts.signatures = list({(s.name, s.added, s.removed): s for s in one.symbols(collector.signatures)}.values())
    options_added, options_removed = _split(collector.options)
    facts.options_added, facts.options_removed, renamed_options = pair_name_renames(
        "option", options_added, options_removed)
    env_added, env_removed = _split(collector.env)
    facts.env_added, facts.env_removed, renamed_env = pair_name_renames("env", env_added, env_removed)
    facts.renamed = _once_each(renamed) + renamed_options + renamed_env


def _once_each(renamed: list) -> list:
    """A rename seen in a header and again in its source is one rename (named by the first file)."""
    first: dict[tuple[str, str], object] = {}
    for item in renamed:
        first.setdefault((item.old, item.new), item)
    return list(first.values())


class _OneSymbol:
    """A declaration in a header and its definition in a source are one symbol: one name (a header's member
    whose class line was out of its hunk takes the `Class::name` its source defines), and private in the
    source when private in the header (a `private:` section)."""

    def __init__(self, symbols: list[Symbol]):
        qualified: dict[str, set[str]] = {}
        for s in symbols:
            if "::" in s.name:
                qualified.setdefault(s.name.rsplit("::", 1)[-1], set()).add(s.name)
        self.full = {tail: next(iter(names)) for tail, names in qualified.items() if len(names) == 1}
        self.private = {self.name(s) for s in symbols if is_header(s.path) and not s.public}

    def name(self, s) -> str:
        if s.kind not in ("function", "method") or "::" in s.name or not is_header(s.path):
            return s.name
        return self.full.get(s.name, s.name)

    def symbols(self, items: list) -> list:
        found = []
        for s in items:
            name = self.name(s)
            if name != s.name:
                s = replace(s, name=name, kind="method" if s.kind == "function" else s.kind)
            found.append(replace(s, public=False) if s.public and name in self.private else s)
        return found
