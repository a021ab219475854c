"""The facts package piece by piece: file kinds, parameters, visibility, pairs and salience, on patches made here."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offline_report.facts import FilePatch, Symbol, diff_facts
from offline_report.facts.kinds import is_doc, manifest_kind, path_kind
from offline_report.facts.pairs import rename_pattern
from offline_report.facts.params import compare, parse_params
from offline_report.facts.salience import is_interface, ordered
from offline_report.git.commits import CommitFacts
from offline_report.rules.classify import compute_signals


def added(path: str, text: str, header: str = "") -> list[Symbol]:
    """The symbols a patch that adds these lines defines (header: the hunk's context line)."""
    body = "".join(f"+{line}\n" for line in text.splitlines())
    patch = f"@@ -0,0 +1,{len(text.splitlines())} @@ {header}\n{body}"
    return diff_facts([FilePatch(path, "modified", patch)]).symbols_added


def parsed(path: str, text: str) -> list[Symbol]:
    """The symbols of a new file as its grammar reads its whole text."""
    body = "".join(f"+{line}\n" for line in text.splitlines())
    patch = f"@@ -0,0 +1,{len(text.splitlines())} @@\n{body}"
    return diff_facts([FilePatch(path, "added", patch, new_text=lambda: text)]).symbols_added


def public(symbols: list[Symbol]) -> dict[str, bool]:
    return {s.name: s.public for s in symbols}


@pytest.mark.parametrize("path, kind", [
    ("constraints.txt", "manifest"), ("requirements/dev.in", "manifest"), ("dev-requirements.txt", "manifest"),
    ("npm-shrinkwrap.json", "lockfile"), ("docs/guide.mdx", "docs"), ("site/page.mdx", "docs"),
    ("bench/results/run-01.txt", "data"), ("LICENSE.txt", "docs"), ("CMakeLists.txt", "build"),
    ("src/engine.cpp", "source"), ("tests/test_engine.py", "test"), ("src/engine_test.cc", "test"),
])
def test_one_table_says_what_each_path_is(path, kind):
    assert path_kind(path) == kind


def test_the_facts_read_paths_by_the_same_table():
    assert manifest_kind("constraints.txt") == "requirements" and manifest_kind("notes.txt") is None
    assert is_doc("site/page.mdx") and is_doc("tests/README.md") and not is_doc("bench/results/run-01.txt")
    files = [FilePatch(f"bench/results/run-{n:02d}.txt", "added", "@@ -0,0 +1 @@\n+0.51\n") for n in range(26)]
    assert diff_facts(files).docs == []
    lock = diff_facts([FilePatch("npm-shrinkwrap.json", "modified", "@@ -1 +1 @@\n-a\n+b\n")])
    assert [item.path for item in lock.lockfiles] == ["npm-shrinkwrap.json"]


@pytest.mark.parametrize("signature, language, params", [
    ("(self, url: str, retries: int = 3, *, timeout=30.0, **kw)", "python", ("url", "retries=", "timeout=", "**kw")),
    ("(const std::string& name, int depth = 4, Foo* out)", "cpp", ("name", "depth=", "out")),
    ("(void)", "c", ()),
    ("(&mut self, addr: &str, opts: Options<'a, T>)", "rust", ("addr", "opts")),
    ("(ctx context.Context, a, b int, rest ...string)", "go", ("ctx", "a", "b", "rest")),
    ("(final Request request, @Nullable Map<String, Integer> counts)", "java", ("request", "counts")),
    ("(path: string, { retries = 3 }: Options = {}, ...rest: T[])", "typescript", ("path", "{…}=", "...rest")),
])
def test_parameters_by_language(signature, language, params):
    assert parse_params(signature, language) == params


def test_a_signature_change_names_each_kind_of_change():
    assert compare(("a", "b", "c="), ("a", "b=", "c", "d=")) == {"added": ("d=",), "defaulted": ("b",),
                                                                  "required": ("c",)}
    assert compare(("a",), ("a",)) == {}


def test_multi_line_signature_change_with_unchanged_def_line():
    patch = ("@@ -1,4 +1,4 @@\n def connect(\n     host,\n-    port,\n+    port=8080,\n+    tls=False,\n ):\n"
             "     return host\n")
    facts = diff_facts([FilePatch("net.py", "modified", patch)])
    assert [(s.name, s.added, s.defaulted) for s in facts.signatures] == [("connect", ("tls=",), ("port",))]


def test_cpp_visibility_private_sections_static_and_anonymous_namespace():
    header = added("src/engine.h", "class Engine {\n  public:\n    void\n    start();\n  private:\n    void\n"
                                   "    drain();\n    static Engine make(int n);\n};\nstruct Plain {\n    int size() const;\n};\n")
    assert public(header) == {"Engine": True, "Engine::start": True, "Engine::drain": False, "Engine::make": False,
                              "Plain": True, "Plain::size": True}
    source = added("src/engine.cpp", "static int\nhelper(int x) {\n    return x;\n}\nnamespace {\nvoid hidden() {\n}\n"
                                     "}  // namespace\nint exported(int y) {\n    return y;\n}\n")
    assert public(source) == {"helper": False, "hidden": False, "exported": True}


def test_static_member_of_a_public_section_is_public():
    assert public(added("src/pool.hpp", "struct Pool {\n    static Pool* create(int size);\n};\n")) == {
        "Pool": True, "Pool::create": True}


def test_nested_and_test_code_is_never_public():
    symbols = added("pkg/run.py", "def run(jobs):\n    def each(job):\n        return job\n    return map(each, jobs)\n")
    assert [s.name for s in symbols] == ["run"]
    helpers = added("tests/support/clock.py", "class Clock:\n    def now(self):\n        return 0\n")
    assert {s.role for s in helpers} == {"test"} and not any(s.public for s in helpers)
    fake = added("pkg/fakes.py", "class FakeStore:\n    pass\n")
    assert fake[0].role == "test" and not fake[0].public


def test_javascript_module_level_definitions_are_public_only_when_exported():
    symbols = added("web/util.js", "function local(a) {\n  return a;\n}\nexport function shared(b) {\n  return b;\n}\n")
    assert public(symbols) == {"local": False, "shared": True}


def test_constructors_and_destructors_have_their_role():
    symbols = added("src/conn.h", "class Conn {\n  public:\n    explicit Conn(int fd);\n    virtual ~Conn();\n"
                                  "    int fd() const;\n};\n")
    roles = {s.name: s.role for s in symbols}
    assert roles == {"Conn": "", "Conn::Conn": "constructor", "Conn::~Conn": "destructor", "Conn::fd": ""}
    assert [s.name for s in ordered(symbols)][-2:] == ["Conn::Conn", "Conn::~Conn"]
    assert not is_interface(next(s for s in symbols if s.name == "Conn::~Conn"))


def test_conversion_operators_are_members_named_by_their_type():
    header = parsed("src/box.h", "namespace ns {\nclass Box {\n  public:\n    explicit operator bool() const;\n"
                                "    operator const char*() const { return name_; }\n  private:\n"
                                "    operator std::vector<int>&();\n};\n}\n")
    assert {(s.name, s.kind, s.public) for s in header} == {
        ("ns::Box", "class", True), ("ns::Box::operator bool", "method", True),
        ("ns::Box::operator const char*", "method", True), ("ns::Box::operator std::vector<int>&", "method", False)}
    source = parsed("src/box.cpp", "template <typename T>\nWrap<T>::operator T() const {\n    return v_;\n}\n"
                                  "operator int() {\n    return 0;\n}\n")
    assert [(s.name, s.kind) for s in source] == [("Wrap::operator T", "method")]


def test_members_under_a_template_or_a_conditional_in_a_class_are_methods():
    symbols = parsed("src/pool.h", "class Pool {\n  public:\n    template <typename T>\n    T* take();\n"
                                  "#ifdef WITH_STATS\n    static int count();\n#endif\n  private:\n"
                                  "    template <typename T> void give(T*);\n};\n")
    assert {(s.name, s.kind, s.public) for s in symbols} == {
        ("Pool", "class", True), ("Pool::take", "method", True), ("Pool::count", "method", True),
        ("Pool::give", "method", False)}


def test_salience_puts_public_api_first_then_private_then_tests():
    symbols = [Symbol("_h", "function", "pkg/a.py", "python", False), Symbol("T", "class", "tests/t.py", "python",
               False, role="test"), Symbol("run", "function", "pkg/a.py", "python", True),
               Symbol("Api", "class", "pkg/__init__.py", "python", True)]
    assert [s.name for s in ordered(symbols)] == ["Api", "run", "_h", "T"]


@pytest.mark.parametrize("old, new, pattern", [
    ("--max_retries", "--max-retries", "snake_to_kebab"), ("--dry-run", "--dry_run", "kebab_to_snake"),
    ("--maxRetries", "--max-retries", "camel_to_kebab"), ("PORT", "APP_PORT", "prefix"),
    ("Verbose", "verbose", "case"), ("--quiet", "--silent", ""),
])
def test_rename_patterns(old, new, pattern):
    assert rename_pattern(old, new) == pattern


def test_renamed_options_and_definitions_are_neither_added_nor_removed():
    patch = ('@@ -1,4 +1,4 @@\n-parser.add_argument("--log_level")\n+parser.add_argument("--log-level")\n'
             "-def load_settings(path):\n+def load_setting(path):\n     return path\n")
    facts = diff_facts([FilePatch("app/cli.py", "modified", patch)])
    assert facts.options_added == facts.options_removed == [] and facts.symbols_added == facts.symbols_removed == []
    assert sorted((r.what, r.old, r.new) for r in facts.renamed) == [
        ("option", "--log_level", "--log-level"), ("symbol", "load_settings", "load_setting")]


def rewritten(path: str, old: str, new: str):
    """The facts of a file rewritten from old to new, both sides read by its grammar."""
    patch = (f"@@ -1,{len(old.splitlines())} +1,{len(new.splitlines())} @@\n"
             + "".join(f"-{line}\n" for line in old.splitlines()) + "".join(f"+{line}\n" for line in new.splitlines()))
    ids = [hashlib.sha1(text.encode()).hexdigest() for text in (old, new)]
    return diff_facts([FilePatch(path, "modified", patch, lambda: old, lambda: new, None, *ids)])


def test_a_renamed_class_or_namespace_renames_its_members_once_in_one_line():
    from offline_report.catalog import catalog
    from offline_report.rules.facts_text import rename_lines

    engine = ("namespace io {\nclass Engine {\n  public:\n    Engine();\n    ~Engine();\n    void start();\n"
              "    void stop(int code);\n};\n}\n")
    facts = rewritten("src/engine.h", engine, engine.replace("Engine", "Motor"))
    assert facts.symbols_added == facts.symbols_removed == []
    assert sorted((r.old, r.new) for r in facts.renamed) == [
        ("io::Engine", "io::Motor"), ("io::Engine::Engine", "io::Motor::Motor"),
        ("io::Engine::start", "io::Motor::start"), ("io::Engine::stop", "io::Motor::stop"), ("io::Engine::~Engine", "io::Motor::~Motor")]
    words = catalog("en")
    assert rename_lines(facts.renamed, words["rules"], words["facts"], words["symbol_kinds"])[0].startswith(
        "Renames 5 definitions, io::Engine → io::Motor in each name (")
    # The old names are gone: their callers break, as when they were removed.
    commit = CommitFacts.from_message(sha="a" * 40, author="A", email="a@example.com", message="refactor: Motor",
                                      time=datetime(2026, 2, 12, tzinfo=timezone.utc), files=[], diff=facts)
    assert set(compute_signals(commit).removed_public) == {"io::Engine", "io::Engine::start", "io::Engine::stop"}
    moved = rewritten("src/io.h", engine, engine.replace("namespace io", "namespace net"))
    assert moved.symbols_added == [] and {r.new for r in moved.renamed} >= {"net::Engine", "net::Engine::start"}


def test_a_method_moved_to_another_class_or_a_class_split_in_two_is_no_rename():
    two = "class A {\n  public:\n    void run();\n    void keep();\n};\nclass B {\n};\n"
    moved = rewritten("src/ab.h", two, "class A {\n  public:\n    void keep();\n};\nclass B {\n  public:\n"
                                       "    void run();\n};\n")
    assert moved.renamed == [] and [s.name for s in moved.symbols_added] == ["B::run"]
    split = rewritten("src/split.h", "class A {\n  public:\n    void run();\n    void go();\n};\n",
                      "class B {\n  public:\n    void run();\n};\nclass C {\n  public:\n    void go();\n};\n")
    assert split.renamed == [] and {s.name for s in split.symbols_removed} == {"A", "A::run", "A::go"}


def test_the_manifests_own_version_is_a_bump_not_a_dependency():
    old = '[package]\nname = "core"\nversion = "0.9.0"\n\n[dependencies]\nserde = "1"\n'
    new = old.replace("0.9.0", "0.10.0")
    patch = '@@ -1,3 +1,3 @@\n [package]\n name = "core"\n-version = "0.9.0"\n+version = "0.10.0"\n'
    facts = diff_facts([FilePatch("core/Cargo.toml", "modified", patch, lambda: old, lambda: new)])
    assert [(b.manifest, b.old, b.new) for b in facts.version_bumps] == [("core/Cargo.toml", "0.9.0", "0.10.0")]
    assert facts.dependencies == []
    # Without the whole texts (a partial clone), the patch's version lines say it.
    alone = diff_facts([FilePatch("core/Cargo.toml", "modified", patch)])
    assert [(b.old, b.new) for b in alone.version_bumps] == [("0.9.0", "0.10.0")]


def test_many_renames_that_replace_one_word_are_one_line():
    from offline_report.catalog import catalog
    from offline_report.facts import DiffFacts, Renamed
    from offline_report.rules.facts_text import rename_lines

    renames = [Renamed("symbol", f"Agent::{verb}MemoryView", f"Agent::{verb}MemView", "method", "src/nixl.h")
               for verb in ("prep", "release", "get")]
    words = catalog("en")
    lines = rename_lines(renames, words["rules"], words["facts"], words["symbol_kinds"])
    assert lines == ["Renames 3 definitions, Memory → Mem in each name (Agent::prepMemoryView → Agent::prepMemView, "
                     "Agent::releaseMemoryView → Agent::releaseMemView and 1 more)"]
    assert DiffFacts(renamed=renames).as_json()["renamed"][0]["pattern"] == ""


@settings(max_examples=300, deadline=None)
@given(old=st.text(alphabet="aB_:1", max_size=8), new=st.text(alphabet="aB_:1", max_size=8))
def test_the_replaced_words_of_any_two_names_rebuild_them(old, new):
    from offline_report.rules.facts_text import replacement

    part, by = replacement(old, new)
    assert part in old and by in new
    # at some place where `part` stands in old (not always the first: "BBB:B" -> "B1:B" replaces the second "BB")
    assert any(old.startswith(part, at) and old[:at] + by + old[at + len(part):] == new for at in range(len(old) + 1))


def test_renames_that_drop_or_add_a_word_say_so_in_both_languages():
    from offline_report.catalog import catalog
    from offline_report.facts import Renamed
    from offline_report.rules.facts_text import rename_lines

    dropped = [Renamed("symbol", f"mocks::MockDram{part}", f"mocks::Mock{part}", "class", "test/mocks.h")
               for part in ("Engine", "Plugin", "Agent")]
    added = [Renamed("symbol", new.new, new.old, "class", "test/mocks.h") for new in dropped]
    for lang, drop, add in (("en", "Renames 3 definitions, dropping Dram from each name (",
                             "Renames 3 definitions, adding Dram to each name ("),
                            ("zh", "名称中去掉 Dram（", "名称中加入 Dram（")):
        words = catalog(lang)
        lines = [rename_lines(items, words["rules"], words["facts"], words["symbol_kinds"])
                 for items in (dropped, added)]
        assert len(lines[0]) == len(lines[1]) == 1
        assert drop in lines[0][0] and add in lines[1][0]
        heads = [line[0].replace("（", "(").split("(")[0] for line in lines]
        assert all("→" not in head for head in heads), heads   # no rename to or from nothing


def test_a_header_is_cpp_when_its_grammar_reads_cpp_in_it_and_c_otherwise():
    cpp = parsed("src/pool.h", "#pragma once\nnamespace io {\nclass Pool {\npublic:\n    int size() const;\n};\n}\n")
    c = parsed("src/pool_c.h", "#pragma once\nstruct pool;\nint pool_size(const struct pool *p);\n")
    assert {s.name: s.language for s in cpp} == {"io::Pool": "cpp", "io::Pool::size": "cpp"}
    assert {s.name: s.language for s in c} == {"pool_size": "c"}
    resigned = rewritten("src/net.h", "int open_port(int port);\n", "int open_port(int port, int timeout);\n")
    assert [(s.name, s.language) for s in resigned.signatures] == [("open_port", "c")]


def test_a_source_files_own_types_are_private_and_its_prototypes_are_not_definitions():
    source = parsed("src/linker.c", "struct lib_entry {\n  int n;\n};\ntypedef int id_t;\nint jq_testsuite(int);\n"
                                    "int load(struct lib_entry *e) {\n  return e->n;\n}\n")
    assert {(s.name, s.kind, s.public) for s in source} == {("lib_entry", "struct", False), ("id_t", "type", False),
                                                           ("load", "function", True)}
    header = parsed("src/linker.h", "struct lib_entry {\n  int n;\n};\nint load(struct lib_entry *e);\n")
    assert {(s.name, s.public) for s in header} == {("lib_entry", True), ("load", True)}


def test_classes_renamed_at_once_take_their_own_members_along():
    old = ("class LazyFile:\n    def __enter__(self):\n        return self\n\n    def open(self):\n        pass\n\n\n"
           "class KeepOpenFile:\n    def __enter__(self):\n        return self\n\n    def close(self):\n        pass\n")
    facts = rewritten("pkg/utils.py", old, old.replace("class LazyFile", "class _LazyFile").replace(
        "class KeepOpenFile", "class _KeepOpenFile"))
    assert facts.symbols_added == facts.symbols_removed == []
    assert {(r.old, r.new) for r in facts.renamed} >= {("LazyFile", "_LazyFile"), ("KeepOpenFile", "_KeepOpenFile"),
                                                       ("LazyFile.__enter__", "_LazyFile.__enter__"),
                                                       ("KeepOpenFile.__enter__", "_KeepOpenFile.__enter__")}


def test_c_parameters_keep_const_and_a_rename_at_one_place_is_no_signature_change():
    old = "int jq_set_colors(const char *c);\nint put(char *s);\n"
    facts = rewritten("src/jv.h", old, "int jq_set_colors(const char *code_str);\nint put(const char *s);\n")
    assert [(s.name, s.added, s.removed, s.retyped) for s in facts.signatures] == [
        ("put", (), (), ("s: char* → const char*",))]
    python = rewritten("pkg/cli.py", "def run(path):\n    pass\n", "def run(target):\n    pass\n")
    assert [(s.added, s.removed) for s in python.signatures] == [(("target",), ("path",))]   # callers name it


def test_a_rust_method_is_no_more_public_than_its_type():
    found = parsed("src/layer.rs", "struct Formatter;\n\nimpl Formatter {\n    pub fn format(&self) {}\n}\n\n"
                                   "pub struct Remote;\n\nimpl Remote {\n    pub fn url(&self) {}\n}\n")
    assert public(found) == {"Formatter": False, "Formatter::format": False, "Remote": True, "Remote::url": True}
