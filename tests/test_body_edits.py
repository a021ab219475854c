"""A side's definitions had from the other side without parsing: exactly what parsing it gives, or nothing."""

from __future__ import annotations

import difflib
import random

import pytest

from offline_report.facts.body_edits import change_blocks, derive
from offline_report.facts.grammars import parser
from offline_report.facts.syntax import Reader
from offline_report.facts.tree_walks import walk

pytestmark = pytest.mark.skipif(parser("cpp") is None or parser("python") is None, reason="no grammar wheels")

CPP = """#include <cstdint>

namespace nixl {
// The clock.
class Clock {
public:
    uint64_t now() const {
        uint64_t lo = 0;
        if (lo > 1) {
            lo = 2;
        }
        return lo;
    }
private:
    int hz_;
};

static int helper(int a,
                  int b) {
    int sum = a + b;
    return sum;
}

int run(const char *name) {
    int x = helper(1, 2);
    log("starting {");
    return x;
}
}
"""

PY = '''import os


class Server:
    """A server."""

    def start(self, port: int = 80) -> bool:
        # open the socket
        ready = os.environ.get("READY")
        if ready:
            return True
        return False


def main(argv=None):
    server = Server()
    return server.start(
        8080,
    )
'''

RUST = """pub struct Pool {
    size: usize,
}

impl Pool {
    pub fn open(&self, name: &str) -> bool {
        let ok = name.len() > 0;
        ok
    }
}
"""

TS = """export class Client {
    private retries = 3;

    request(url: string): Promise<void> {
        const done = `sent ${url}`;
        if (this.retries > 0) {
            return fetch(url);
        }
        return Promise.resolve();
    }
}

export const close = (client: Client) => {
    client.request("/bye");
};
"""

SOURCES = {"src/clock.cpp": CPP, "pkg/server.py": PY, "src/pool.rs": RUST, "web/client.ts": TS}
GRAMMARS = {"src/clock.cpp": "cpp", "pkg/server.py": "python", "src/pool.rs": "rust", "web/client.ts": "typescript"}
LANGUAGES = {"cpp": "cpp", "python": "python", "rust": "rust", "typescript": "typescript"}


def parsed(path: str, text: str) -> tuple:
    grammar = GRAMMARS[path]
    source = text.encode()
    return walk(parser(grammar).parse(source).root_node, Reader(source, path, LANGUAGES[grammar], grammar), grammar)


def patch_of(old: str, new: str) -> str:
    return "\n".join(difflib.unified_diff(old.split("\n"), new.split("\n"), "a", "b", n=3, lineterm=""))


def seen(definitions) -> list[tuple]:
    return [(d.name, d.kind, d.public, d.start, d.end, d.digest, d.role, d.test, d.body, d.signed().params,
             d.signed().returns) for d in definitions]


def derived(path: str, old: str, new: str):
    return derive(parsed(path, old), change_blocks(patch_of(old, new)), new.encode(), GRAMMARS[path])


@pytest.mark.parametrize("path, old, new", [
    ("src/clock.cpp", "        uint64_t lo = 0;\n", "        uint64_t lo = 1;\n        lo <<= 2;\n"),
    ("src/clock.cpp", "        if (lo > 1) {\n", "        if (lo > 2 && lo < 9) {\n"),
    ("src/clock.cpp", "    int sum = a + b;\n", ""),
    ("src/clock.cpp", "// The clock.\n", "// The clock.\n// Two lines of comment.\n\n"),
    ("src/clock.cpp", '    log("starting {");\n', '    log("starting }");\n    /* { */\n'),
    ("src/clock.cpp", "#include <cstdint>\n", "#include <cstdint>\n#include \"clock.h\"\n#define HZ 100\n"),
    ("src/clock.cpp", "#include <cstdint>\n", "#pragma once\n"),
    ("src/clock.cpp", "    int hz_;\n};\n", "    int hz_;\n};\n#undef HZ\n"),
    ("pkg/server.py", "        # open the socket\n", "        # open the socket first\n        sock = None\n"),
    ("pkg/server.py", "        return False\n", "        return ready is None\n"),
    ("src/pool.rs", "        let ok = name.len() > 0;\n", "        let ok = !name.is_empty();\n        let c = '{';\n"),
])
def test_a_change_inside_a_body_moves_the_definitions_as_parsing_them_would(path, old, new):
    before = SOURCES[path]
    after = before.replace(old, new, 1)
    assert after != before
    found = derived(path, before, after)
    assert found is not None, "a change inside a function body is read without parsing"
    assert seen(found) == seen(parsed(path, after))
    back = derive(parsed(path, after), [b.flipped() for b in change_blocks(patch_of(before, after))],
                  before.encode(), GRAMMARS[path])
    assert back is not None and seen(back) == seen(parsed(path, before))


@pytest.mark.parametrize("path, old, new", [
    ("src/clock.cpp", "int run(const char *name) {\n", "int run(const char *name, int retries) {\n"),
    ("src/clock.cpp", "    int sum = a + b;\n", "    int sum = a + b;\n    return sum;\n}\n\nint extra() {\n"),
    ("src/clock.cpp", "    int hz_;\n", "    int hz_;\n    void reset();\n"),
    ("src/clock.cpp", "        lo = 2;\n", '        lo = 2; log("open\n'),
    ("src/clock.cpp", "        lo = 2;\n", "#if DEBUG\n        lo = 2;\n"),
    ("src/clock.cpp", "        lo = 2;\n", "        lo = 2; /* open\n"),
    ("src/clock.cpp", "\nint run(", "\nvoid later();\n\nint run("),
    ("src/clock.cpp", "#include <cstdint>\n", "#define LONG \\\n"),
    ("pkg/server.py", "        return False\n", "        return False\n\n    def stop(self):\n        pass\n"),
    ("pkg/server.py", "        ready = os", "        ready = '''\n        os"),
    ("pkg/server.py", "        8080,\n    )\n", "        8080,\n    )\nx = 1\n"),
    ("pkg/server.py", "        return False\n", "        return False\n    x = 1\n"),
    ("src/pool.rs", "        ok\n", "        ok\n    }\n    pub fn close(&self) {\n"),
])
def test_a_change_that_may_reach_beyond_a_body_is_left_to_the_parser(path, old, new):
    before = SOURCES[path]
    after = before.replace(old, new, 1)
    assert after != before
    assert derived(path, before, after) is None


def test_a_directive_where_no_declaration_may_stand_is_left_to_the_parser():
    """An include inside an initializer (or an enum) is an error whose recovery may regroup what follows."""
    table = "static const int table[] = {\n    1,\n};\n"
    before = SOURCES["src/clock.cpp"].replace("\nnamespace nixl {", "\n" + table + "\nnamespace nixl {", 1)
    after = before.replace("    1,\n", '    1,\n#include "more.inc"\n', 1)
    assert derived("src/clock.cpp", before, after) is None
    at_top = before.replace("#include <cstdint>\n", '#include <cstdint>\n#include "more.inc"\n', 1)
    assert seen(derived("src/clock.cpp", before, at_top)) == seen(parsed("src/clock.cpp", at_top))


def test_a_patch_that_does_not_lead_to_the_text_is_not_trusted():
    before = SOURCES["src/clock.cpp"]
    after = before.replace("        uint64_t lo = 0;\n", "        uint64_t lo = 1;\n", 1)
    other = before.replace("        uint64_t lo = 0;\n", "        uint64_t lo = 7;\n", 1)
    blocks = change_blocks(patch_of(before, after))
    assert derive(parsed("src/clock.cpp", before), blocks, other.encode(), "cpp") is None


SNIPPETS = {
    "cpp": ["    x += 1;", "    if (x) {", "    }", "}", "int added() {", "    // note", "", "  /* c */",
            '    s = "{";', "    f(a,", "         b);", "#ifdef X", "#endif", "private:", "    void m();",
            "#include <vector>", '#include "x.h"', "#define N (1 << 2)", "#pragma once", "    int v[] = {"],
    "python": ["        x += 1", "        if x:", "            y = 2", "    def added(self):", "def top():", "",
               "        # note", "# note", '        s = """', '        """', "        f(a,", "            b)",
               "    x = 1", "        return x", "            z = 3", "        else:", "        pass", "        y = (1,",
               "             2)", "x = 1", "    @property"],
    "rust": ["        let a = 1;", "        if ok {", "        }", "    }", "    pub fn added(&self) {", "        // note",
             "", "        let c = '{';", "        let s = \"}\";", "        f(a,", "          b);", "impl Pool {",
             "        let r: &'static str = \"x\";", "    #[test]"],
    "typescript": ["        x += 1;", "        if (x) {", "        }", "    }", "    added(): void {", "        // note", "",
                   "        const s = `${a}`;", "        const t = `", "        f(a,", "          b);",
                   "export function g() {", "    private y = 2;", "        const c = '}';"],
}


@pytest.mark.parametrize("path", ["src/clock.cpp", "pkg/server.py", "src/pool.rs", "web/client.ts"])
def test_random_edits_are_either_left_to_the_parser_or_read_exactly_as_parsing_reads_them(path):
    """Random runs of lines inserted, removed and replaced, many of them breaking or adding definitions:
    whenever the definitions are had without parsing and the parser reads the new text without error, they are
    exactly the parsed ones. (Where it cannot, its recovery may regroup the whole file; the body is kept.)"""
    chooser = random.Random(20261204)
    snippets = SNIPPETS[GRAMMARS[path]]
    base = SOURCES[path].split("\n")
    checked = 0
    for _ in range(1500):
        lines = list(base)
        for _ in range(chooser.randint(1, 3)):
            at = chooser.randrange(len(lines))
            removed = chooser.choice([0, 0, 1, 2])
            lines[at:at + removed] = [chooser.choice(snippets) for _ in range(chooser.randint(0, 2))]
        before, after = "\n".join(base), "\n".join(lines)
        if before == after:
            continue
        found = derived(path, before, after)
        if found is not None and not parser(GRAMMARS[path]).parse(after.encode()).root_node.has_error:
            checked += 1
            assert seen(found) == seen(parsed(path, after)), patch_of(before, after)
    assert checked >= 20, "body-only edits are read without parsing"
