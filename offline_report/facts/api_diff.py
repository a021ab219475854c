"""The public API that differs between two trees: definitions removed, added, renamed and re-signed in the files
that changed between them, each with the commit of the range that did it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .kinds import is_header, is_test_path, language_of, path_kind
from .model import SignatureChange
from .syntax import Definition, definitions
from .tree_facts import header_language, signature_change

_SEPARATOR = re.compile(r"::|\.")
MAX_API_FILES = 2_000      # files compared between the two ends, at most


@dataclass(frozen=True)
class ApiChange:
    change: str                   # removed | added | renamed | signature
    name: str                     # renamed: the new name
    kind: str
    path: str
    language: str
    sha: str | None = None        # the range's commit that did it (the newest that says so), None: not found
    signature: SignatureChange | None = field(default=None)
    old_name: str | None = None   # renamed: the name at the base
    overload: int = field(default=0, compare=False, repr=False)   # which of one name's definitions in its file

    def as_json(self) -> dict:
        sig = None
        if self.signature is not None:
            sig = {key: list(value) if isinstance(value, tuple) else value
                   for key, value in vars(self.signature).items()
                   if key not in ("name", "kind", "path", "language", "public")}
        return {"change": self.change, "name": self.name, "kind": self.kind, "path": self.path,
                "language": self.language, "sha": self.sha, "short_sha": self.sha[:7] if self.sha else None,
                "signature": sig, "old_name": self.old_name}


def api_changes(files, commits: list) -> list[ApiChange]:
    """Public definitions that differ between two trees, from the files that differ between them: each
    (path, old path, old blob (id, text reader) or None where absent, new blob likewise); `commits` (the range's
    CommitFacts, any order) say which commit did each."""
    found: list[ApiChange] = []
    for path, old_path, old_blob, new_blob in list(files)[:MAX_API_FILES]:
        language = language_of(path)
        if language is None or path_kind(path) != "source" or is_test_path(path):
            continue
        old = _public(old_blob, old_path, language)
        new = _public(new_blob, path, language)
        if old is None or new is None:
            continue
        sides = (tuple(d for same in side.values() for d in same) for side in (old, new))
        found += _compare(old, new, path, header_language(path, language, *sides))
    renamed, found = _renamed(found, commits)
    return sorted(renamed + _with_commits(_one_per_name(found), commits), key=_listing_order)


def _one_per_name(found: list[ApiChange]) -> list[ApiChange]:
    """A header's declaration and its source's definition are one symbol: named once, by the header."""
    first: dict[tuple, ApiChange] = {}
    named_in: dict[tuple[str, str], str] = {}     # (change, name) -> the file that names it
    for change in sorted(found, key=lambda c: (not is_header(c.path), c.path)):
        # Two overloads of one name re-signed in one file are two changes.
        if named_in.setdefault((change.change, change.name), change.path) == change.path:
            first.setdefault((change.change, change.name, change.overload), change)
    # The members of a class added or removed with it go with it.
    listed = {(c.change, c.name) for c in first.values() if c.change != "signature"}
    kept = [c for c in first.values() if c.change == "signature" or not any(
        (c.change, c.name[:match.start()]) in listed for match in _SEPARATOR.finditer(c.name))]
    return sorted(kept, key=_listing_order)


def _listing_order(change: ApiChange) -> tuple:
    return {"removed": 0, "renamed": 1, "signature": 2, "added": 3}[change.change], change.path, change.name


def _public(blob: tuple | None, path: str, language: str) -> dict[str, list[Definition]] | None:
    """The public definitions of one side by name (overloads in file order; {} where the file is absent), None
    where it cannot be read."""
    if blob is None:
        return {}
    blob_id, read_text = blob
    read = definitions(read_text, path, language, blob_id)
    if read is None:
        return None
    public: dict[str, list[Definition]] = {}
    for d in read:
        if d.public and not d.test and not d.role == "test":
            public.setdefault(d.name, []).append(d)
    return public


def _compare(old: dict[str, list[Definition]], new: dict[str, list[Definition]], path: str, language: str
             ) -> list[ApiChange]:
    found = [ApiChange("removed", name, d[0].kind, path, language)
             for name, d in sorted(old.items()) if name not in new]
    found += [ApiChange("added", name, d[0].kind, path, language)
              for name, d in sorted(new.items()) if name not in old]
    for name in sorted(set(old) & set(new)):
        # Overloads each with its own old self, where as many are at both ends.
        pairs = zip(old[name], new[name]) if len(old[name]) == len(new[name]) else [(old[name][0], new[name][0])]
        for overload, (was, now) in enumerate(pairs):
            change = signature_change(was.signed(), now.signed(), language) if was.digest != now.digest else {}
            if change:
                found.append(ApiChange("signature", name, now.kind, path, language, overload=overload,
                                       signature=SignatureChange(name, now.kind, path, language, True, **change)))
    return found


def _renamed(found: list[ApiChange], commits: list) -> tuple[list[ApiChange], list[ApiChange]]:
    """A public definition removed whose name a commit of the range renamed (in one step or several) to one that
    was added is renamed, by that commit; the members of a renamed class, under the old name at the base and the
    new one at the tip, go with it. Returns the renamed, and the rest as found."""
    renames: dict[str, tuple[str, str]] = {}          # old name -> (new name, the commit that renamed it)
    for commit in sorted(commits, key=lambda c: c.landing_order()):
        for item in commit.diff.renamed:
            if item.what == "symbol":
                renames[item.old] = (item.new, commit.sha)
    added = {c.name: c for c in found if c.change == "added"}
    pairs: dict[str, tuple[ApiChange, ApiChange, str]] = {}   # old name -> (removed, added, the commit)
    for change in found:
        name, sha, seen = change.name, None, {change.name}
        while change.change == "removed" and name in renames and renames[name][0] not in seen:
            name, sha = renames[name]
            seen.add(name)
        if sha is not None and name in added:
            pairs.setdefault(change.name, (change, added[name], sha))
    owners = {old: new.name for old, (_, new, _) in pairs.items()}
    members = {c.name: new for c in found if c.change == "removed" and (new := _under_new_owner(c.name, owners))
               and new in added}
    gone = set(pairs) | set(members)
    came = {new.name for _, new, _ in pairs.values()} | set(members.values())
    renamed = [ApiChange("renamed", new.name, new.kind, new.path, new.language, sha, old_name=old)
               for old, (_, new, sha) in sorted(pairs.items(), key=lambda p: (p[1][1].path, p[1][1].name))
               if old not in members]
    rest = [c for c in found
            if not (c.change == "removed" and c.name in gone or c.change == "added" and c.name in came)]
    return _one_per_name(renamed), rest


def _under_new_owner(name: str, owners: dict[str, str]) -> str | None:
    """A member's name under its renamed class or namespace (Pool::size -> ConnPool::size), None where none of
    its owners is renamed."""
    for match in _SEPARATOR.finditer(name):
        owner = name[:match.start()]
        if owner in owners:
            return owners[owner] + name[match.start():]
    return None


def _with_commits(found: list[ApiChange], commits: list) -> list[ApiChange]:
    """Each change with the newest commit whose facts name it (a removal, an addition, a new signature), or
    else the newest that touched its file."""
    ordered = sorted(commits, key=lambda c: c.landing_order(), reverse=True)
    lists = {"removed": lambda d: list(d.symbols_removed) + [m for m in d.moved],
             "added": lambda d: list(d.symbols_added) + [m for m in d.moved],
             "signature": lambda d: list(d.signatures)}
    placed = []
    for change in found:
        sha = next((c.sha for c in ordered if any(s.name == change.name for s in lists[change.change](c.diff))),
                   None)
        if sha is None:
            sha = next((c.sha for c in ordered if any(f.path == change.path for f in c.files)), None)
        placed.append(ApiChange(change.change, change.name, change.kind, change.path, change.language, sha,
                                change.signature))
    return placed
