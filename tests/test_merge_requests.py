"""Pull-request workflows: merges titled by their request and typed by what they brought, version bumps as releases."""

from __future__ import annotations

import json
import re

import pytest

from offline_report.catalog import catalog, counted, words
from offline_report.git.message import parse_message
from offline_report.git.remote import parse_remote_url, request_url

from .support.cli import broken_links, run_cli
from .support.gitrepo import RepoBuilder, lines

PYPROJECT = '[project]\nname = "app"\nversion = "{version}"\ndependencies = ["click>=8"]\n'
LOCK = 'version = 1\n\n[[package]]\nname = "app"\nversion = "{version}"\nsource = {{ editable = "." }}\n'
CHANGES = "Version {version}\n-------------\n\nUnreleased\n"

GITHUB = "Merge pull request #12 from alice/empty-host\n\nHandle an empty Host header\n\nSome detail."
GITLAB = ("Merge branch 'exporter' into 'main'\n\nCSV exporter for reports\n\nWrites the rows as CSV.\n\n"
          "See merge request acme/app!34")
BITBUCKET = "Merged in docs/config (pull request #7)\n\nExplain the configuration\n\nApproved-by: Bob <bob@example.com>"
TITLES = {"Handle an empty Host header": "fix", "CSV exporter for reports": "feat", "Explain the configuration": "docs"}


def version_files(version: str) -> dict:
    return {"pyproject.toml": PYPROJECT.format(version=version), "uv.lock": LOCK.format(version=version),
            "CHANGES.rst": CHANGES.format(version=version)}


def merge_workflow(path) -> RepoBuilder:
    """A release between tags v1 and v2 (2026-03-02 and 03-03, one ISO week): a version bump, GitHub-, GitLab- and
    Bitbucket-style merges of a fix, a feature and a docs change, and the release's version bump."""
    b = RepoBuilder(path, remote="https://github.com/acme/app.git")
    v1 = b.commit("release version 1.0.0", "2026-03-01T09:00:00+00:00",
                  {**version_files("1.0.0"), "src/app/host.py": lines(20), "src/app/export.py": lines(10),
                   "docs/config.md": lines(5)})
    b.repo.references.create("refs/tags/v1", v1)
    b.commit("start version 1.0.1", "2026-03-02T08:00:00+00:00", version_files("1.0.1.dev0"))
    sides = [("fix: reject an empty host", {"src/app/host.py": lines(20) + "if not host:\n    raise ValueError\n",
                                            "tests/test_host.py": lines(12)}, GITHUB),
             ("add a CSV exporter", {"src/app/export.py": lines(10) + "def export_csv(rows):\n    return rows\n"
                                     + lines(120, "row")}, GITLAB),
             ("docs: explain the config file", {"docs/config.md": lines(30)}, BITBUCKET)]
    for hour, (subject, changes, message) in enumerate(sides, start=9):
        side = b.commit(subject, f"2026-03-02T{hour:02d}:00:00+00:00", dict(b.files, **changes), update_head=False)
        b.commit(message, f"2026-03-02T{hour:02d}:30:00+00:00", dict(b.files, **changes), parents=[b.head, side])
    v2 = b.commit("release version 1.0.1", "2026-03-03T09:00:00+00:00",
                  {**version_files("1.0.1"), "CHANGES.rst": CHANGES.format(version="1.0.1").replace("Unreleased", "Released")})
    b.repo.references.create("refs/tags/v2", v2)
    return b


def test_merge_messages_give_their_request_title_number_and_branch():
    github = parse_message(GITHUB)
    assert (github.title, github.pr_number, github.request.kind, github.request.branch) == (
        "Handle an empty Host header", 12, "github", "alice/empty-host")
    assert github.body == "Some detail."
    gitlab = parse_message(GITLAB)
    assert (gitlab.title, gitlab.pr_number, gitlab.request.project, gitlab.request.target) == (
        "CSV exporter for reports", 34, "acme/app", "main")
    assert "See merge request" not in gitlab.body
    bitbucket = parse_message(BITBUCKET)
    assert (bitbucket.title, bitbucket.pr_number, bitbucket.request.branch) == ("Explain the configuration", 7,
                                                                                "docs/config")
    conventional = parse_message("Merge pull request #3 from a/b\n\nfeat(api)!: a new endpoint")
    assert (conventional.conventional_type, conventional.scope, conventional.breaking) == ("feat", "api", True)
    # A merge without a title keeps its line; a local merge is no request.
    bare = parse_message("Merge pull request #5 from a/b")
    assert (bare.title, bare.pr_number) == ("Merge pull request #5 from a/b", 5)
    local = parse_message("Merge branch 'topic' into 'main'\n\n# Conflicts:\n#\tsrc/a.py")
    assert local.request is None and local.title == "Merge branch 'topic' into 'main'"


@pytest.mark.parametrize("remote, kind, project, expected", [
    ("git@github.com:acme/app.git", "github", None, "https://github.com/acme/app/pull/12"),
    ("https://gitlab.example.com/acme/app.git", "gitlab", "acme/app", "https://gitlab.example.com/acme/app/-/merge_requests/12"),
    ("https://bitbucket.org/acme/app.git", "bitbucket", None, "https://bitbucket.org/acme/app/pull-requests/12"),
    ("https://gitea.example.com/acme/app.git", None, None, "https://gitea.example.com/acme/app/pulls/12"),
    ("https://gitlab.com/acme/app.git", None, None, None),   # "#12" on GitLab is an issue
    ("https://git.example.com/acme/app.git", "github", None, None),  # a host of unknown kind: no guessed link
    ("https://github.com/acme/app.git", "gitlab", "acme/app", None),  # a GitLab request in a GitHub mirror
    (None, "github", None, None),
])
def test_a_request_is_linked_where_the_host_kind_is_known(remote, kind, project, expected):
    assert request_url(parse_remote_url(remote), 12, kind, project) == expected


def entries(data: dict) -> list[dict]:
    return data["repos"][0]["commits"]


def check_json(data: dict) -> None:
    commits = entries(data)
    merges = {c["title"]: c for c in commits if c["merge"]}
    assert {title: c["change_type"] for title, c in merges.items()} == TITLES
    assert {c["pr"] for c in merges.values()} == {12, 34, 7}
    # Linked where the message is the host's own kind (GitLab's and Bitbucket's numbers are not GitHub's).
    assert {title: c["pr_url"] for title, c in merges.items()} == {
        "Handle an empty Host header": "https://github.com/acme/app/pull/12", "CSV exporter for reports": None,
        "Explain the configuration": None}
    assert merges["CSV exporter for reports"]["request"] == {"kind": "gitlab", "number": 34, "branch": "exporter",
                                                             "target": "main", "project": "acme/app"}
    for merge in merges.values():  # never below what it brought
        tiers = ("low", "medium", "high")
        assert tiers.index(merge["importance"]) >= max(tiers.index(b["importance"]) for b in merge["brought"])
    bumps = [c for c in commits if c["subject"].endswith("version 1.0.1")]
    assert bumps, [c["subject"] for c in commits]
    for bump in bumps:
        assert bump["change_type"] == "release" and bump["importance"] == "low", bump["importance_reasons"]
        assert "dependencies" not in {r["code"] for r in bump["importance_reasons"]}
        risks = bump["analysis"].get("risks") or []
        assert "deps" not in {r["code"] for r in risks}
    starts = [c for c in commits if c["subject"] == "start version 1.0.1"]
    if starts:
        text = json.dumps(starts[0]["analysis"], ensure_ascii=False)
        assert "1.0.0 → 1.0.1.dev0" in text
    assert "merge" not in {c["change_type"] for c in commits}


def check_counts(data: dict, path, lang: str, totals: list[int]) -> None:
    """One count everywhere: the stats, the overview, the coverage line, the Markdown and HTML pages and the index."""
    repo = data["repos"][0]
    held = sum(1 + len(c["brought"]) for c in entries(data))
    assert repo["stats"]["total"] == len(entries(data)) and repo["stats"]["commits"] == held
    assert repo["overview"]["numbers"]["commits"] == held == repo["coverage"]["landed"]
    assert repo["overview"]["numbers"]["entries"] == len(entries(data))
    phrase = counted(lang, len(entries(data)), held)
    if held != len(entries(data)) and lang == "en":
        assert phrase == f"{len(entries(data))} entries, {held} commits"
    for fmt in ("md", "html"):
        page = path.with_suffix(f".{fmt}").read_text(encoding="utf-8")
        stats = catalog(lang)["report" if data["view"]["kind"] == "day" else "views"]["stats_line"]
        assert stats.format(count=phrase, **repo["stats"]) in page
        assert catalog(lang)["site"]["numbers_line"].format(count=phrase, **repo["overview"]["numbers"]) in page
    index = (path.parent / "index.html")
    if data["view"]["kind"] == "day" and index.exists():
        assert f"({phrase})" in index.read_text(encoding="utf-8")
    totals[0] += len(entries(data))
    totals[1] += held


def check_page(text: str, lang: str, fmt: str) -> None:
    L = catalog(lang)
    for title in TITLES:
        assert title in text
    assert "Merge pull request #12" not in text.split(L["report"]["message_details"])[0] or fmt == "html"
    if fmt == "md":
        assert broken_links(text) == []
        assert "https://github.com/acme/app/pull/12" in text
        assert L["report"]["request_branch"].format(branch="alice/empty-host") in text
    else:
        assert 'href="https://github.com/acme/app/pull/12"' in text
    merge_label = L["types"]["merge"]
    assert not re.search(rf"(\*\*|<h4>|<strong>){re.escape(merge_label)}(\*\*|</h4>|</strong>)", text)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("view", [("--range", "v1..v2"), ("--period", "week"), ()])
def test_a_release_of_merged_requests_reads_by_request_in_every_view_format_and_language(tmp_path, lang, view):
    merge_workflow(tmp_path / "repo")
    out = tmp_path / "out"
    common = ["--repo", str(tmp_path / "repo"), "--tz", "UTC", "--no-llm", "--lang", lang, "--output-dir", str(out),
              *view]
    if view[:1] != ("--range",):
        common += ["--since", "2026-03-02", "--until", "2026-03-03"]
    outputs = {}
    for fmt in ("json", "md", "html"):
        result = run_cli(*common, "--format", fmt)
        assert result.exit_code == 0, result.output
        outputs[fmt] = result.output
    reports = sorted(out.glob("*.json"))
    assert len(reports) == (2 if not view else 1)
    seen, totals = [], [0, 0]
    for path in reports:
        data = json.loads(path.read_text(encoding="utf-8"))
        seen += [c["title"] for c in entries(data)]
        check_counts(data, path, lang, totals)
        if any(c["merge"] for c in entries(data)):
            check_json(data)
            check_page(path.with_suffix(".md").read_text(encoding="utf-8"), lang, "md")
            check_page(path.with_suffix(".html").read_text(encoding="utf-8"), lang, "html")
        else:
            assert {c["change_type"] for c in entries(data)} == {"release"}
    assert set(TITLES) <= set(seen)
    # stderr says what it wrote, in the report's language, and counts as the reports count.
    kind = {"--range": "range", "--period": "week"}.get(view[0] if view else "", "day")
    said = words(lang, "run", "summary", count=counted(lang, *totals),
                 reports=words(lang, "run", f"reports_{kind}", count=len(reports)))
    for output in outputs.values():
        assert words(lang, "cli", "notice", text=said + words(lang, "run", "summary_separator")) in output, output
    if lang == "en":
        assert {"range": "8 commits, 1 release report", "week": "8 commits, 1 weekly report",
                "day": "2 day reports"}[kind] in said and "(s)" not in said


CARGO = '[package]\nname = "app"\nversion = "{version}"\n\n[dependencies]\nserde = "{serde}"\n'
CARGO_LOCK = '[[package]]\nname = "app"\nversion = "{version}"\n\n[[package]]\nname = "serde"\nversion = "{serde}.0"\n'
PACKAGE_JSON = '{{\n  "name": "app",\n  "version": "{version}",\n  "dependencies": {{"left-pad": "^{pad}"}}\n}}\n'
PACKAGE_LOCK = '{{\n  "name": "app",\n  "version": "{version}",\n  "lockfileVersion": 3\n}}\n'


def bump_files(kind: str, version: str, dep: str = "1.0") -> dict:
    if kind == "cargo":
        return {"Cargo.toml": CARGO.format(version=version, serde=dep),
                "Cargo.lock": CARGO_LOCK.format(version=version, serde=dep)}
    if kind == "npm":
        return {"package.json": PACKAGE_JSON.format(version=version, pad=dep),
                "package-lock.json": PACKAGE_LOCK.format(version=version)}
    return {"pyproject.toml": PYPROJECT.format(version=version), "uv.lock": LOCK.format(version=version)}


def classified(tmp_path, kind: str, changes: dict, subject: str = "bump version"):
    from offline_report.rules.classify import classify
    from .support.gitrepo import day_commits

    b = RepoBuilder(tmp_path / kind)
    b.commit("start", "2026-03-01T09:00:00+00:00", {**bump_files(kind, "1.2.0"), "src/app.py": lines(5)})
    b.commit(subject, "2026-03-02T09:00:00+00:00", changes)
    (facts,) = day_commits(tmp_path / kind, "2026-03-02").popitem()[1]
    return facts, classify(facts)


@pytest.mark.parametrize("kind", ["python", "cargo", "npm"])
def test_the_projects_own_version_bump_is_a_low_release_never_a_dependency_change(tmp_path, kind):
    facts, cls = classified(tmp_path, kind, bump_files(kind, "1.2.1"))
    assert [(b.old, b.new) for b in facts.diff.version_bumps] == [("1.2.0", "1.2.1")]
    assert (cls.change_type, cls.importance) == ("release", "low")
    assert not cls.signals.deps_changed and "dependencies" not in {r.code for r in cls.reasons}
    conventional, cls = classified(tmp_path / "c", kind, bump_files(kind, "1.2.1"), "chore(release): 1.2.1")
    assert cls.change_type == "release"


@pytest.mark.parametrize("kind", ["python", "cargo", "npm"])
def test_a_version_bump_beside_more_work_is_typed_by_that_work_and_a_real_dependency_change_still_counts(tmp_path, kind):
    # With a code change, the bump does not raise it: the type and importance are the code's.
    _, cls = classified(tmp_path / "a", kind, {**bump_files(kind, "1.2.1"), "src/app.py": lines(8)}, "fix: a crash")
    assert cls.change_type == "fix" and "dependencies" not in {r.code for r in cls.reasons}
    if kind == "python":
        return  # its test manifest names no dependency to move beside the version
    _, cls = classified(tmp_path / "b", kind, bump_files(kind, "1.2.1", dep="2.0"), "bump version and deps")
    assert cls.change_type != "release" and cls.signals.deps_changed
