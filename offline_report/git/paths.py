"""What kind of file a path is (source, test, docs, ci, manifest, lockfile, ...), and whether it is public API."""

from __future__ import annotations

import fnmatch
import re
from functools import lru_cache

# Path kinds, first match wins. Patterns match the whole path or any of its components.
PATH_KINDS: list[tuple[str, tuple[str, ...]]] = [
    ("lockfile", ("Cargo.lock", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "uv.lock",
                  "go.sum", "Pipfile.lock", "Gemfile.lock", "composer.lock", "*.lock")),
    ("vendored", ("vendor/*", "third_party/*", "third-party/*", "node_modules/*", "*.min.js", "*_pb2.py",
                  "*.pb.go", "*generated*")),
    ("ci", (".github/workflows/*", ".github/actions/*", ".gitlab-ci.yml", ".circleci/*", "Jenkinsfile",
            ".travis.yml", "azure-pipelines.yml", ".buildkite/*", ".ci/*", ".github/scripts/*")),
    ("manifest", ("requirements*.txt", "pyproject.toml", "setup.py", "setup.cfg", "package.json", "Cargo.toml",
                  "go.mod", "pom.xml", "build.gradle", "build.gradle.kts", "Gemfile", "Pipfile", "environment.yml")),
    ("test", ("tests/*", "test/*", "*/tests/*", "*/test/*", "__tests__/*", "*/__tests__/*", "spec/*", "*_test.go",
              "test_*.py", "*_test.py", "*.spec.ts", "*.test.ts", "*.spec.js", "*.test.js", "conftest.py",
              "*Test.java", "*_spec.rb")),
    ("build", ("Dockerfile*", "*.dockerfile", "Makefile", "CMakeLists.txt", "*.cmake", "*.bazel", "BUILD",
               "WORKSPACE", "container/*", "docker/*")),
    ("docs", ("docs/*", "doc/*", "*/docs/*", "*.md", "*.rst", "*.adoc", "*.txt", "README*", "CHANGELOG*",
              "LICENSE*", "NOTICE*", "AUTHORS*", "*.svg", "*.png", "*.jpg", "*.gif", "*.d2", "mkdocs.yml")),
    ("config", ("*.yaml", "*.yml", "*.toml", "*.ini", "*.cfg", "*.json", "*.conf", ".env*", "*.properties")),
]
PUBLIC_API_PATTERNS = ("api/*", "*/api/*", "include/*", "*.proto", "*openapi*", "*__init__.py", "*.pyi",
                       "*/public/*", "*.graphql")


@lru_cache(maxsize=4096)
def path_kind(path: str) -> str:
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
