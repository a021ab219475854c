"""The rule table: change types, importance prior and its floors, message parsing, remotes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offline_report.rules.classify import classify
from offline_report.git.commits import FileChange
from offline_report.facts.kinds import path_kind
from offline_report.git.message import parse_message
from offline_report.git.remote import parse_remote_url

from .support.facts import facts, src


@pytest.mark.parametrize("message,ctype,scope,breaking,pr", [
    ("feat(router)!: drop v1 API (#12)", "feat", "router", True, 12),
    ("fix: handle empty input", "fix", None, False, None),
    ("refactor: x\n\nBREAKING CHANGE: config moved", "refactor", None, True, None),
    ("Update README", None, None, False, None),
    ("Merge pull request #77 from a/b", None, None, False, 77),
    ("weird(: not conventional", None, None, False, None),
])
def test_message_parsing(message, ctype, scope, breaking, pr):
    parsed = parse_message(message)
    assert (parsed.conventional_type, parsed.scope, parsed.breaking, parsed.pr_number) == (ctype, scope, breaking, pr)


@pytest.mark.parametrize("url,web,slug", [
    ("https://github.com/orhun/git-cliff.git", "https://github.com/orhun/git-cliff", "orhun/git-cliff"),
    ("git@github.com:ai-dynamo/nixl.git", "https://github.com/ai-dynamo/nixl", "ai-dynamo/nixl"),
    ("ssh://git@gitlab.example.com:2222/group/sub/proj.git", "https://gitlab.example.com/group/sub/proj", "group/sub/proj"),
    ("https://user:token@gitea.local/team/tool", "https://gitea.local/team/tool", "team/tool"),
    ("/srv/git/mirror.git", None, None),
    ("file:///srv/git/x.git", None, None),
    (None, None, None),
])
def test_remote_urls(url, web, slug):
    info = parse_remote_url(url)
    assert (info.web_url, info.slug) == (web, slug)


@pytest.mark.parametrize("path,kind", [
    ("docs/guide.md", "docs"), ("README.md", "docs"), ("tests/test_x.py", "test"), ("pkg/foo_test.go", "test"),
    (".github/workflows/ci.yml", "ci"), ("Cargo.lock", "lockfile"), ("pyproject.toml", "manifest"),
    ("CMakeLists.txt", "build"), ("src/main.rs", "source"), ("vendor/lib/x.c", "vendored"),
])
def test_path_kinds(path, kind):
    assert path_kind(path) == kind


def test_breaking_marker_is_always_high():
    result = classify(facts("chore!: rename a flag", [src(added=1, removed=1)]))
    assert result.importance == "high"
    assert "breaking" in [r.code for r in result.reasons]


def test_security_signal_is_high_unless_docs_only():
    assert classify(facts("fix: sanitize user input to prevent XSS", [src()])).importance == "high"
    assert classify(facts("fix: tighten checks", [src("src/auth/session.py")])).importance == "high"
    assert classify(facts("docs: describe the security policy", [src("SECURITY.md", 10, 0)])).importance == "low"


def test_docs_and_tests_only_are_capped():
    big_docs = [src(f"docs/p{i}.md", 100, 0) for i in range(10)]
    assert classify(facts("feat: new docs site", big_docs)).importance == "medium"
    assert classify(facts("feat: new page", [src("docs/p.md", 30, 0)])).importance == "low"
    assert classify(facts("test: more cases", [src("tests/test_a.py", 50, 0)])).importance == "low"


def test_size_moves_importance_both_ways():
    assert classify(facts("feat: big", [src(added=200)])).importance == "high"
    assert classify(facts("fix: typo in log line", [src(added=1, removed=1)])).importance == "low"
    assert classify(facts("refactor: split module", [src(added=400, removed=10)])).importance == "high"


def test_untyped_messages_get_a_type_from_words_and_paths():
    assert classify(facts("Fix crash on empty repo", [src()])).change_type == "fix"
    assert classify(facts("Add a cache layer", [src()])).change_type == "feat"
    assert classify(facts("Bump serde to 1.0.200", [src("Cargo.toml", 1, 1)])).change_type == "deps"
    assert classify(facts("Misc", [src("docs/a.md")])).change_type == "docs"
    for subject in ("relax get_host strictness", "Tighten header parsing", "ensure the socket is closed"):
        assert classify(facts(subject, [src()])).change_type == "fix", subject


def test_reasons_are_codes_that_each_catalogue_words():
    from offline_report.analysis_spec import CommitEntry
    from offline_report.report.day import entry_json

    commit = facts("feat!: x", [src()])
    result = classify(commit)
    entry = CommitEntry(commit, result.change_type, result.importance, result.reasons, result.importance)
    assert result.reasons[-1].code == "breaking"
    en, zh = entry_json(entry, "en")["importance_reasons"], entry_json(entry, "zh")["importance_reasons"]
    assert en[-1] == {"code": "breaking", "values": {}, "text": "breaking-change marker"}
    assert zh[-1] == {"code": "breaking", "values": {}, "text": "含破坏性变更标记"}
    assert [(r["code"], r["values"]) for r in en] == [(r["code"], r["values"]) for r in zh]


_COMPONENTS = st.sampled_from(["src", "tests", "test", "docs", "api", "include", "vendor", "node_modules", ".github",
                               "workflows", "container", "public", "__tests__", "lib", "a.b"])
_NAMES = st.sampled_from(["Cargo.lock", "x.lock", "foo_pb2.py", "requirements-dev.txt", "pyproject.toml", "setup.py",
                          "test_x.py", "x_test.go", "a.spec.ts", "Dockerfile.gpu", "README.md", "notes.txt",
                          "conf.yaml", "__init__.py", "main.rs", "x.pyi", "svc.proto", "FooTest.java",
                          "generated_code.c", "Makefile", ".env.local", "openapi.json", "logo.svg"])


@given(st.lists(_COMPONENTS, max_size=4), _NAMES)
@settings(max_examples=300, deadline=None)
def test_path_kinds_read_the_globs_as_fnmatch_does(parts, name):
    import fnmatch

    from offline_report.facts.kinds import PATH_KINDS, PUBLIC_API_PATTERNS, is_public_api

    path = "/".join([*parts, name])

    def glob_matches(patterns):
        return any(fnmatch.fnmatchcase(path, p) or fnmatch.fnmatchcase(name, p) for p in patterns)

    expected = next((kind for kind, patterns in PATH_KINDS if glob_matches(patterns)), "source")
    assert path_kind(path) == expected
    assert is_public_api(path) == glob_matches(PUBLIC_API_PATTERNS)


def test_a_test_added_inside_a_source_file_counts_as_a_test_change():
    commit = facts("feat: remote http timeout", [src("src/remote.rs", added=30)])
    assert classify(commit).signals.tests_changed is False
    commit.diff.tests_added = ["src/remote.rs::default_remote_http_timeout"]
    assert classify(commit).signals.tests_changed is True
