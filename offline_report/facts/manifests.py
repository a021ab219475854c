"""Manifests and lockfiles: declared dependencies before and after, and the project's own version."""

from __future__ import annotations

import json
import re
from typing import Iterable

from .model import DependencyChange, FilePatch, LockfileChange, VersionBump
from .patch import MAX_MANIFEST_CHARS, MAX_PATCH_CHARS, Pattern, patch_lines, patch_sides

_VERSION_RE = Pattern(r"(===|==|>=|<=|~=|!=|\^|~|<|>|=)?\s*v?(\d+(?:\.\d+)*)")
_GO_REQUIRE = Pattern(r"^\s*(?:require\s+)?([^\s()=]+)\s+(v\d[^\s]*)")


def _leading_version(spec: str | None) -> tuple[int, ...] | None:
    """The version a spec is about: its lower bound (==, >=, ^, ~ ...) or else its first version."""
    if not spec:
        return None
    first = None
    for operator, version in _VERSION_RE.findall(spec):
        numbers = tuple(int(part) for part in version.split(".")[:6])
        if operator not in ("<", "<=", "!="):
            return numbers
        first = first or numbers
    return first


def is_major(old: str | None, new: str | None) -> bool:
    """Whether the first non-zero version component changed, the semver-0 rule.

    0.27 -> 0.28 is major (for 0.x the minor number is the breaking one), 1.4 -> 1.5 is not,
    1.9 -> 2.0 is; 0.0.3 -> 0.0.4 is major. Specs without a version (git, path) are never major.
    """
    before, after = _leading_version(old), _leading_version(new)
    if before is None or after is None:
        return False

    def head(version: tuple[int, ...]) -> tuple[int, ...]:
        for index, number in enumerate(version):
            if number:
                return version[:index + 1]
        return version

    width = max(len(head(before)), len(head(after)))
    pad = lambda v: (v + (0,) * width)[:width]  # noqa: E731
    return pad(before) != pad(after)


def _requirement(line: str) -> tuple[str, str] | None:
    """(canonical name, the requirement less its name) of one PEP 508 line, or None."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    line = re.split(r"(?:^|\s)#", line, maxsplit=1)[0]
    line = re.split(r"\s--?\w", line, maxsplit=1)[0].strip()
    if not line or line.startswith(("-", ".", "/")) or "://" in line.split("@")[0]:
        return None
    try:
        requirement = Requirement(line)
    except InvalidRequirement:
        return None
    text = str(requirement)
    return canonicalize_name(requirement.name), text[len(requirement.name):].strip()


def _requirements(lines: Iterable[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    pending = ""
    for line in lines:
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        parsed = _requirement(pending + line)
        pending = ""
        if parsed:
            name, spec = parsed
            found[name] = f"{found[name]} | {spec}" if name in found else spec
    return found


def _go_requires(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    block = ""
    for line in text.splitlines():
        code = line.split("//", 1)[0].strip()
        if code.endswith("(") and code[:-1].strip() in ("require", "replace", "exclude", "retract", "tool", "godebug"):
            block = code[:-1].strip()
            continue
        if code == ")":
            block = ""
            continue
        if block not in ("", "require") or "=>" in code or code.startswith(("module ", "go ", "toolchain ")):
            continue
        match = _GO_REQUIRE.match(code)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def _table_spec(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        parts = [str(value["version"])] if isinstance(value.get("version"), str) else []
        parts += [f"{key}={json.dumps(value[key], sort_keys=True)}" for key in sorted(value) if key != "version"]
        return "; ".join(parts)
    return json.dumps(value, sort_keys=True)


def _pep508_list(values) -> dict[str, str]:
    return _requirements(value for value in values if isinstance(value, str)) if isinstance(values, list) else {}


def _table(data, *keys) -> dict:
    """data[keys[0]][keys[1]]..., or {} where a level is missing or is not a table."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _pyproject(data: dict) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    project = _table(data, "project")
    for name, spec in _pep508_list(project.get("dependencies")).items():
        found["dependencies", name] = spec
    for extra, values in _table(project, "optional-dependencies").items():
        for name, spec in _pep508_list(values).items():
            found[f"optional-dependencies.{extra}", name] = spec
    for group, values in _table(data, "dependency-groups").items():
        for name, spec in _pep508_list(values).items():
            found[f"dependency-groups.{group}", name] = spec
    for name, spec in _pep508_list(_table(data, "build-system").get("requires")).items():
        found["build-system", name] = spec
    poetry = _table(data, "tool", "poetry")
    tables = {"tool.poetry.dependencies": _table(poetry, "dependencies"),
              "tool.poetry.dev-dependencies": _table(poetry, "dev-dependencies")}
    for group in _table(poetry, "group"):
        tables[f"tool.poetry.group.{group}.dependencies"] = _table(poetry, "group", group, "dependencies")
    for section, table in tables.items():
        for name, value in table.items():
            if name.lower() != "python":
                found[section, name.lower()] = _table_spec(value)
    return found


def _cargo(data: dict) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    sections = ("dependencies", "dev-dependencies", "build-dependencies")
    tables = {section: _table(data, section) for section in sections}
    tables["workspace.dependencies"] = _table(data, "workspace", "dependencies")
    for target in _table(data, "target"):
        for section in sections:
            tables[f"target.{target}.{section}"] = _table(data, "target", target, section)
    for section, table in tables.items():
        for name, value in table.items():
            found[section, name] = _table_spec(value)
    return found


def _package_json(data: dict) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for section in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        for name, value in _table(data, section).items():
            found[section, name] = _table_spec(value)
    return found


def _setup_cfg(text: str) -> dict[tuple[str, str], str]:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    found: dict[tuple[str, str], str] = {}
    if parser.has_option("options", "install_requires"):
        for name, spec in _requirements(parser.get("options", "install_requires").splitlines()).items():
            found["install_requires", name] = spec
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            for name, spec in _requirements(value.splitlines()).items():
                found[f"extras_require.{extra}", name] = spec
    return found


_VERSION_KEY = "\0version"   # the manifest's own version, beside its (section, name) dependency keys
_VERSION_LINE = Pattern(r"""^\s*"?version"?\s*[=:]\s*["']([^"']+)["']""")


def _own_version(kind: str, data: dict) -> str | None:
    """The version the manifest gives its own project or package, when it says one as a string."""
    tables = {"pyproject.toml": (("project",), ("tool", "poetry")), "cargo.toml": (("package",), ("workspace", "package")),
              "package.json": ((),)}.get(kind, ())
    for keys in tables:
        version = _table(data, *keys).get("version") if keys else data.get("version")
        if isinstance(version, str):
            return version
    return None


def _with_version(kind: str, data: dict, found: dict) -> dict:
    version = _own_version(kind, data)
    if version is not None:
        found[_VERSION_KEY] = version
    return found


def _parse_manifest(kind: str, text: str) -> dict | None:
    """{(section, name): spec} of one manifest's text, and its own version under _VERSION_KEY; None when it
    does not parse."""
    if not text.strip():
        return {}
    if kind == "requirements":
        return {("requirements", name): spec for name, spec in _requirements(text.splitlines()).items()}
    if kind == "go.mod":
        return {("require", name): spec for name, spec in _go_requires(text).items()}
    if kind == "package.json":
        try:
            data = json.loads(text)
        except ValueError:
            return None
        return _with_version(kind, data, _package_json(data)) if isinstance(data, dict) else None
    if kind == "setup.cfg":
        import configparser
        try:
            return _setup_cfg(text)
        except configparser.Error:
            return None
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    return _with_version(kind, data, _pyproject(data) if kind == "pyproject.toml" else _cargo(data))


def _version_from_patch(item: FilePatch, bounds: list[bool]) -> VersionBump | None:
    """The first `version = "..."` line removed and the first added, when the whole texts cannot be read."""
    found = {"+": None, "-": None}
    for side, text in patch_lines(item.patch or "", bounds):
        match = _VERSION_LINE.match(text) if side in "+-" and found[side] is None and "version" in text else None
        if match:
            found[side] = match.group(1)
    old, new = found["-"], found["+"]
    return VersionBump(item.path, old, new) if old and new and old != new else None


def manifest_changes(item: FilePatch, kind: str, bounds: list[bool]) -> tuple[list[DependencyChange],
                                                                              VersionBump | None]:
    """The dependencies whose spec changed, and the manifest's own version bump (or None)."""
    old = "" if item.status == "added" else item.old_text()
    new = "" if item.status == "deleted" else item.new_text()
    if old is None or new is None:
        if kind not in ("requirements", "go.mod") or not item.patch:
            return [], (_version_from_patch(item, bounds) if item.patch else None)
        old, new = patch_sides(item.patch, bounds)   # line-based formats read well from the patch alone
    if len(old) > MAX_MANIFEST_CHARS or len(new) > MAX_MANIFEST_CHARS:
        bounds[0] = True
        return [], None
    before, after = _parse_manifest(kind, old), _parse_manifest(kind, new)
    if before is None or after is None:
        return [], None
    was_version, version = before.pop(_VERSION_KEY, None), after.pop(_VERSION_KEY, None)
    bump = VersionBump(item.path, was_version, version) if was_version and version and was_version != version else None
    changes = []
    for section, name in sorted(set(before) | set(after)):
        was, now = before.get((section, name)), after.get((section, name))
        if was == now:
            continue
        change = "added" if was is None else "removed" if now is None else "changed"
        changes.append(DependencyChange(name, item.path, was, now, change, is_major(was, now), section))
    return changes, bump


def lockfile_change(item: FilePatch, bounds: list[bool]) -> LockfileChange:
    """Added and removed lines only: lockfiles are long, and their own manifests say what changed."""
    patch = item.patch or ""
    if len(patch) > MAX_PATCH_CHARS:
        patch, bounds[0] = patch[:MAX_PATCH_CHARS], True
    start = patch.find("\n@@")
    added = removed = 0
    if start >= 0 or patch.startswith("@@"):
        for raw in patch[max(start, 0):].split("\n"):
            if raw[:1] == "+":
                added += 1
            elif raw[:1] == "-":
                removed += 1
    return LockfileChange(item.path, added, removed)


