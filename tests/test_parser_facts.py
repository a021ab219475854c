"""Definitions read by a parser: one commit per case that line patterns got wrong, in English and Chinese."""

from __future__ import annotations

import json

import pytest

from offline_report.facts.grammars import parser
from .support.cases import day_by_subject
from .support.cli import run_cli
from .test_json_schema import errors_of
from .support.gitrepo import RepoBuilder

DAY = "2026-02-12"

BASE = {
    "src/clock.h": "#pragma once\n#include <cstdint>\n\nnamespace nixl {\nstruct Clock {\n    int hz;\n};\n}\n",
    "src/timer.cpp": "namespace nixl {\nuint64_t ticks() {\n    uint64_t lo = 0;\n    return lo;\n}\n}\n",
    "src/kernels.cu": "#include <cuda_runtime.h>\n",
    "tests/unit/test_enum.cpp": "TEST(Enum, Basic) {\n    EXPECT_EQ(1, 1);\n}\n",
    "tests/test_request.py": "def test_request():\n    class MyRequest:\n        pass\n\n    assert MyRequest\n",
    "pkg/cfg.py": "def get_cfg(path) -> list:\n    return []\n",
    "net/src/conn.rs": "pub fn connect(addr: &str) -> bool {\n    true\n}\n",
    "server/dial.go": "package server\n\nfunc Dial(addr string) error {\n\treturn nil\n}\n",
    "web/client.ts": "export function request(url: string): void {\n}\n",
    "java/Pool.java": "public class Pool {\n    public void open(String name) {\n    }\n}\n",
}
CASES = {
    "clock: cpu counter": {"src/clock.h": BASE["src/clock.h"].replace("};\n}\n", "};\n\n[[nodiscard]] inline uint64_t\n"
                                                                      "readCpuCounter() {\n    uint64_t lo, hi;\n"
                                                                      "    return lo | hi;\n}\n}\n")},
    "timer: rdtsc": {"src/timer.cpp": BASE["src/timer.cpp"].replace(
        "    return lo;\n", '    __asm__ __volatile__("rdtsc" : "=a"(lo));\n    asm volatile("pause");\n    return lo;\n')},
    "kernels: scale": {"src/kernels.cu": BASE["src/kernels.cu"] + "\n__global__ void __launch_bounds__(256)\n"
                       "scaleKernel(float *x, int n) {\n    x[threadIdx.x] *= 2;\n}\n"},
    "tests: enum alias": {"tests/unit/test_enum.cpp": "TEST(Enum, Basic) {\n    using et = some_enum_t;\n"
                          "    EXPECT_EQ(et{}, et{});\n}\n"},
    "tests: drop local request": {"tests/test_request.py": "def test_request():\n    assert True\n"},
    "cfg: returns dict": {"pkg/cfg.py": "def get_cfg(path) -> dict:\n    return {}\n"},
    "conn: retry budget": {"net/src/conn.rs": "pub fn connect(addr: &str, retry_budget: u32) -> bool {\n    true\n}\n"},
    "dial: timeout": {"server/dial.go": BASE["server/dial.go"].replace("addr string)", "addr string, timeout int)")},
    "client: retries": {"web/client.ts": "export function request(url: string, retries: number = 3): void {\n}\n"},
    "pool: size": {"java/Pool.java": BASE["java/Pool.java"].replace("String name)", "String name, int size)")},
}
# What each case names, and nothing else: (added, removed, changed, signature changed).
EXPECTED = {
    "clock: cpu counter": ({"nixl::readCpuCounter"}, set(), set(), set()),
    "timer: rdtsc": (set(), set(), {"nixl::ticks"}, set()),
    "kernels: scale": ({"scaleKernel"}, set(), set(), set()),
    "tests: enum alias": (set(), set(), set(), set()),
    "tests: drop local request": (set(), set(), set(), set()),
    "cfg: returns dict": (set(), set(), {"get_cfg"}, {"get_cfg"}),
    "conn: retry budget": (set(), set(), {"connect"}, {"connect"}),
    "dial: timeout": (set(), set(), {"Dial"}, {"Dial"}),
    "client: retries": (set(), set(), {"request"}, {"request"}),
    "pool: size": (set(), set(), {"Pool.open"}, {"Pool.open"}),
}
NEVER = ("volatile", "asm", "__launch_bounds__", "__global__", "nodiscard", "inline", "uint64_t", "et", "MyRequest",
         "TEST")

pytestmark = pytest.mark.skipif(parser("cpp") is None, reason="the tree-sitter grammars are not installed")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The day's JSON in English and in Chinese, commits by subject."""
    return day_by_subject(tmp_path_factory.mktemp("parsed"), BASE, CASES, DAY)


def named(facts: dict) -> tuple[set, set, set, set]:
    return tuple({s["name"] for s in facts[key]} for key in ("symbols_added", "symbols_removed", "symbols_changed",
                                                              "signatures"))


def words(commit: dict) -> str:
    return json.dumps(commit["analysis"], ensure_ascii=False)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("subject", list(CASES))
def test_each_case_names_what_it_defines_and_nothing_else(reports, subject, lang):
    commit = reports[lang][subject]
    facts = commit["facts"]
    assert named(facts) == EXPECTED[subject]
    assert facts["moved"] == [] and [r for r in facts["renamed"] if r["what"] == "symbol"] == []
    assert set(facts["definitions_read"].values()) == {"parser"}
    for name in set().union(*named(facts)):
        assert not any(word in name.replace("::", " ").replace(".", " ").split() for word in NEVER), name
    for name in set().union(*EXPECTED[subject][:2]):
        assert name in words(commit)


def test_the_attribute_line_and_the_kernel_keep_their_own_names(reports):
    clock = reports["en"]["clock: cpu counter"]["facts"]["symbols_added"][0]
    assert (clock["kind"], clock["public"], clock["path"]) == ("function", True, "src/clock.h")
    kernel = reports["en"]["kernels: scale"]["facts"]["symbols_added"][0]
    assert (kernel["kind"], kernel["params"]) == ("function", ["x", "n"])


def test_a_return_type_change_is_worded_in_both_languages(reports):
    change = reports["en"]["cfg: returns dict"]["facts"]["signatures"][0]
    assert (change["returns_old"], change["returns_new"], change["added"]) == ("list", "dict", [])
    assert "Signature of get_cfg changed: returns dict, was list" in words(reports["en"]["cfg: returns dict"])
    assert "get_cfg 的签名有变：返回 dict，原为 list" in words(reports["zh"]["cfg: returns dict"])


@pytest.mark.parametrize("subject, name, added", [
    ("conn: retry budget", "connect", "retry_budget"),
    ("dial: timeout", "Dial", "timeout"),
    ("client: retries", "request", "retries=3"),
    ("pool: size", "Pool.open", "size"),
])
def test_a_new_parameter_is_named_in_every_language(reports, subject, name, added):
    change = reports["en"][subject]["facts"]["signatures"][0]
    assert change["name"] == name and [p.rstrip("=") for p in change["added"]] == [added.split("=")[0]]
    assert f"Signature of {name} changed: new parameters {added}" in words(reports["en"][subject])
    assert f"{name} 的签名有变：新增参数 {added}" in words(reports["zh"][subject])


RELEASE_BASE = {
    "pkg/api.py": "def get_cfg(path) -> list:\n    return []\n\n\ndef old_helper():\n    return 1\n\n\n"
                  "def stable(x):\n    return x\n",
    "src/conn.h": "#pragma once\nnamespace net {\nclass Conn {\npublic:\n    int open(int port);\n"
                  "    void close();\nprivate:\n    void reset();\n};\n}\n",
    "src/untouched.h": "#pragma once\nint untouched(int a);\n",
    "src/pool.h": "#pragma once\nclass Pool {\npublic:\n    int size() const;\n    void drain(int max);\n};\n",
    "src/codec.h": "#pragma once\nint encode(int value);\nint encode(const char *text);\n",
}
# Each commit between the tags, and what the two ends differ in (a function added and removed again between
# them, and a private method changed, are not among it; neither is anything of a file no commit touched).
RELEASE_COMMITS = [
    ("feat: temporary probe", {"pkg/api.py": RELEASE_BASE["pkg/api.py"] + "\n\ndef probe():\n    return 0\n"}),
    ("feat: dict config", {"pkg/api.py": RELEASE_BASE["pkg/api.py"].replace("-> list", "-> dict").replace(
        "return []", "return {}") + "\n\ndef probe():\n    return 0\n"}),
    ("refactor: drop probe and old helper", {"pkg/api.py": "def get_cfg(path) -> dict:\n    return {}\n\n\n"
                                            "def stable(x):\n    return x\n\n\ndef load(path, strict=False):\n"
                                            "    return path\n"}),
    ("feat: open with timeout", {"src/conn.h": RELEASE_BASE["src/conn.h"].replace(
        "int open(int port);", "int open(int port, int timeout_ms = 100);").replace(
        "void reset();", "void reset(bool hard);")}),
    ("refactor: rename Pool to ConnPool", {"src/pool.h": RELEASE_BASE["src/pool.h"].replace("Pool", "ConnPool")}),
    ("feat: encode a text of a length", {"src/codec.h": RELEASE_BASE["src/codec.h"].replace(
        "const char *text", "const char *text, int length")}),
]


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    root = tmp_path_factory.mktemp("release")
    builder = RepoBuilder(root / "repo", remote="https://github.com/acme/release.git")
    first = builder.commit("initial import", "2026-02-10T08:00:00+00:00", RELEASE_BASE)
    builder.repo.references.create("refs/tags/v1.0", first)
    for hour, (subject, files) in enumerate(RELEASE_COMMITS):
        last = builder.commit(subject, f"2026-02-11T{8 + hour:02d}:00:00+00:00", files)
    builder.repo.references.create("refs/tags/v1.1", last)
    found = {}
    for lang in ("en", "zh"):
        out = root / f"out-{lang}"
        common = ["--repo", str(root / "repo"), "--tz", "UTC", "--lang", lang, "--no-llm", "-q", "--output-dir",
                  str(out), "--range", "v1.0..v1.1"]
        for fmt in ("json", "md", "html"):
            result = run_cli(*common, "--format", fmt)
            assert result.exit_code == 0, result.output
        found[lang] = {fmt: (out / f"v1.0..v1.1.{fmt}").read_text(encoding="utf-8") for fmt in ("json", "md", "html")}
    return builder, found


def test_a_release_lists_the_api_that_differs_between_its_two_ends(release):
    builder, found = release
    data = json.loads(found["en"]["json"])
    assert errors_of(data) == [] and errors_of(json.loads(found["zh"]["json"])) == []
    api = data["repos"][0]["api_changes"]
    assert (api["base"], api["tip"]) == ("v1.0", "v1.1")
    listed = {(c["change"], c["name"]) for c in api["changes"]}
    assert listed == {("removed", "old_helper"), ("added", "load"), ("signature", "get_cfg"),
                      ("signature", "net::Conn::open"), ("renamed", "ConnPool"), ("signature", "encode")}
    assert [c["change"] for c in api["changes"]] == ["removed", "renamed", "signature", "signature", "signature",
                                                     "added"]
    encode = next(c for c in api["changes"] if c["name"] == "encode")   # the second of two overloads
    assert encode["signature"]["added"] == ["length"]
    renamed = next(c for c in api["changes"] if c["change"] == "renamed")
    assert renamed["old_name"] == "Pool" and by_subject_of(builder, renamed["sha"]) == "refactor: rename Pool to ConnPool"
    done_by = {c["name"]: by_subject_of(builder, c["sha"]) for c in api["changes"] if c["change"] != "renamed"}
    assert done_by == {"old_helper": "refactor: drop probe and old helper", "load": "refactor: drop probe and old helper",
                       "get_cfg": "feat: dict config", "net::Conn::open": "feat: open with timeout",
                       "encode": "feat: encode a text of a length"}
    returns = next(c for c in api["changes"] if c["name"] == "get_cfg")["signature"]
    assert (returns["returns_old"], returns["returns_new"]) == ("list", "dict")


def by_subject_of(builder, sha: str) -> str:
    return next(c.message.strip() for c in builder.repo.walk(builder.head) if str(c.id) == sha)


@pytest.mark.parametrize("lang, heading, line, renamed", [
    ("en", "API changes", "method net::Conn::open (src/conn.h): new parameters timeout_ms=100",
     "class Pool → ConnPool (src/pool.h)"),
    ("zh", "API 变化", "方法 net::Conn::open（src/conn.h）：新增参数 timeout_ms=100", "类 Pool → ConnPool（src/pool.h）"),
])
def test_the_api_section_is_worded_in_markdown_and_html(release, lang, heading, line, renamed):
    _, found = release
    markdown = found[lang]["md"]
    section = markdown.split(heading, 1)[1].split("<a id=", 1)[0]
    assert line in section.replace("\\", "") and renamed in section.replace("\\", "")
    for same in ("stable", "untouched", "probe", "close", "reset", "size", "drain"):
        assert same not in section
    html = found[lang]["html"]
    assert heading in html and 'data-change="signature"' in html


def test_a_rerun_with_the_cache_parses_nothing_and_reads_the_same_facts(tmp_path, monkeypatch):
    """A changed file's definition facts are kept by the two blobs they were read from: the next run (a new
    process: nothing in memory) reads them back; with --no-cache nothing is kept."""
    from offline_report.facts import syntax

    builder = RepoBuilder(tmp_path / "repo")
    builder.commit("initial import", "2026-02-11T08:00:00+00:00", BASE)
    for hour, (subject, files) in enumerate(CASES.items()):
        builder.commit(subject, f"{DAY}T{8 + hour:02d}:00:00+00:00", files)
    parses = []
    real_parse = syntax._parse
    monkeypatch.setattr(syntax, "_parse", lambda *args: parses.append(args[1]) or real_parse(*args))

    def run(*more: str) -> dict:
        syntax._cache.clear()
        syntax._trees.clear()
        parses.clear()
        out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}"
        result = run_cli("--repo", str(tmp_path / "repo"), "--since", DAY, "--until", DAY, "--tz", "UTC",
                         "--lang", "en", "--format", "json", "--output-dir", str(out), "--no-llm", "-q", *more)
        assert result.exit_code == 0, result.output
        report = json.loads((out / f"{DAY}.json").read_text(encoding="utf-8"))
        return {c["subject"]: c["facts"] for c in report["repos"][0]["commits"]}

    cache = ["--cache-dir", str(tmp_path / "cache")]
    first = run(*cache)
    assert len(parses) >= len(CASES)
    again = run(*cache)
    assert parses == [] and again == first
    run("--no-cache")
    assert len(parses) >= len(CASES)
