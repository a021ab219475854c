"""Added and removed facts that are one thing seen twice: a definition moved between files, a definition, option or
environment variable renamed. Paired, neither side is reported as an addition or a removal."""

from __future__ import annotations

import re

from .model import Moved, Renamed, Symbol
from .options import tail_of
from .salience import is_interface

MAX_OWNER_MATCHES = 20_000   # member pairs weighed for a renamed class in one commit
RENAME_SIMILARITY = 0.75     # difflib ratio of two names, below which a removed and an added name are two things
_DIGITS = re.compile(r"\d+")    # step_52 and step_59, handler_v1 and handler_v2: two things, not one renamed
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def pair_moves(added: list[Symbol], removed: list[Symbol]) -> tuple[list[Symbol], list[Symbol], list[Moved]]:
    """A definition removed from one file and added, by the same name and kind, to another has moved."""
    moved: list[Moved] = []
    by_name: dict[tuple[str, str], list[Symbol]] = {}
    for symbol in added:
        by_name.setdefault((symbol.name, symbol.kind), []).append(symbol)
    gone: list[Symbol] = []
    for old in removed:
        candidates = [s for s in by_name.get((old.name, old.kind), []) if s.path != old.path]
        if not candidates:
            gone.append(old)
            continue
        same_ext = [s for s in candidates if s.path.rsplit(".", 1)[-1] == old.path.rsplit(".", 1)[-1]]
        new = (same_ext or candidates)[0]
        by_name[(old.name, old.kind)].remove(new)
        moved.append(Moved(old.name, old.kind, new.language, new.public, old.path, new.path))
    left = {id(s) for group in by_name.values() for s in group}
    return [s for s in added if id(s) in left], gone, moved


def pair_symbol_renames(added: list[Symbol], removed: list[Symbol], old_paths: dict[str, str]
                        ) -> tuple[list[Symbol], list[Symbol], list[Renamed]]:
    """In one file (or a renamed file and its old path): a removed and an added definition of one kind whose
    names are close (fetchAll and fetchOne are two functions; progressQueue and progressQueues one)."""
    import difflib   # here: most commits have nothing to pair, and the import is not free

    renamed: list[Renamed] = []
    candidates: dict[tuple, list[Symbol]] = {}
    for s in added:
        if not s.role:
            candidates.setdefault((s.kind, s.language, _owner(s.name)), []).append(s)
    paired: set[int] = set()
    gone = []
    for old in removed:
        same_place = [s for s in candidates.get((old.kind, old.language, _owner(old.name)), []) if not old.role
                      and id(s) not in paired and (s.path == old.path or old_paths.get(s.path) == old.path)]
        if not same_place:
            gone.append(old)
            continue
        score = lambda s: difflib.SequenceMatcher(None, tail_of(old.name).lower(), tail_of(s.name).lower()).ratio()  # noqa: E731
        best = max(same_place, key=score)
        if score(best) >= RENAME_SIMILARITY and _DIGITS.sub("", old.name) != _DIGITS.sub("", best.name):
            paired.add(id(best))
            renamed.append(Renamed("symbol", old.name, best.name, best.kind, best.path,
                                   rename_pattern(tail_of(old.name), tail_of(best.name)), is_interface(old)))
        else:
            gone.append(old)
    added = [s for s in added if id(s) not in paired]
    classes = {r.old + sep: r.new + sep for r in renamed for sep in ("::", ".")}
    added, gone, by_owner = _pair_owner_renames(added, gone, old_paths, classes)
    return added, gone, renamed + by_owner


def _pair_owner_renames(added: list[Symbol], removed: list[Symbol], old_paths: dict[str, str],
                        classes: dict[str, str] | None = None) -> tuple[list[Symbol], list[Symbol], list[Renamed]]:
    """A class or namespace renamed: its members removed under the old name and added under the new one, in the
    same file, are renamed (Engine::start -> Motor::start, its constructor Engine::Engine -> Motor::Motor), and so
    is the class itself. Only where every member met of the old owner points to one new owner and no other old
    owner points to it (a class split in two is not renamed), and two members agree or the owner itself was
    renamed: one method moved to another class is not a rename of its class. `classes`: the owners (`Old.`,
    `Old::`) already paired as renamed by their own names, and their new names: their members go with them even
    where another renamed class has members of the same names (several classes renamed at once)."""
    same_file = lambda old, new: new.path == old.path or old_paths.get(new.path) == old.path  # noqa: E731
    waiting: dict[tuple, list[Symbol]] = {}
    for symbol in added:
        if _owner(symbol.name):
            waiting.setdefault(_member_key(symbol), []).append(symbol)
    matches = [(old, new) for old in removed if _owner(old.name) for new in waiting.get(_member_key(old), ())
               if _owner(new.name) != _owner(old.name) and same_file(old, new)]
    if len(matches) > MAX_OWNER_MATCHES:   # thousands of like-named members (generated code): left as they are
        return added, removed, []
    targets: dict[str, set[str]] = {}
    sources: dict[str, set[str]] = {}
    for old, new in matches:
        targets.setdefault(_owner(old.name), set()).add(_owner(new.name))
        sources.setdefault(_owner(new.name), set()).add(_owner(old.name))
    owners = {owner: new for owner, found in targets.items() if len(found) == 1
              and sources[(new := next(iter(found)))] == {owner}}
    owners |= {owner: classes[owner] for owner in targets if owner in (classes or {}) and classes[owner] in sources}
    by_name = {symbol.name: symbol for symbol in added}
    themselves = []   # the classes renamed: Engine -> Motor where Engine:: became Motor::
    for old in removed:
        for separator in ("::", "."):
            new = by_name.get(owners.get(old.name + separator, "")[:-len(separator)])
            if new is not None and new.kind == old.kind and same_file(old, new):
                themselves.append((old, new))
    members: dict[str, set[str]] = {}
    for old, new in matches:
        if owners.get(_owner(old.name)) == _owner(new.name):
            members.setdefault(_owner(old.name), set()).add(old.name)   # a header's and its source's: one
    renamed_owners = {owner for owner, found in members.items() if len(found) >= 2}
    renamed_owners |= {old.name + sep for old, _ in themselves for sep in ("::", ".") if old.name + sep in owners}
    renamed_owners |= {owner for owner in owners if owner in (classes or {})}
    pairs = themselves + [(old, new) for old, new in matches if _owner(old.name) in renamed_owners
                          and owners[_owner(old.name)] == _owner(new.name)]   # the class first, then its members
    paired_old: set[int] = set()
    paired_new: set[int] = set()
    renamed = []
    for old, new in pairs:
        if id(old) not in paired_old and id(new) not in paired_new:
            paired_old.add(id(old))
            paired_new.add(id(new))
            renamed.append(Renamed("symbol", old.name, new.name, new.kind, new.path, "owner", is_interface(old)))
    return ([s for s in added if id(s) not in paired_new], [s for s in removed if id(s) not in paired_old],
            renamed)


def _member_key(symbol: Symbol) -> tuple:
    """What a member keeps when its class is renamed: its kind, language and own name (a constructor's and a
    destructor's own name is the class's: they are keyed by their role)."""
    tail = tail_of(symbol.name)
    own = tail_of(_owner(symbol.name).rstrip(":."))
    return symbol.kind, symbol.language, {own: "()", "~" + own: "~()"}.get(tail, tail)


def _owner(name: str) -> str:
    """The class a member belongs to ("" for a free function): a rename keeps a method in its class."""
    return name[:len(name) - len(tail_of(name))]


def pair_name_renames(what: str, added: list[str], removed: list[str]) -> tuple[list[str], list[str], list[Renamed]]:
    """Options or environment variables whose names differ only in separators, case or a prefix."""
    renamed: list[Renamed] = []
    added, removed = list(added), list(removed)
    for old in list(removed):
        match = next((new for new in added if _same_name(old, new)), None)
        if match is not None:
            added.remove(match)
            removed.remove(old)
            renamed.append(Renamed(what, old, match, pattern=rename_pattern(old, match)))
    return added, removed, renamed


def _fold(name: str) -> str:
    return re.sub(r"[-_]", "", name.lstrip("-")).lower()


def _same_name(old: str, new: str) -> bool:
    if _fold(old) == _fold(new):
        return True
    longer, shorter = (old, new) if len(old) > len(new) else (new, old)
    return len(shorter.strip("-_")) >= 3 and longer.endswith("_" + shorter.lstrip("-")) and \
        longer.startswith("-") == shorter.startswith("-")


def rename_pattern(old: str, new: str) -> str:
    """What a rename did to a name: snake_to_kebab, kebab_to_snake, camel_to_kebab, camel_to_snake, case,
    prefix; "" for anything else."""
    bare_old, bare_new = old.lstrip("-"), new.lstrip("-")
    if "_" in bare_old and bare_new == bare_old.replace("_", "-"):
        return "snake_to_kebab"
    if "-" in bare_old and bare_new == bare_old.replace("-", "_"):
        return "kebab_to_snake"
    words = _CAMEL.sub("-", bare_old).lower()
    if words != bare_old.lower() and bare_new in (words, words.replace("-", "_")):
        return "camel_to_kebab" if "-" in bare_new else "camel_to_snake"
    if bare_old.lower() == bare_new.lower():
        return "case"
    if bare_new.endswith(bare_old) or bare_old.endswith(bare_new):
        return "prefix"
    return ""
