"""What a path is: one table of file kinds, languages and manifests, read by every reader of paths."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from functools import lru_cache

DOC_EXTS = (".md", ".markdown", ".mdx", ".rst", ".adoc", ".asciidoc")
LOCKFILES = ("Cargo.lock", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock",
             "uv.lock", "go.sum", "Pipfile.lock", "pdm.lock", "Gemfile.lock", "composer.lock", "bun.lock", "bun.lockb")
# Manifests whose dependencies are read, by their own name; requirement files by REQUIREMENTS below.
PARSED_MANIFESTS = ("pyproject.toml", "setup.cfg", "Cargo.toml", "go.mod", "package.json")
REQUIREMENTS = ("*requirements*.txt", "*requirements*.in", "constraints*.txt", "constraints*.in",
                "requirements/*.txt", "requirements/*.in", "*/requirements/*.txt", "*/requirements/*.in")

# Path kinds, first match wins. Patterns match the whole path or its last component.
PATH_KINDS: list[tuple[str, tuple[str, ...]]] = [
    ("lockfile", LOCKFILES + ("*.lock",)),
    ("vendored", ("vendor/*", "third_party/*", "third-party/*", "node_modules/*", "*.min.js", "*_pb2.py",
                  "*.pb.go", "*generated*")),
    ("ci", (".github/workflows/*", ".github/actions/*", ".gitlab-ci.yml", ".circleci/*", "Jenkinsfile",
            ".travis.yml", "azure-pipelines.yml", ".buildkite/*", ".ci/*", ".github/scripts/*")),
    ("manifest", PARSED_MANIFESTS + REQUIREMENTS + ("setup.py", "pom.xml", "build.gradle", "build.gradle.kts",
                                                    "Gemfile", "Pipfile", "environment.yml")),
    ("test", ("tests/*", "test/*", "*/tests/*", "*/test/*", "__tests__/*", "*/__tests__/*", "spec/*", "*_test.go",
              "test_*.py", "*_test.py", "*.spec.ts", "*.test.ts", "*.spec.tsx", "*.test.tsx", "*.spec.js",
              "*.test.js", "conftest.py", "*Test.java", "*Tests.java", "*Test.kt", "*_spec.rb", "*_test.cc",
              "*_test.cpp", "*_unittest.cc", "test_*.cpp", "test_*.cc")),
    ("build", ("Dockerfile*", "*.dockerfile", "Makefile", "CMakeLists.txt", "*.cmake", "*.bazel", "BUILD",
               "WORKSPACE", "meson.build", "container/*", "docker/*")),
    ("docs", ("docs/*", "doc/*", "*/docs/*", "*/doc/*", "documentation/*", "*/documentation/*")
     + tuple("*" + ext for ext in DOC_EXTS)
     + ("README*", "CHANGELOG*", "CONTRIBUTING*", "HISTORY*", "NEWS*", "LICENSE*", "COPYING*", "NOTICE*",
        "AUTHORS*", "*.svg", "*.png", "*.jpg", "*.gif", "*.d2", "mkdocs.yml")),
    ("config", ("*.yaml", "*.yml", "*.toml", "*.ini", "*.cfg", "*.json", "*.conf", ".env*", "*.properties")),
    # Measured or generated data, whatever its extension: never documentation.
    ("data", ("*.txt", "*.csv", "*.tsv", "*.dat", "*.jsonl", "*.ndjson", "*.parquet", "*.npy", "*.npz", "*.h5",
              "*.pkl")),
]
KINDS = tuple(kind for kind, _ in PATH_KINDS) + ("source", "submodule")
PUBLIC_API_PATTERNS = ("api/*", "*/api/*", "include/*", "*.proto", "*openapi*", "*__init__.py", "*.pyi",
                       "*/public/*", "*.graphql")
# Where a project's interface lives, for ordering what a commit defines: these first.
API_SURFACES = PUBLIC_API_PATTERNS + ("*.h", "*.hh", "*.hpp", "*.hxx", "*.cuh", "lib.rs", "mod.rs", "cli.py",
                                      "__main__.py", "main.go", "main.rs", "index.ts", "index.js", "*.d.ts")

LANGUAGES = {
    ".py": "python", ".pyi": "python",
    ".c": "c", ".h": "c",
    ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp", ".hh": "cpp", ".hpp": "cpp",
    ".hxx": "cpp", ".h++": "cpp", ".cu": "cpp", ".cuh": "cpp", ".ipp": "cpp", ".inl": "cpp",
    ".rs": "rust", ".go": "go", ".java": "java", ".kt": "kotlin", ".kts": "kotlin",
    ".js": "javascript", ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".ts": "typescript", ".tsx": "typescript", ".mts": "typescript", ".cts": "typescript",
}
HEADER_EXTS = frozenset({".h", ".hh", ".hpp", ".hxx", ".h++", ".cuh", ".inl", ".ipp"})
_SHELLISH_EXTS = frozenset({".sh", ".bash", ".zsh", ".ksh", ".yml", ".yaml", ".dockerfile", ".env"})


def ext(path: str) -> str:
    return posixpath.splitext(path)[1].lower()


@lru_cache(maxsize=8192)
def path_kind(path: str) -> str:
    """source, test, docs, ci, build, manifest, lockfile, vendored, config or data."""
    for kind, patterns in PATH_KINDS:
        if _matches(path, patterns):
            return kind
    return "source"


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    name = path.rsplit("/", 1)[-1]
    regex = _one_regex(patterns)
    return bool(regex.match(path) or regex.match(name))


@lru_cache(maxsize=None)
def _one_regex(patterns: tuple[str, ...]) -> re.Pattern:
    """The globs of one kind as one regular expression (fnmatchcase's own translation): one compile per kind."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


@lru_cache(maxsize=4096)
def is_public_api(path: str) -> bool:
    return _matches(path, PUBLIC_API_PATTERNS)


@lru_cache(maxsize=4096)
def is_api_surface(path: str) -> bool:
    """Headers, package roots, CLI entry points and declared API paths: where a caller looks first."""
    return _matches(path, API_SURFACES)


def is_doc(path: str) -> bool:
    """Documentation: a docs kind, or a documentation format wherever it lives (tests/README.md too)."""
    return path_kind(path) == "docs" or ext(path) in DOC_EXTS


def is_test_path(path: str) -> bool:
    return path_kind(path) == "test"


def language_of(path: str) -> str | None:
    """The language whose definitions are read from this path, or None."""
    return LANGUAGES.get(ext(path))


def is_header(path: str) -> bool:
    return ext(path) in HEADER_EXTS


def is_shellish(path: str) -> bool:
    base = posixpath.basename(path).lower()
    return ext(path) in _SHELLISH_EXTS or base.startswith("dockerfile") or base.startswith("containerfile")


@lru_cache(maxsize=4096)
def manifest_kind(path: str) -> str | None:
    """Which parser reads this manifest ("pyproject.toml", "cargo.toml", "requirements", ...), or None."""
    if path_kind(path) != "manifest":
        return None
    base = posixpath.basename(path)
    if base in PARSED_MANIFESTS:
        return base.lower()
    return "requirements" if _matches(path, REQUIREMENTS) else None
