"""Diff facts read from real commits built with pygit2: symbols, dependencies, options, env vars, tests, docs."""

from __future__ import annotations

import json

import pygit2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offline_report.facts import commit as df_commit, defs as df_defs, defs_c as df_c, manifests as df_manifests
from offline_report.facts import options as df_options, patch as df_patch
from offline_report.facts import DiffFacts, FilePatch, diff_facts
from .support.gitrepo import RepoBuilder
from .support.thirteen import BASE_FILES, follow_up_files

STATUS = {pygit2.enums.DeltaStatus.ADDED: "added", pygit2.enums.DeltaStatus.DELETED: "deleted",
          pygit2.enums.DeltaStatus.MODIFIED: "modified", pygit2.enums.DeltaStatus.RENAMED: "renamed",
          pygit2.enums.DeltaStatus.COPIED: "copied", pygit2.enums.DeltaStatus.TYPECHANGE: "typechange"}
ZERO = "0" * 40


def blob_reader(repo: pygit2.Repository, oid: pygit2.Oid):
    def read() -> str | None:
        return None if str(oid) == ZERO else repo[oid].data.decode("utf-8", "replace")
    return read


def file_patches(repo: pygit2.Repository, oid: pygit2.Oid) -> list[FilePatch]:
    commit = repo[oid]
    parent = commit.parents[0] if commit.parents else None
    diff = repo.diff(parent, commit) if parent else commit.tree.diff_to_tree(swap=True)
    diff.find_similar()
    patches = []
    for patch in diff:
        delta = patch.delta
        patches.append(FilePatch(
            path=delta.new_file.path, status=STATUS.get(delta.status, "modified"),
            patch=None if delta.is_binary else patch.text,
            old_text=blob_reader(repo, delta.old_file.id), new_text=blob_reader(repo, delta.new_file.id),
            old_path=delta.old_file.path if delta.old_file.path != delta.new_file.path else None))
    return patches


class History:
    """A repository built commit by commit; facts() reads the facts of the last commit."""

    def __init__(self, path):
        self.builder = RepoBuilder(path)
        self.hour = 0

    def commit(self, files: dict[str, str], delete: tuple[str, ...] = (), message: str = "update") -> DiffFacts:
        self.hour += 1
        oid = self.builder.commit(message, f"2026-02-10T{self.hour:02d}:00:00+00:00", files, delete=delete)
        return diff_facts(file_patches(self.builder.repo, oid))


def names(symbols) -> set[str]:
    return {symbol.name for symbol in symbols}


def by_name(symbols, name):
    return next(symbol for symbol in symbols if symbol.name == name)


@pytest.fixture
def history(tmp_path) -> History:
    return History(tmp_path / "repo")


# --------------------------------------------------------------------------- the whole scenario

def test_one_commit_yields_every_fact_its_message_never_names(history):
    history.commit(BASE_FILES, message="initial import")
    facts = history.commit(follow_up_files(), message="misc: follow-up work")

    added = names(facts.symbols_added)
    assert {"parse_config", "ConfigError", "nixl::init_memory_view", "Server.Start", "Queue::flush_pending"} <= added
    assert names(facts.symbols_removed) == {"nixl::init_device", "nixl::init_host"}
    assert "--max-retries" in facts.options_added
    assert facts.env_added == ["PKG_TIMEOUT"]
    deps = {(d.name, d.old, d.new) for d in facts.dependencies}
    assert ("vllm", "==0.15.0", "==0.15.1") in deps
    assert ("httpx", ">=0.27", ">=0.28") in deps
    assert len(facts.tests_added) == 3
    assert all(test.startswith("tests/test_config.py::test_parse_config_") for test in facts.tests_added)

    assert by_name(facts.symbols_added, "Server.Start").language == "go"
    assert by_name(facts.symbols_added, "Server.Start").kind == "method"
    assert by_name(facts.symbols_added, "Queue::flush_pending").public
    assert by_name(facts.symbols_added, "ConfigError").kind == "class"
    assert by_name(facts.symbols_removed, "nixl::init_device").path == "src/device.cpp"
    vllm = next(d for d in facts.dependencies if d.name == "vllm")
    httpx = next(d for d in facts.dependencies if d.name == "httpx")
    assert (vllm.change, vllm.major, vllm.manifest) == ("changed", False, "requirements.txt")
    assert (httpx.change, httpx.major, httpx.manifest, httpx.section) == (
        "changed", True, "pyproject.toml", "dependencies")
    assert "main" in names(facts.symbols_changed)      # its parameters changed with the new option
    assert not facts.truncated and not facts.is_empty()


# --------------------------------------------------------------------------- symbols per language

def test_python_methods_changes_and_privacy(history):
    history.commit({"app/models.py": '''class Store:
    def get(self, key):
        return self.data[key]

    def _evict(self):
        pass


def helper(a):
    return a
'''})
    facts = history.commit({"app/models.py": '''class Store:
    def get(self, key, default=None):
        return self.data.get(key, default)

    async def put(self, key, value):
        self.data[key] = value


def helper(a):
    return a
'''})
    assert names(facts.symbols_changed) == {"Store.get"}
    assert names(facts.symbols_added) == {"Store.put"}
    assert by_name(facts.symbols_added, "Store.put").kind == "method"
    removed = by_name(facts.symbols_removed, "Store._evict")
    assert removed.public is False and removed.language == "python"


def test_body_only_change_is_reported_through_the_hunk_header(history):
    body = "".join(f"    step_{i} = {i}\n" for i in range(12))
    after = "".join(f"    step_{i} = {i}\n" for i in range(12)).replace("step_9 = 9", "step_9 = 99")
    history.commit({"app/run.py": f"import os\n\n\ndef run(job):\n{body}    return job\n\n\nVALUE = 1\n"})
    facts = history.commit({"app/run.py": f"import os\n\n\ndef run(job):\n{after}    return job\n\n\nVALUE = 1\n"})
    assert [(s.name, s.kind, s.path) for s in facts.symbols_changed] == [("run", "function", "app/run.py")]
    assert not facts.symbols_added and not facts.symbols_removed


def test_top_level_change_after_a_function_is_not_blamed_on_it(history):
    functions = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(3))
    history.commit({"app/consts.py": functions + "LIMIT = 1\nOTHER = 2\n"})
    facts = history.commit({"app/consts.py": functions + "LIMIT = 5\nOTHER = 2\n"})
    assert facts.symbols_changed == []


def test_rename_without_content_change_yields_no_symbols(history):
    source = "def alpha():\n    return 1\n\n\nclass Beta:\n    pass\n" + "# padding\n" * 20
    history.commit({"old/name.py": source})
    facts = history.commit({"new/name.py": source}, delete=("old/name.py",))
    assert facts.is_empty()
    assert facts.as_json()["symbols_changed"] == []


def test_c_header_and_static_functions(history):
    history.commit({"include/api.h": "#pragma once\n\nint api_open(const char *path);\nvoid api_close(int fd);\n",
                    "src/api.c": "#include \"api.h\"\n\nstatic int check(int fd) {\n    return fd >= 0;\n}\n"})
    facts = history.commit({
        "include/api.h": "#pragma once\n\nint api_open(const char *path, int flags);\n"
                         "struct api_stats {\n    int reads;\n};\n",
        "src/api.c": "#include \"api.h\"\n\nstatic int check(int fd) {\n    return fd > 0;\n}\n\n"
                     "int api_read(int fd, char *buffer, size_t size) {\n    int n = 0;\n    return n;\n}\n"})
    assert names(facts.symbols_changed) == {"api_open", "check"}
    assert by_name(facts.symbols_changed, "check").public is False
    assert names(facts.symbols_added) == {"api_stats", "api_read"}
    assert by_name(facts.symbols_added, "api_stats").kind == "struct"
    assert names(facts.symbols_removed) == {"api_close"}
    assert by_name(facts.symbols_removed, "api_close").language == "c"


def test_cpp_classes_methods_and_gtest(history):
    history.commit({"src/engine.hpp": "class Engine {\n  public:\n    void start();\n};\n",
                    "src/engine.cpp": "#include \"engine.hpp\"\n\nvoid Engine::start() {\n    run();\n}\n",
                    "tests/engine_test.cpp": "TEST(Engine, Starts) {\n    EXPECT_TRUE(true);\n}\n"})
    facts = history.commit({
        "src/engine.hpp": "class Engine {\n  public:\n    void start();\n    bool stop(int timeout_ms);\n};\n\n"
                          "enum class Mode : int {\n    Fast,\n};\n",
        "src/engine.cpp": "#include \"engine.hpp\"\n\nvoid Engine::start() {\n    run();\n    log();\n}\n\n"
                          "bool Engine::stop(int timeout_ms) {\n    return timeout_ms > 0;\n}\n",
        "tests/engine_test.cpp": "TEST(Engine, Starts) {\n    EXPECT_TRUE(true);\n}\n\n"
                                 "TEST_F(EngineFixture, Stops) {\n    EXPECT_TRUE(true);\n}\n"})
    assert {"Engine::stop", "Mode"} <= names(facts.symbols_added)
    assert "Engine::start" in names(facts.symbols_changed)
    assert facts.tests_added == ["tests/engine_test.cpp::EngineFixture.Stops"]


def test_rust_items_visibility_tests_and_clap_options(history):
    history.commit({"src/lib.rs": '''pub struct Config {
    #[arg(long)]
    pub port: u16,
}

fn internal() -> u32 {
    1
}

pub fn public_api() -> u32 {
    2
}
'''})
    facts = history.commit({"src/lib.rs": '''pub struct Config {
    #[arg(long)]
    pub port: u16,
    #[arg(short, long)]
    pub max_connections: u32,
    #[arg(long = "log-dir")]
    pub logs: String,
}

pub enum Mode {
    Fast,
}

pub(crate) fn internal() -> u64 {
    let token = std::env::var("APP_TOKEN").unwrap_or_default();
    1
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_port() {
        assert!(true);
    }
}
'''})
    assert names(facts.symbols_removed) == {"public_api"}
    assert by_name(facts.symbols_removed, "public_api").public
    assert by_name(facts.symbols_added, "Mode").kind == "enum"
    changed = by_name(facts.symbols_changed, "internal")
    assert changed.public is False
    assert "Config" in names(facts.symbols_changed)
    assert facts.tests_added == ["src/lib.rs::tests::parses_port"]   # the path cargo test names it by
    assert facts.options_added == ["--log-dir", "--max-connections"]
    assert facts.env_added == ["APP_TOKEN"]


def test_go_methods_types_flags_env_and_tests(history):
    history.commit({"cmd/main.go": '''package main

import "flag"

var port = flag.Int("port", 8080, "port")

func run() {
\tprintln("run")
}
''', "cmd/main_test.go": "package main\n\nfunc TestRun(t *testing.T) {\n}\n"})
    facts = history.commit({"cmd/main.go": '''package main

import (
\t"flag"
\t"os"
)

var port = flag.Int("port", 8080, "port")
var host = flag.String("listen-host", "", "host")

type handler struct {
\tname string
}

type Handler interface {
\tServe() error
}

func (h *handler) Serve() error {
\treturn nil
}

func run() {
\tprintln("run", os.Getenv("GO_APP_MODE"))
}
''', "cmd/main_test.go": "package main\n\nfunc TestServe(t *testing.T) {\n}\n"})
    assert by_name(facts.symbols_added, "handler.Serve").public is False
    assert by_name(facts.symbols_added, "Handler").kind == "interface"
    assert by_name(facts.symbols_added, "handler").kind == "struct"
    assert names(facts.symbols_changed) == {"run"}
    assert facts.options_added == ["-listen-host"]
    assert facts.env_added == ["GO_APP_MODE"]
    assert facts.tests_added == ["cmd/main_test.go::TestServe"]
    assert facts.tests_removed == ["cmd/main_test.go::TestRun"]


def test_go_benchmarks_examples_and_fuzz_targets_are_tests_only_in_test_files(history):
    runs = "func BenchmarkServe(b *testing.B) {}\n\nfunc ExampleServe() {}\n\nfunc FuzzParse(f *testing.F) {}\n"
    history.commit({"cmd/serve.go": "package main\n\nfunc Serve() {}\n"})
    facts = history.commit({"cmd/serve_test.go": "package main\n\n" + runs,
                            "cmd/serve.go": "package main\n\nfunc Serve() {}\n\nfunc TestMode() bool { return true }\n"})
    assert facts.tests_added == ["cmd/serve_test.go::BenchmarkServe", "cmd/serve_test.go::ExampleServe",
                                 "cmd/serve_test.go::FuzzParse"]
    assert names(facts.symbols_added) == {"TestMode"}   # not in a _test.go file: go test never runs it


def test_java_and_kotlin(history):
    history.commit({
        "src/Service.java": '''package app;

public class Service {
    public String name() {
        return "a";
    }

    private int count() {
        return 1;
    }
}
''', "src/Util.kt": "package app\n\nfun greet(name: String): String = \"hi $name\"\n"})
    facts = history.commit({
        "src/Service.java": '''package app;

public class Service {
    public String name(Locale locale) {
        return "a";
    }

    @Test
    void countsItems() {
        assertEquals(1, 1);
    }

    public static <T> List<T> wrap(T item) {
        return List.of(item);
    }
}
''', "src/Util.kt": '''package app

fun greet(name: String): String = "hi $name"

data class Point(val x: Int, val y: Int)

internal fun secret(): String = System.getenv("KT_SECRET") ?: ""
'''})
    assert names(facts.symbols_changed) >= {"Service.name"}
    assert by_name(facts.symbols_added, "Service.wrap").public
    assert by_name(facts.symbols_removed, "Service.count").public is False
    assert facts.tests_added == ["src/Service.java::Service.countsItems"]
    assert by_name(facts.symbols_added, "Point").kind == "class"
    assert by_name(facts.symbols_added, "secret").public is False
    assert facts.env_added == ["KT_SECRET"]


def test_javascript_and_typescript(history):
    history.commit({"web/api.ts": '''export interface Options {
  retries: number;
}

export function fetchAll(url: string) {
  return fetch(url);
}

export class Client {
  get(path: string) {
    return path;
  }
}
''', "web/api.test.js": "test('fetches', () => {\n  expect(1).toBe(1);\n});\n"})
    facts = history.commit({"web/api.ts": '''export interface Options {
  retries: number;
  timeoutMs: number;
}

export const fetchOne = async (url: string): Promise<Response> => {
  return fetch(url + process.env.API_BASE);
};

export type Mode = "fast" | "safe";

export class Client {
  get(path: string, query: string) {
    return path + query;
  }

  private _reset() {
    return null;
  }
}
''', "web/api.test.js": "test('fetches', () => {\n  expect(1).toBe(1);\n});\n\n"
                       "it(\"retries twice\", async () => {\n  expect(2).toBe(2);\n});\n"})
    assert names(facts.symbols_added) == {"fetchOne", "Mode", "Client._reset"}
    assert by_name(facts.symbols_added, "Client._reset").public is False
    assert names(facts.symbols_removed) == {"fetchAll"}
    assert names(facts.symbols_changed) == {"Options", "Client.get"}
    assert facts.env_added == ["API_BASE"]
    assert facts.tests_added == ["web/api.test.js::retries twice"]
    assert {s.language for s in facts.symbols_added} == {"typescript"}


# --------------------------------------------------------------------------- options and env vars

def test_options_and_env_added_only_when_absent_from_removed_lines(history):
    history.commit({"tool/cli.py": '''import argparse
import os

parser = argparse.ArgumentParser()
parser.add_argument("--input")
parser.add_argument("-q", "--quiet", action="store_true")
parser.add_argument("--old-flag")
HOME = os.environ["TOOL_HOME"]
'''})
    facts = history.commit({"tool/cli.py": '''import argparse
import os

parser = argparse.ArgumentParser()
parser.add_argument("--input", required=True)
parser.add_argument("-q", "--quiet", action="store_true")
parser.add_argument(
    "--output-dir",
    default=".",
)
HOME = os.environ.get("TOOL_HOME", "/opt/tool")
CACHE = os.getenv("TOOL_CACHE")
lower = os.getenv("not_an_env_name")
'''})
    assert facts.options_added == ["--output-dir"]           # --input sits on both sides
    assert facts.options_removed == ["--old-flag"]
    assert facts.env_added == ["TOOL_CACHE"]                 # TOOL_HOME sits on both sides
    assert facts.env_removed == []


def test_env_vars_in_shell_yaml_and_dockerfile(history):
    history.commit({"deploy/run.sh": "#!/bin/sh\nexec app --port \"$PORT\"\n",
                    "Dockerfile": "FROM python:3.12\nENV APP_ENV=prod\n",
                    ".github/workflows/ci.yml": "jobs:\n  test:\n    steps:\n      - run: echo ok\n"})
    facts = history.commit({"deploy/run.sh": "#!/bin/sh\nexec app --port \"${APP_PORT:-8080}\" --home \"$HOME\"\n",
                            "Dockerfile": "FROM python:3.12\nENV APP_ENV=prod LOG_LEVEL=info\n",
                            ".github/workflows/ci.yml": "jobs:\n  test:\n    steps:\n"
                                                       "      - run: echo ${{ env.CI_IMAGE }} $REGISTRY\n"})
    assert facts.env_added == ["CI_IMAGE", "LOG_LEVEL", "REGISTRY"]
    assert facts.env_removed == []                           # $PORT became $APP_PORT: a rename
    assert [(r.what, r.old, r.new, r.pattern) for r in facts.renamed] == [("env", "PORT", "APP_PORT", "prefix")]


# --------------------------------------------------------------------------- dependencies

def deps_of(facts: DiffFacts) -> dict[str, tuple]:
    return {d.name: (d.section, d.old, d.new, d.change, d.major) for d in facts.dependencies}


def test_requirements_txt(history):
    history.commit({"requirements-dev.txt": "# tools\npytest==8.0.0\nruff>=0.4  # lint\nblack==24.1\n-r base.txt\n"})
    facts = history.commit({"requirements-dev.txt": "# tools\npytest==8.1.0\nruff>=0.5  # lint\n"
                                                    "mypy==1.10 ; python_version >= \"3.11\"\n-r base.txt\n"})
    assert deps_of(facts) == {
        "pytest": ("requirements", "==8.0.0", "==8.1.0", "changed", False),
        "ruff": ("requirements", ">=0.4", ">=0.5", "changed", True),
        "black": ("requirements", "==24.1", None, "removed", False),
        "mypy": ("requirements", None, '==1.10; python_version >= "3.11"', "added", False),
    }


def test_pyproject_project_optional_and_poetry(history):
    history.commit({"pyproject.toml": '''[project]
name = "x"
dependencies = ["httpx>=0.27", "rich"]

[project.optional-dependencies]
test = ["pytest>=7"]

[tool.poetry.dependencies]
python = "^3.10"
requests = "^2.31"
numpy = {version = "^1.26", optional = true}
'''})
    facts = history.commit({"pyproject.toml": '''[project]
name = "x"
dependencies = ["httpx>=0.28", "rich", "packaging>=23"]

[project.optional-dependencies]
test = ["pytest>=8"]

[tool.poetry.dependencies]
python = "^3.11"
requests = "^2.32"
numpy = {version = "^2.0", optional = true}
'''})
    assert deps_of(facts) == {
        "httpx": ("dependencies", ">=0.27", ">=0.28", "changed", True),
        "packaging": ("dependencies", None, ">=23", "added", False),
        "pytest": ("optional-dependencies.test", ">=7", ">=8", "changed", True),
        "requests": ("tool.poetry.dependencies", "^2.31", "^2.32", "changed", False),
        "numpy": ("tool.poetry.dependencies", "^1.26; optional=true", "^2.0; optional=true", "changed", True),
    }


def test_setup_cfg(history):
    history.commit({"setup.cfg": "[metadata]\nname = x\n\n[options]\ninstall_requires =\n    attrs>=22\n"
                                 "    six\n\n[options.extras_require]\ndocs =\n    sphinx>=6\n"})
    facts = history.commit({"setup.cfg": "[metadata]\nname = x\n\n[options]\ninstall_requires =\n    attrs>=23\n\n"
                                         "[options.extras_require]\ndocs =\n    sphinx>=7\n"})
    assert deps_of(facts) == {
        "attrs": ("install_requires", ">=22", ">=23", "changed", True),
        "six": ("install_requires", "", None, "removed", False),
        "sphinx": ("extras_require.docs", ">=6", ">=7", "changed", True),
    }


def test_cargo_toml_and_lockfile(history):
    history.commit({"Cargo.toml": '''[package]
name = "x"

[dependencies]
serde = "1.0.190"
tokio = { version = "1.35", features = ["full"] }

[dev-dependencies]
criterion = "0.5"

[workspace.dependencies]
anyhow = "1"
''', "Cargo.lock": "[[package]]\nname = \"serde\"\nversion = \"1.0.190\"\n"})
    facts = history.commit({"Cargo.toml": '''[package]
name = "x"

[dependencies]
serde = "1.0.195"
tokio = { version = "1.36", features = ["full"] }
local = { path = "../local" }

[dev-dependencies]
criterion = "0.6"

[workspace.dependencies]
anyhow = "2"
''', "Cargo.lock": "[[package]]\nname = \"serde\"\nversion = \"1.0.195\"\n"})
    assert deps_of(facts) == {
        "serde": ("dependencies", "1.0.190", "1.0.195", "changed", False),
        "tokio": ("dependencies", '1.35; features=["full"]', '1.36; features=["full"]', "changed", False),
        "local": ("dependencies", None, 'path="../local"', "added", False),
        "criterion": ("dev-dependencies", "0.5", "0.6", "changed", True),
        "anyhow": ("workspace.dependencies", "1", "2", "changed", True),
    }
    assert [(lock.path, lock.added, lock.removed) for lock in facts.lockfiles] == [("Cargo.lock", 1, 1)]


def test_go_mod_and_go_sum(history):
    history.commit({"go.mod": "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/a/b v1.2.0\n"
                              "\tgolang.org/x/net v0.20.0 // indirect\n)\n\nrequire github.com/c/d v0.3.1\n\n"
                              "replace github.com/a/b => ../b\n",
                    "go.sum": "github.com/a/b v1.2.0 h1:x\ngithub.com/a/b v1.2.0/go.mod h1:y\n"})
    facts = history.commit({"go.mod": "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/a/b v1.3.0\n"
                                      "\tgolang.org/x/net v0.21.0 // indirect\n\tgithub.com/e/f v2.0.0\n)\n\n"
                                      "replace github.com/a/b => ../b\n",
                            "go.sum": "github.com/a/b v1.3.0 h1:x\ngithub.com/a/b v1.3.0/go.mod h1:y\n"})
    assert deps_of(facts) == {
        "github.com/a/b": ("require", "v1.2.0", "v1.3.0", "changed", False),
        "golang.org/x/net": ("require", "v0.20.0", "v0.21.0", "changed", True),
        "github.com/c/d": ("require", "v0.3.1", None, "removed", False),
        "github.com/e/f": ("require", None, "v2.0.0", "added", False),
    }
    assert [(lock.path, lock.added, lock.removed) for lock in facts.lockfiles] == [("go.sum", 2, 2)]


def test_package_json(history):
    history.commit({"web/package.json": json.dumps({
        "name": "web", "dependencies": {"react": "^18.2.0", "left-pad": "1.3.0"},
        "devDependencies": {"vite": "^5.0.0"}}, indent=2),
        "web/package-lock.json": '{\n  "a": 1\n}\n'})
    facts = history.commit({"web/package.json": json.dumps({
        "name": "web", "dependencies": {"react": "^19.0.0"},
        "devDependencies": {"vite": "^5.1.0"}, "peerDependencies": {"typescript": ">=5"}}, indent=2),
        "web/package-lock.json": '{\n  "a": 2,\n  "b": 3\n}\n'})
    assert deps_of(facts) == {
        "react": ("dependencies", "^18.2.0", "^19.0.0", "changed", True),
        "left-pad": ("dependencies", "1.3.0", None, "removed", False),
        "vite": ("devDependencies", "^5.0.0", "^5.1.0", "changed", False),
        "typescript": ("peerDependencies", None, ">=5", "added", False),
    }
    assert [(lock.path, lock.added, lock.removed) for lock in facts.lockfiles] == [("web/package-lock.json", 2, 1)]


def test_requirements_read_from_the_patch_when_blobs_are_not_given():
    patch = ("diff --git a/requirements.txt b/requirements.txt\n--- a/requirements.txt\n+++ b/requirements.txt\n"
             "@@ -1,2 +1,2 @@\n-vllm==0.15.0\n+vllm==0.15.1\n numpy>=1.26\n")
    facts = diff_facts([FilePatch("requirements.txt", "modified", patch)])
    assert [(d.name, d.old, d.new) for d in facts.dependencies] == [("vllm", "==0.15.0", "==0.15.1")]


def test_broken_manifest_is_skipped(history):
    history.commit({"pyproject.toml": "[project]\ndependencies = [\"a>=1\"]\n"})
    facts = history.commit({"pyproject.toml": "[project\ndependencies = oops\n"})
    assert facts.dependencies == []


@pytest.mark.parametrize("old, new, major", [
    ("==0.15.0", "==0.15.1", False), (">=0.27", ">=0.28", True), (">=1.4", ">=1.5", False),
    ("^1.9", "^2.0", True), ("<2,>=0.27", "<2,>=0.28", True), ("0.0.3", "0.0.4", True),
    ("1", "1.0", False), (None, "1.0", False), ('git="https://x"', 'git="https://y"', False),
])
def test_major_is_a_change_of_the_first_non_zero_component(old, new, major):
    assert df_manifests.is_major(old, new) is major


# --------------------------------------------------------------------------- docs, bounds, JSON

def test_docs_touched(history):
    history.commit({"README.md": "# x\n", "docs/guide/setup.txt": "a\n", "docs/img.png": b"\x89PNG\x00\x01",
                    "src/app.py": "x = 1\n"})
    facts = history.commit({"README.md": "# x\n\nmore\n", "docs/guide/setup.txt": "b\n",
                            "docs/img.png": b"\x89PNG\x00\x02", "notes/design.rst": "Design\n======\n"})
    assert facts.docs == ["README.md", "docs/guide/setup.txt", "docs/img.png", "notes/design.rst"]


def test_bounds_set_truncated(monkeypatch):
    long_patch = "@@ -1,1 +1,60 @@\n" + "".join(f"+def f{i}():\n+    return {i}\n" for i in range(30))
    files = [FilePatch(f"m{i}.py", "modified", long_patch) for i in range(5)]
    assert not diff_facts(files).truncated
    monkeypatch.setattr(df_patch, "MAX_LINES_PER_FILE", 10)
    facts = diff_facts(files)
    assert facts.truncated and len(facts.symbols_added) == 5 * 5
    monkeypatch.setattr(df_patch, "MAX_LINES_PER_FILE", 20_000)
    monkeypatch.setattr(df_commit, "MAX_FILES", 2)
    facts = diff_facts(iter(files))
    assert facts.truncated and {s.path for s in facts.symbols_added} == {"m0.py", "m1.py"}


def test_binary_and_missing_patches_are_skipped():
    facts = diff_facts([FilePatch("lib/blob.so", "modified", None), FilePatch("src/big.py", "modified", None)])
    assert facts.is_empty() and not facts.truncated


def test_as_json_is_sorted_deduplicated_and_round_trips(history):
    history.commit({"b.py": "def b():\n    pass\n", "a.py": "def a():\n    pass\n",
                    "requirements.txt": "z==1\na==1\n"})
    facts = history.commit({"b.py": "def b2():\n    pass\n", "a.py": "def a2():\n    pass\n",
                            "requirements.txt": "z==2\na==2\n", "go.sum": "x v1 h1:a\n"})
    facts.env_added.extend(["B_VAR", "A_VAR", "B_VAR"])
    data = facts.as_json()
    assert list(data) == ["symbols_added", "symbols_removed", "symbols_changed", "dependencies", "lockfiles",
                          "options_added", "options_removed", "env_added", "env_removed", "tests_added",
                          "tests_removed", "docs", "truncated", "moved", "renamed", "signatures", "version_bumps",
                          "definitions_read"]
    assert [s["path"] for s in data["symbols_added"]] == ["a.py", "b.py"]
    assert [d["name"] for d in data["dependencies"]] == ["a", "z"]
    assert data["env_added"] == ["A_VAR", "B_VAR"]
    text = json.dumps(data)
    again = DiffFacts.from_json(json.loads(text))
    assert again.as_json() == data
    assert set(data["dependencies"][0]) == {"name", "manifest", "section", "old", "new", "change", "major"}
    assert DiffFacts.from_json({}).is_empty()
    assert DiffFacts.from_json({"docs": ["a.md"], "future_field": 1}).docs == ["a.md"]


def test_import_does_not_load_packaging_or_toml():
    import subprocess
    import sys
    code = ("import sys, offline_report.facts; "
            "print(any(m.startswith(('packaging', 'tomllib', 'tomli')) for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


PATHS = ["a.py", "b.c", "c.hpp", "d.rs", "e.go", "F.java", "g.kt", "h.ts", "i.js", "run.sh", "ci.yml", "Dockerfile",
         "README.md", "requirements.txt", "go.mod", "Cargo.lock", "pyproject.toml", "package.json", "x.bin"]
TOKENS = list("abcdefXYZ_ (){}[]<>:;,.=*&#@!\"'`$-+/\\\t") + [
    "def ", "fn ", "pub ", "func ", "class ", "@@ -1 +1 @@", "static ", "impl ", "#[test]", "#[arg(long)]",
    "os.environ[", "--", "${", "    ", "export const ", " => ", "struct ", "add_argument(", "TEST(", "it("]
LINE = st.lists(st.sampled_from(TOKENS), max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(PATHS), status=st.sampled_from(["added", "modified", "deleted", "renamed"]),
       body=st.lists(st.tuples(st.sampled_from(["+", "-", " ", "@@ -3,4 +3,5 @@ ", ""]), LINE), max_size=40),
       raw=st.text(max_size=200))
def test_diff_facts_never_raises_on_arbitrary_patch_text(path, status, body, raw):
    patch = "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n" + "\n".join(prefix + text for prefix, text in body) + raw
    old, new = "\n".join(t for p, t in body if p != "+"), "\n".join(t for p, t in body if p != "-")
    facts = diff_facts([FilePatch(path, status, patch, lambda: old, lambda: new), FilePatch(path, status, raw)])
    assert DiffFacts.from_json(json.loads(json.dumps(facts.as_json()))).as_json() == facts.as_json()


# --------------------------------------------------------------------------- fast paths

# Each pattern is only tried on lines holding one of its literals; an example line shows the row is not vacuous.
GUARDED = [
    ("_GO_FLAG", ("flag.",), 'port := flag.Int("port", 8080, "")'),
    ("_COBRA_FLAG", ("Flags()",), 'cmd.PersistentFlags().StringVar(&cfg, "config", "", "")'),
    ("_CLAP_BUILDER", (".long(",), 'Arg::new("x").long("max-retries")'),
    ("_CLAP_ATTR", ("#[",), '    #[arg(long = "dry-run")]'),
    ("_QUOTED_DASH", ('"-', "'-"), "parser.add_argument('-v', \"--verbose\")"),
    ("_LONE_LONG_OPTION", ('"-', "'-"), '    "--max-retries",'),
    ("_LONG_LITERAL", ('"-', "'-"), 'flag = "--fast"'),
    ("_ENV_CODE", ("env", "Env"), 'v, ok := os.LookupEnv("APP_HOME")'),
    ("_ENV_JS", ("env", "Env"), "const key = import.meta.env.API_KEY;"),
    ("_ENV_SHELL", ("$", "env.", "export", "ENV"), "run: echo ${{ env.DEPLOY_KEY }}"),
    ("_ENV_EXPORT", ("$", "env.", "export", "ENV"), "export CUDA_HOME=/usr/local/cuda"),
    ("_DOCKER_ENV", ("$", "env.", "export", "ENV"), "ENV LANG=C.UTF-8"),
    ("_TEST_ATTR", ("#[",), "    #[tokio::test]"),
    ("_JAVA_TEST_ANNOTATION", ("@",), "    @ParameterizedTest"),
    ("_GTEST", ("TEST",), "TEST_F(AgentTest, Connects) {"),
    ("_PY_DEF", ("def",), "    async def fetch(self):"),
    ("_PY_CLASS", ("class",), "class Config(Base):"),
    ("_RS_FN", ("fn",), 'pub(crate) unsafe extern "C" fn r#match() {'),
    ("_RS_TYPE", df_defs._RS_TYPE_WORDS, "pub trait Backend {"),
    ("_RS_IMPL", ("impl",), "impl<T> Display for Wrapper<T> {"),
    ("_C_RECORD", ("class", "struct", "union", "enum"), "template <typename T> class alignas(16) Buffer final {"),
    ("_C_USING", ("using",), "using Handle = std::shared_ptr<Engine>;"),
    ("_C_TYPEDEF", ("typedef",), "typedef unsigned long nixl_size_t;"),
]
GUARD_TOKENS = sorted({literal for _, literals, _ in GUARDED for literal in literals} | set(TOKENS) | {
    "os.", "environ", "getenv(", "process.env.", "import.meta.env[", "Getenv(", "HOME_DIR", "A1", "\"X\"", "'Y'",
    "flag.String(", "Flags().Bool(", "long", "arg(", "test", "@Test", "TEST_P(", "async ", "enum class ", "union ",
    "typedef ", "using ", "=", "template<T> ", "trait ", "type ", "unsafe ", "-x", "--y", "ENV "})


def pattern_named(name: str):
    """A pattern of the facts package by its name (public names lost their leading underscore)."""
    for module in (df_defs, df_c, df_options):
        for candidate in (name, name.lstrip("_")):
            if hasattr(module, candidate):
                return getattr(module, candidate)
    raise AttributeError(name)


@pytest.mark.parametrize("pattern, literals, example", GUARDED, ids=[row[0] for row in GUARDED])
def test_guarded_pattern_example_matches(pattern, literals, example):
    assert pattern_named(pattern).search(example) and any(literal in example for literal in literals)


@settings(max_examples=400, deadline=None)
@given(line=st.lists(st.sampled_from(GUARD_TOKENS), max_size=12).map("".join))
def test_no_guarded_pattern_matches_a_line_without_its_literal(line):
    for pattern, literals, _ in GUARDED:
        if not any(literal in line for literal in literals):
            assert not pattern_named(pattern).search(line), pattern


NAME_CHARS = st.text(alphabet="aZ_9~: \t*&>.\u00e9\u0661", max_size=16)


@settings(max_examples=500, deadline=None)
@given(prefix=NAME_CHARS)
def test_name_start_is_what_a_search_for_the_name_at_the_end_finds(prefix):
    import re
    found = re.search(r"(~?[A-Za-z_]\w*(?:::~?[A-Za-z_]\w*)*)$", prefix)
    assert df_c._name_start(prefix) == (found.start() if found else None)


def test_long_cpp_lines_keep_their_definitions():
    long_call = "    std::cerr << " + " << ".join(f"ns{i}::Klass{i}::method{i}(x)" for i in range(200)) + ";"
    patch = ("@@ -1,2 +1,4 @@\n"
             "+static std::map<std::string, int> *Engine::lookup_table(const char *name) {\n"
             f"+{long_call}\n"
             "+}\n")
    facts = diff_facts([FilePatch("src/engine.cpp", "modified", patch)])
    assert names(facts.symbols_added) == {"Engine::lookup_table"}


def test_crlf_and_tab_indented_patches_read_like_plain_ones():
    plain = ("@@ -1,3 +1,5 @@\n class Server:\n \tdef start(self):\n+\t\tport = os.environ[\"SERVER_PORT\"]\n"
             "+\tdef stop(self):\n+\t\tpass\n")
    crlf = plain.replace("\n", "\r\n")
    facts = diff_facts([FilePatch("app.py", "modified", plain)])
    assert names(facts.symbols_added) == {"Server.stop"} and names(facts.symbols_changed) == {"Server.start"}
    assert facts.env_added == ["SERVER_PORT"]
    assert diff_facts([FilePatch("app.py", "modified", crlf)]).as_json() == facts.as_json()


def test_an_overlong_line_anywhere_in_the_patch_sets_truncated(monkeypatch):
    monkeypatch.setattr(df_patch, "MAX_LINE_CHARS", 40)
    header = "diff --git a/" + "x" * 50 + ".py b/x.py\n"
    assert diff_facts([FilePatch("x.py", "modified", header + "@@ -1 +1 @@\n+x = 1\n")]).truncated
    assert not diff_facts([FilePatch("x.py", "modified", "@@ -1 +1 @@\n+x = 1\n")]).truncated


AMBIGUOUS_TAIL = """@@ -1,2 +1,6 @@
-def clear(self):
-    pass
+class A:
+    def clear(self):
+        pass
+class B:
+    def clear(self):
+        pass
"""


def test_a_name_two_new_methods_end_with_is_not_paired_with_either_whatever_the_hash_seed(tmp_path):
    import os
    import subprocess
    import sys

    facts = diff_facts([FilePatch("pkg/store.py", "modified", AMBIGUOUS_TAIL, lambda: None, lambda: None)])
    assert {"A.clear", "B.clear"} <= names(facts.symbols_added)
    assert names(facts.symbols_removed) == {"clear"} and not facts.symbols_changed

    script = ("import json; from offline_report.facts import FilePatch, diff_facts; "
              "from tests.test_diff_facts import AMBIGUOUS_TAIL; "
              "print(json.dumps(diff_facts([FilePatch('pkg/store.py', 'modified', AMBIGUOUS_TAIL, "
              "lambda: None, lambda: None)]).as_json(), sort_keys=True))")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outputs = {subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(6)}
    assert len(outputs) == 1


def test_a_cpp_parameter_that_gets_its_name_changes_no_signature(history):
    header = ("#pragma once\nclass Engine {\n  public:\n    int deregisterMem(nixlBackendMD *);\n    int flush(int);\n"
              "};\n")
    history.commit({"include/engine.h": header})
    facts = history.commit({"include/engine.h": header.replace("nixlBackendMD *)", "nixlBackendMD *meta)")
                            .replace("flush(int)", "flush(long)")})
    assert [s.name for s in facts.signatures] == ["Engine::flush"]
    flush = facts.signatures[0]
    assert "?" not in json.dumps(facts.as_json())
    assert (flush.added, flush.removed) == (("long",), ("int",))


def test_a_rename_in_a_header_and_its_source_is_one_rename(history):
    header = "#pragma once\nclass Store {\n  public:\n    bool checkBlobExists(int id);\n};\n"
    source = "#include \"store.h\"\n\nbool Store::checkBlobExists(int id) {\n    return id;\n}\n"
    history.commit({"include/store.h": header, "src/store.cpp": source})
    renamed = "checkBlobExistsAsync("
    facts = history.commit({"include/store.h": header.replace("checkBlobExists(", renamed),
                            "src/store.cpp": source.replace("checkBlobExists(", renamed)})
    assert [(r.old, r.new) for r in facts.renamed] == [("Store::checkBlobExists", "Store::checkBlobExistsAsync")]


def test_a_class_changes_by_its_own_lines_and_its_members_by_theirs(history):
    store = '''class Store {
public:
    // Reads one key.
    int get(int key);

    void put(int key, int value);
private:
    int size_;
};
'''
    history.commit({"src/store.h": store})
    store = store.replace("int size_;", "long size_;").replace("int get(int key);", "int get(int key, int fallback);")
    both = history.commit({"src/store.h": store})
    assert names(both.symbols_changed) == {"Store", "Store::get"}          # a field retyped, and a method
    store = store.replace("void put(int key, int value);", "void put(int key, int value);\n\n    void clear();")
    member = history.commit({"src/store.h": store})
    assert names(member.symbols_added) == {"Store::clear"} and member.symbols_changed == []
    comment = history.commit({"src/store.h": store.replace("// Reads one key.", "// Reads one key, or throws.")})
    assert comment.symbols_changed == [] and comment.symbols_added == []


def test_go_struct_fields_are_its_own_lines_and_test_classes_are_said_by_their_tests(history):
    history.commit({"cmd/command.go": "package cmd\n\ntype Command struct {\n\tArgs []string\n}\n\n"
                                      "func (c *Command) Run() error {\n\treturn nil\n}\n",
                    "src/test/java/StoreTest.java": "class StoreTest {\n    @Test\n    void reads() {\n    }\n}\n"})
    facts = history.commit({"cmd/command.go": "package cmd\n\ntype Command struct {\n\tArgs []Completion\n}\n\n"
                                              "func (c *Command) Run() error {\n\treturn run(c)\n}\n",
                            "src/test/java/StoreTest.java": "class StoreTest {\n    @Test\n    void reads() {\n    }\n\n"
                                                            "    @Test\n    void writes() {\n    }\n}\n"})
    assert names(facts.symbols_changed) == {"Command", "Command.Run"}
    assert facts.tests_added == ["src/test/java/StoreTest.java::StoreTest.writes"]


def test_each_overload_is_compared_with_its_own_old_self(history):
    gson = '''public class Gson {
    public Gson() {
        this(1, 2);
    }

    Gson(int excluder, int policy) {
        this.a = excluder;
    }
}
'''
    history.commit({"src/main/java/Gson.java": gson})
    facts = history.commit({"src/main/java/Gson.java": gson.replace("this(1, 2);", "this(new Builder());").replace(
        "Gson(int excluder, int policy) {\n        this.a = excluder;", "Gson(Builder builder) {\n        this.a = builder.a;")})
    assert [(s.name, s.added, s.removed, s.public) for s in facts.signatures] == [
        ("Gson.Gson", ("builder",), ("excluder", "policy"), False)]
    assert by_name(facts.symbols_changed, "Gson.Gson").public      # the public one changed as well


def test_python_overload_stubs_are_not_the_function_and_comments_are_not_parameters(history):
    prompt = '''import typing as t


@t.overload
def prompt(text: str, default: None = None) -> str: ...


@t.overload
def prompt(text: str, default: int) -> int: ...


def prompt(text, default=None):
    return default


def clamp(
    self,
    # the bound to clamp to
    bound: float,
):
    return bound
'''
    history.commit({"pkg/termui.py": prompt})
    facts = history.commit({"pkg/termui.py": prompt.replace("def prompt(text, default=None):",
                                                            "@t.overload\ndef prompt(text: str, default: float) -> float: ...\n\n\n"
                                                            "def prompt(text, default=None, *, err=False):")
                            .replace("    bound: float,\n", "    bound: float,\n    # inclusive\n    strict: bool = False,\n")})
    assert {(s.name, s.added) for s in facts.signatures} == {("prompt", ("err=",)), ("clamp", ("strict=",))}


def test_rust_attributes_are_part_of_an_item_and_test_modules_hold_test_code(history):
    lib = '''pub struct Remote {
    pub url: String,
}

impl Remote {
    pub fn is_set(&self) -> bool {
        !self.url.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses() {}
}
'''
    history.commit({"src/remote.rs": lib})
    facts = history.commit({"src/remote.rs": lib.replace("pub struct Remote", "#[derive(Default)]\npub struct Remote")
                            .replace("    pub fn is_set", "    #[must_use]\n    pub fn is_set")
                            .replace("    #[test]\n    fn parses() {}", "    struct Guard;\n\n    #[test]\n    fn parses() {}")})
    assert names(facts.symbols_changed) == {"Remote", "Remote::is_set"}
    assert [(s.name, s.role, s.public) for s in facts.symbols_added] == [("tests::Guard", "test", False)]


def test_lines_the_grammar_could_not_read_are_read_from_the_patch(history):
    """An #ifdef that opens a brace on each branch makes the C grammar miss a brace: the function swallows the
    ones after it. A change there is named by the patch's lines, and the facts say so."""
    source = '''static void dump(int x) {
#ifdef A
  if (x) {
#else
  if (!x) {
#endif
    put(x);
  }
}

int after(int y) {
  return y + 1;
}
'''
    history.commit({"src/print.c": source})
    facts = history.commit({"src/print.c": source.replace("y + 1", "y + 2")})
    assert names(facts.symbols_changed) == {"after"}
    assert facts.definitions_read == {"src/print.c": "lines"}
