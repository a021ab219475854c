"""One commit per case a careful reviewer names first, each read into facts and worded in English and Chinese."""

from __future__ import annotations

import json

import pytest

from .support.cases import day_by_subject

DAY = "2026-02-12"

RAIL_H = """#pragma once

class nixlRail {
public:
    nixlRail();
    void
    post() const;

private:
    int depth_;
};
"""
RAIL_CPP = """#include "rail.h"

void
nixlRail::post() const {
    return;
}
"""
ENGINE = "class Engine:\n    def start(self):\n        return 1\n\n    def stop(self):\n        return 0\n"
OPTIONS = ("max_retries", "batch_size", "log_level", "dry_run", "output_dir", "cache_dir")
BASE = {
    "src/rail.h": RAIL_H,
    "src/rail.cpp": RAIL_CPP,
    "pkg/client.py": "def fetch(url, retries=3):\n    return url\n",
    "pkg/engine.py": ENGINE + "\n\ndef make():\n    return 1\n",
    "pkg/core.py": "def boot():\n    return 2\n",
    "pkg/runner.py": "import engine\n",
    "pkg/cli.py": "import argparse\n\nparser = argparse.ArgumentParser()\n" + "".join(
        f'parser.add_argument("--{name}")\n' for name in OPTIONS),
    "pkg/util.py": "VALUE = 1\n",
    "tests/helpers.py": "import time\n",
    "server/server.go": "package server\n\ntype Server struct {\n\tport int\n}\n",
    "net/src/lib.rs": "pub struct Link {}\n",
    "web/config.ts": "export const VERSION = 1;\n",
    "java/Handler.java": "public class Handler {\n    private int count;\n}\n",
    "pyproject.toml": '[project]\nname = "pkg"\nversion = "0.9.0"\ndependencies = ["click>=8"]\n',
}
CASES = {
    "rail: progress queue": {
        "src/rail.h": RAIL_H.replace("    post() const;\n", "    post() const;\n    nixl_status_t\n    progressQueue() const;\n")
                            .replace("    int depth_;\n", "    void\n    warnAboutMismatch() const;\n    int depth_;\n"),
        "src/rail.cpp": RAIL_CPP + "\nnixl_status_t\nnixlRail::progressQueue() const {\n    return NIXL_OK;\n}\n"
                        "\nvoid\nnixlRail::warnAboutMismatch() const {\n    return;\n}\n"},
    "client: timeout": {"pkg/client.py": "def fetch(url, retries=3, *, timeout=30.0):\n    return url\n"},
    "engine: own module": {"pkg/engine.py": "def make():\n    return 1\n",
                           "pkg/core.py": BASE["pkg/core.py"] + "\n\n" + ENGINE},
    "cli: kebab options": {"pkg/cli.py": BASE["pkg/cli.py"].replace("_", "-").replace("add-argument", "add_argument")},
    "util: loader": {"pkg/util.py": "VALUE = 1\n\n" + "".join(f"def _helper_{n}(x):\n    return x\n\n" for n in range(8))
                     + "def load_all(paths):\n    return [_helper_0(p) for p in paths]\n"},
    "tests: clock": {"tests/helpers.py": "import time\n\n\nclass FakeClock:\n    def now(self):\n        return 0\n"},
    "server: stop": {"server/server.go": BASE["server/server.go"]
                     + "\nfunc (s *Server) Stop(ctx context.Context) error {\n\treturn nil\n}\n"},
    "net: connect": {"net/src/lib.rs": BASE["net/src/lib.rs"]
                     + "\npub fn connect(addr: &str) -> Result<Link, Error> {\n    todo!()\n}\n"},
    "web: config": {"web/config.ts": BASE["web/config.ts"]
                    + "\nexport async function loadConfig(path: string): Promise<Config> {\n  return read(path);\n}\n"},
    "handler: handle": {"java/Handler.java": "public class Handler {\n    private int count;\n\n"
                        "    public Response handle(Request request) {\n        return null;\n    }\n}\n"},
    "release 0.10.0": {"pyproject.toml": BASE["pyproject.toml"].replace("0.9.0", "0.10.0")},
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The day's JSON in English and in Chinese, commits by subject."""
    return day_by_subject(tmp_path_factory.mktemp("cases"), BASE, CASES, DAY)


def words(commit: dict) -> str:
    """Everything the rule analysis says of one commit, as one text."""
    return json.dumps(commit["analysis"], ensure_ascii=False)


def first_fact(commit: dict) -> str:
    summary = commit["analysis"]["summary"]   # a list of bullets, or the one line of a low commit
    return summary if isinstance(summary, str) else summary[0]


def test_cpp_return_type_on_its_own_line_in_header_and_source(reports):
    commit = reports["en"]["rail: progress queue"]
    added = {(s["name"], s["path"]): s for s in commit["facts"]["symbols_added"]}
    assert set(added) == {("nixlRail::progressQueue", "src/rail.h"), ("nixlRail::progressQueue", "src/rail.cpp"),
                          ("nixlRail::warnAboutMismatch", "src/rail.h"),
                          ("nixlRail::warnAboutMismatch", "src/rail.cpp")}
    assert added["nixlRail::progressQueue", "src/rail.h"]["public"] is True
    assert not any(added["nixlRail::warnAboutMismatch", path]["public"] for path in ("src/rail.h", "src/rail.cpp"))
    # A declaration and its definition are one symbol, the public one named first.
    assert first_fact(commit).startswith("Adds method nixlRail::progressQueue, method nixlRail::warnAboutMismatch")
    assert "progressQueue" in first_fact(reports["zh"]["rail: progress queue"])
    interface = words(commit).split("New public interface: ")[1:]   # said only where the tier has insights
    assert all("warnAboutMismatch" not in said.split('"')[0] for said in interface)


def test_new_keyword_parameter_is_a_signature_change(reports):
    commit = reports["en"]["client: timeout"]
    assert commit["facts"]["signatures"] == [{"name": "fetch", "kind": "function", "path": "pkg/client.py",
                                              "language": "python", "public": True, "added": ["timeout="],
                                              "removed": [], "defaulted": [], "required": [], "retyped": [],
                                              "defaults": ["timeout=30.0"], "returns_old": None,
                                              "returns_new": None}]
    assert "Signature of fetch changed: new parameters timeout=30.0" in words(commit)
    assert "fetch 的签名有变：新增参数 timeout=30.0" in words(reports["zh"]["client: timeout"])


def test_class_moved_between_files_is_a_move_not_a_removal(reports):
    commit = reports["en"]["engine: own module"]
    facts = commit["facts"]
    assert {(m["name"], m["old_path"], m["path"]) for m in facts["moved"]} == {
        ("Engine", "pkg/engine.py", "pkg/core.py"), ("Engine.start", "pkg/engine.py", "pkg/core.py"),
        ("Engine.stop", "pkg/engine.py", "pkg/core.py")}
    assert facts["symbols_added"] == [] and facts["symbols_removed"] == []
    assert "Moves class Engine from pkg/engine.py to pkg/core.py" in words(commit)
    assert "public symbols" not in words(commit)
    assert "将类 Engine从 pkg/engine.py 移到 pkg/core.py" in words(reports["zh"]["engine: own module"])


def test_six_options_renamed_snake_to_kebab_are_one_line(reports):
    commit = reports["en"]["cli: kebab options"]
    facts = commit["facts"]
    assert facts["options_added"] == [] and facts["options_removed"] == []
    assert sorted((r["old"], r["new"]) for r in facts["renamed"]) == sorted(
        (f"--{name}", f"--{name.replace('_', '-')}") for name in OPTIONS)
    assert {r["pattern"] for r in facts["renamed"]} == {"snake_to_kebab"}
    text = words(commit)
    assert "Renames 6 command-line options from snake_case to kebab-case (--" in text
    assert "Removed command-line options" not in text and "New command-line options" not in text
    assert "将 6 个命令行选项由 snake_case 改为 kebab-case" in words(reports["zh"]["cli: kebab options"])


def test_the_one_public_function_is_named_before_eight_private_helpers(reports):
    commit = reports["en"]["util: loader"]
    assert first_fact(commit).startswith("Adds function load_all, function _helper_")
    assert first_fact(reports["zh"]["util: loader"]).startswith("新增函数 load_all、")


def test_a_test_helper_class_is_never_public_interface(reports):
    commit = reports["en"]["tests: clock"]
    symbols = {s["name"]: s for s in commit["facts"]["symbols_added"]}
    assert symbols["FakeClock"]["role"] == "test" and symbols["FakeClock"]["public"] is False
    assert "New public interface" not in words(commit)
    assert "新增公共接口" not in words(reports["zh"]["tests: clock"])


@pytest.mark.parametrize("subject, name, kind, params", [
    ("server: stop", "Server.Stop", "method", ["ctx"]),
    ("net: connect", "connect", "function", ["addr"]),
    ("web: config", "loadConfig", "function", ["path"]),
    ("handler: handle", "Handler.handle", "method", ["request"]),
])
def test_public_definitions_of_go_rust_typescript_and_java(reports, subject, name, kind, params):
    commit = reports["en"][subject]
    symbols = {s["name"]: s for s in commit["facts"]["symbols_added"]}
    assert symbols[name]["public"] is True and symbols[name]["kind"] == kind and symbols[name]["params"] == params
    assert f"Adds {kind} {name}" in words(commit)
    zh_kind = {"method": "方法", "function": "函数"}[kind]
    assert f"新增{zh_kind} {name}" in words(reports["zh"][subject])


def test_the_projects_own_version_bump_is_a_fact(reports):
    commit = reports["en"]["release 0.10.0"]
    assert commit["facts"]["version_bumps"] == [{"manifest": "pyproject.toml", "old": "0.9.0", "new": "0.10.0"}]
    assert first_fact(commit).startswith("Version 0.9.0 → 0.10.0 (pyproject.toml)")
    assert first_fact(reports["zh"]["release 0.10.0"]).startswith("版本 0.9.0 → 0.10.0（pyproject.toml）")
