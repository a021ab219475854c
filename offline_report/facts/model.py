"""The facts of one commit's diff as data: what goes in (FilePatch), what comes out (DiffFacts) and its JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class FilePatch:
    """One file of a commit's diff, as the pipeline hands it over."""

    path: str
    status: str              # added modified deleted renamed copied typechange
    patch: str | None        # unified diff text of this file; None for binary/huge/submodule
    old_text: Callable[[], str | None] = lambda: None   # whole old file, read lazily (manifests only)
    new_text: Callable[[], str | None] = lambda: None
    old_path: str | None = None
    old_id: str | None = None   # blob object ids: a blob's definitions are read once (syntax.py caches by id)
    new_id: str | None = None


@dataclass(frozen=True)
class Symbol:
    name: str        # "parse_config", "Server.Start", "Foo::bar" (C++ as written), "Config.load"
    kind: str        # function method class struct enum trait interface type union object
    path: str
    language: str    # python c cpp rust go java kotlin javascript typescript
    public: bool
    params: tuple[str, ...] | None = None   # parameter names, "name=" when it has a default; None: not read
    role: str = ""   # "" | "constructor" | "destructor" | "test" (a test file's helper: never public)


@dataclass(frozen=True)
class DependencyChange:
    name: str
    manifest: str            # path of the manifest
    old: str | None          # spec before ("==0.15.0", "^1.2", "v1.4.0"); None when added
    new: str | None          # spec after; None when removed
    change: str              # added removed changed
    major: bool              # the first non-zero version component changed (see manifests.is_major)
    section: str = ""        # "dependencies", "optional-dependencies.test", "dev-dependencies", "require"...


@dataclass(frozen=True)
class LockfileChange:
    path: str
    added: int               # patch lines added
    removed: int             # patch lines removed


@dataclass(frozen=True)
class VersionBump:
    manifest: str            # the manifest whose own version changed
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Moved:
    name: str
    kind: str
    language: str
    public: bool
    old_path: str
    path: str


@dataclass(frozen=True)
class Renamed:
    what: str                # "symbol" | "option" | "env"
    old: str
    new: str
    kind: str = ""           # a symbol's kind
    path: str = ""           # a symbol's file
    pattern: str = ""        # snake_to_kebab kebab_to_snake camel_to_kebab case prefix owner, or "" (pairs.py)
    public: bool = False     # a symbol whose old name was public interface: its callers break


@dataclass(frozen=True)
class SignatureChange:
    name: str
    kind: str
    path: str
    language: str
    public: bool
    added: tuple[str, ...] = ()       # new parameters ("timeout=" has a default)
    removed: tuple[str, ...] = ()
    defaulted: tuple[str, ...] = ()   # parameters that gained a default
    required: tuple[str, ...] = ()    # parameters that lost their default
    retyped: tuple[str, ...] = ()     # "name: old type → new type" (parsed languages)
    defaults: tuple[str, ...] = ()    # "name=value" of each added parameter with a default (parsed languages)
    returns_old: str | None = None    # the return type before and after, when it changed (parsed languages)
    returns_new: str | None = None


def _flat(item) -> dict:
    """A fact of plain fields as a JSON-ready dict, in field order (tuples become lists)."""
    return {key: list(value) if isinstance(value, tuple) else value for key, value in vars(item).items()}


def _key(item) -> tuple:
    return tuple(str(value) for value in vars(item).values())


_SYMBOL_LISTS = ("symbols_added", "symbols_removed", "symbols_changed")
_STRING_LISTS = ("options_added", "options_removed", "env_added", "env_removed", "tests_added", "tests_removed", "docs")
_RECORD_LISTS = {"dependencies": DependencyChange, "lockfiles": LockfileChange, "moved": Moved, "renamed": Renamed,
                 "signatures": SignatureChange, "version_bumps": VersionBump}


@dataclass
class DiffFacts:
    symbols_added: list[Symbol] = field(default_factory=list)
    symbols_removed: list[Symbol] = field(default_factory=list)
    symbols_changed: list[Symbol] = field(default_factory=list)
    dependencies: list[DependencyChange] = field(default_factory=list)
    lockfiles: list[LockfileChange] = field(default_factory=list)
    options_added: list[str] = field(default_factory=list)
    options_removed: list[str] = field(default_factory=list)
    env_added: list[str] = field(default_factory=list)
    env_removed: list[str] = field(default_factory=list)
    tests_added: list[str] = field(default_factory=list)
    tests_removed: list[str] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    truncated: bool = False
    moved: list[Moved] = field(default_factory=list)
    renamed: list[Renamed] = field(default_factory=list)
    signatures: list[SignatureChange] = field(default_factory=list)
    version_bumps: list[VersionBump] = field(default_factory=list)
    # path -> "parser" (definitions read from both sides' syntax trees) or "lines" (from the patch's lines)
    definitions_read: dict[str, str] = field(default_factory=dict)

    _LISTS = _SYMBOL_LISTS + ("dependencies", "lockfiles") + _STRING_LISTS + ("moved", "renamed", "signatures",
                                                                            "version_bumps")

    def as_json(self) -> dict:
        """The facts as a JSON object; every list sorted and free of duplicates (README's JSON section says
        what each field holds)."""
        def records(items: list, key=_key) -> list[dict]:
            unique = {key(item): item for item in items}
            return [_flat(unique[k]) for k in sorted(unique)]

        dep_key = lambda d: (d.manifest, d.section, d.name, d.old or "", d.new or "")  # noqa: E731
        data: dict = {name: records(getattr(self, name)) for name in _SYMBOL_LISTS}
        data["dependencies"] = records(self.dependencies, dep_key)
        data["lockfiles"] = records(self.lockfiles, lambda lock: lock.path)
        data.update({name: sorted(set(getattr(self, name))) for name in _STRING_LISTS})
        data["truncated"] = bool(self.truncated)
        data.update({name: records(getattr(self, name)) for name in ("moved", "renamed", "signatures",
                                                                    "version_bumps")})
        data["definitions_read"] = dict(sorted(self.definitions_read.items()))
        return data

    @classmethod
    def from_json(cls, data: dict) -> "DiffFacts":
        """Facts back from as_json(); missing keys read as empty, unknown keys are ignored."""
        def items(key: str, kind: type) -> list:
            names = set(kind.__dataclass_fields__)
            return [kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in entry.items() if k in names})
                    for entry in data.get(key) or []]

        return cls(
            **{key: items(key, Symbol) for key in _SYMBOL_LISTS},
            **{key: items(key, kind) for key, kind in _RECORD_LISTS.items()},
            **{key: list(data.get(key) or []) for key in _STRING_LISTS},
            truncated=bool(data.get("truncated", False)),
            definitions_read=dict(data.get("definitions_read") or {}),
        )

    def is_empty(self) -> bool:
        """True when no fact was found (truncated alone is not a fact)."""
        return not any(getattr(self, name) for name in self._LISTS)
