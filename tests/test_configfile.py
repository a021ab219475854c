"""offline-report.toml: the team's file, its precedence under the command line, its checks, rules and templates."""

from __future__ import annotations

import json

import pygit2
import pytest

from offline_report.catalog import words
from offline_report.config.file import glob_regex

from .support.cli import run_cli
from .support.fakes import FakeEngine, make_gguf
from .support.gitrepo import RepoBuilder, lines

DAY = "2026-02-12"
RUN = ("--since", DAY, "--until", DAY, "--no-llm", "-q")


@pytest.fixture
def team(tmp_path, monkeypatch):
    """A directory with one repository (dynamo/) whose remote names another project; the CLI runs from there."""
    b = RepoBuilder(tmp_path / "dynamo", remote="https://github.com/someone/fork.git")
    b.commit("chore: base", "2026-02-11T08:00:00+08:00", {"src/app.py": lines(10), "README.md": "# x\n"})
    b.commit("feat: add the export command", f"{DAY}T09:00:00+08:00", {"src/export.py": lines(40)})
    b.commit("chore: update vendored zlib", f"{DAY}T10:00:00+08:00", {"vendor/zlib/zlib.c": lines(80)})
    b.commit("docs: explain the export", f"{DAY}T11:00:00+08:00", {"docs/export.md": lines(20)})
    b.commit("fix: tighten the token check", f"{DAY}T12:00:00+08:00", {"src/security/token.py": lines(6)})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_config(folder, text: str, name: str = "offline-report.toml"):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = 'lang = "en"\ntz = "Asia/Shanghai"\noutput_dir = "out"\n\n[[repos]]\npath = "dynamo"\nname = "acme/dynamo"\n'


def report_json(team, extra: str = "", repos_extra: str = "") -> dict:
    write_config(team, BASE.replace('output_dir = "out"\n', 'output_dir = "out"\nformat = "json"\n' + extra)
                 + repos_extra)
    result = run_cli(*RUN)
    assert result.exit_code == 0, result.output
    return json.loads((team / "out" / f"{DAY}.json").read_text())


def subjects(data: dict) -> list[str]:
    return [c["subject"] for repo in data["repos"] for c in repo["commits"]]


def test_the_file_alone_drives_a_run_in_english_under_the_team_name(team):
    write_config(team, BASE)
    result = run_cli(*RUN)
    assert result.exit_code == 0, result.output
    text = (team / "out" / f"{DAY}.md").read_text()
    assert "## acme/dynamo" in text and "## someone/fork" not in text
    assert "Daily update report" in text and "feat: add the export command" in text


def test_an_unknown_key_exits_2_naming_it_its_line_and_the_closest_known_key(team):
    write_config(team, "bogus_key = 1\nlnag = \"en\"\n")
    result = run_cli(*RUN)
    assert result.exit_code == 2
    assert "bogus_key" in result.output and "offline-report.toml:1" in result.output
    write_config(team, 'lang = "en"\nlnag = "en"\n')
    result = run_cli(*RUN)
    assert result.exit_code == 2 and "offline-report.toml:2" in result.output and "did you mean 'lang'" in result.output
    write_config(team, BASE + 'bogus_key = 1\n')  # inside [[repos]]
    result = run_cli(*RUN)
    assert result.exit_code == 2 and "bogus_key" in result.output and "offline-report.toml:8" in result.output


@pytest.mark.parametrize("text, words", [
    ('lang = 3\n', ["offline-report.toml:1", "lang", "wrong type"]),
    ('lang = "fr"\n', ["lang", '"en"']),
    ('no_llm = "yes"\n', ["no_llm", "true or false"]),
    ('tz = "Mars/Olympus"\n', ["tz", "IANA"]),
    ('[model]\nctx = 12\n', ["offline-report.toml:2", "model.ctx", "at least 512"]),
    ('[model]\nparallel = "four"\n', ["model.parallel", "whole number"]),
    ('[[repos]]\npath = "dynamo"\nexclude = ["vendor/[abc"]\n', ["offline-report.toml:3", "exclude", "bad glob", "never closed"]),
    ('[[repos]]\npath = "nowhere"\n', ["offline-report.toml:2", "repos[0].path", "no such directory"]),
    ('[[repos]]\nname = "x"\n', ["repos[0] has no path"]),
    ('[importance]\nsubjects = {"^(revert" = "medium"}\n', ["offline-report.toml:2", "^(revert", "regular expression"]),
    ('[importance]\npaths = {"docs/**" = "lowest"}\n', ["docs/**", "bad tier"]),
    ('templates = "missing"\n', ["templates", "no such directory"]),
    ('lang = \n', ["not valid TOML"]),
])
def test_bad_values_exit_2_with_the_file_key_line_and_what_to_do(team, text, words):
    write_config(team, text)
    result = run_cli(*RUN)
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.output
    assert "what to do:" in result.output
    assert not (team / "reports").exists() and not (team / "out").exists()


def test_command_line_beats_environment_beats_file(team, monkeypatch):
    monkeypatch.delenv("OFFLINE_REPORT_CACHE")
    write_config(team, 'lang = "en"\ncache_dir = "file-cache"\n\n[model]\npath = "file.gguf"\nseed = 7\n')
    shown = run_cli("config").output
    assert 'cache_dir = "' in shown and "file-cache" in shown and "offline-report.toml:2" in shown
    assert "offline-report.toml:5" in shown  # [model] path
    monkeypatch.setenv("OFFLINE_REPORT_CACHE", str(team / "env-cache"))
    monkeypatch.setenv("OFFLINE_REPORT_MODEL", str(team / "env.gguf"))
    shown = run_cli("config").output
    cache_line = next(line for line in shown.splitlines() if line.startswith("cache_dir"))
    model_line = next(line for line in shown.splitlines() if line.startswith("path"))
    assert "env-cache" in cache_line and "$OFFLINE_REPORT_CACHE" in cache_line
    assert "env.gguf" in model_line and "$OFFLINE_REPORT_MODEL" in model_line
    shown = run_cli("--cache-dir", "cli-cache", "--model", "cli.gguf", "--lang", "zh", "config").output
    lines_ = {line.split(" =")[0]: line for line in shown.splitlines() if " = " in line}
    def given(option):  # --lang zh: `config` says where each value came from in Chinese
        return words("zh", "commands", "source_command_line", option=option)
    assert "cli-cache" in lines_["cache_dir"] and given("--cache-dir") in lines_["cache_dir"]
    assert "cli.gguf" in lines_["path"] and given("--model") in lines_["path"]
    assert '"zh"' in lines_["lang"] and given("--lang") in lines_["lang"]
    assert "seed = 7" in lines_["seed"] and "offline-report.toml:6" in lines_["seed"]


def test_the_command_line_language_beats_the_file_in_a_run(team):
    write_config(team, BASE)
    result = run_cli(*RUN, "--lang", "zh")
    assert result.exit_code == 0, result.output
    text = (team / "out" / f"{DAY}.md").read_text()
    assert "Daily update report" not in text and "## acme/dynamo" in text


def test_config_shows_each_value_with_its_source(team):
    write_config(team, BASE)
    result = run_cli("config")
    assert result.exit_code == 0, result.output
    shown = result.output.splitlines()
    assert any(line.startswith('lang = "en"') and line.endswith("# offline-report.toml:1") for line in shown)
    assert any(line.startswith('tz = "Asia/Shanghai"') and line.endswith("# offline-report.toml:2") for line in shown)
    assert any(line.startswith("format = \"md\"") and line.endswith("# default") for line in shown)
    assert any(line.startswith('name = "acme/dynamo"') for line in shown)


def test_init_writes_a_valid_starter_and_never_overwrites(team):
    result = run_cli("init")
    assert result.exit_code == 0, result.output
    written = (team / "offline-report.toml").read_text()
    assert "[importance]" in written and "[[repos]]" in written
    # the starter passes its own checks (config also checks the run: a clone to read, no model needed)
    assert run_cli("config", "--repo", "dynamo", "--no-llm").exit_code == 0
    assert run_cli("config", "--no-llm").exit_code == 2  # no [[repos]]: the folder it runs in, not a clone here
    (team / "offline-report.toml").write_text("lang = \"en\"\n")
    result = run_cli("init")
    assert result.exit_code == 2 and "already exists" in result.output and "what to do:" in result.output
    assert (team / "offline-report.toml").read_text() == "lang = \"en\"\n"


def test_config_from_the_environment_and_from_the_option(team, monkeypatch):
    elsewhere = write_config(team / "dynamo", 'lang = "en"\noutput_dir = "../env-out"\n', "team.toml")
    monkeypatch.setenv("OFFLINE_REPORT_CONFIG", str(elsewhere))
    assert run_cli(*RUN, "--repo", "dynamo").exit_code == 0
    assert (team / "env-out" / f"{DAY}.md").exists()  # relative to the file's directory
    other = write_config(team, 'lang = "en"\noutput_dir = "opt-out"\n', "other.toml")
    assert run_cli("--config", str(other), *RUN, "--repo", "dynamo").exit_code == 0
    assert (team / "opt-out" / f"{DAY}.md").exists()
    result = run_cli("--config", "missing.toml", *RUN)
    assert result.exit_code == 2 and "missing.toml" in result.output


def test_exclude_drops_a_commit_that_touches_only_vendored_paths(team):
    data = report_json(team, repos_extra='exclude = ["vendor/**"]\n')
    assert "chore: update vendored zlib" not in subjects(data)
    assert len(subjects(data)) == 3


def test_include_keeps_only_commits_touching_an_included_path(team):
    data = report_json(team, repos_extra='include = ["src/**"]\nexclude = ["src/security"]\n')
    assert subjects(data) == ["feat: add the export command"]


def test_a_team_path_rule_moves_the_tier_and_says_why(team):
    plain = {c["subject"]: c for c in report_json(team)["repos"][0]["commits"]}
    rules = '\n[importance]\npaths = {"src/security/**" = "high", "src/export.py" = "low"}\nsubjects = {"^docs" = "medium"}\n'
    ruled = {c["subject"]: c for c in report_json(team, repos_extra=rules)["repos"][0]["commits"]}
    fix = ruled["fix: tighten the token check"]
    assert fix["importance"] == "high" and fix["rule_importance"] == "high"
    assert fix["importance_reasons"][-1] == {"code": "team_rule", "values": {"pattern": "src/security/**", "tier": "high"},
                                             "text": "team rule “src/security/**” sets high"}
    feat = ruled["feat: add the export command"]
    assert plain["feat: add the export command"]["importance"] != "low"
    assert feat["importance"] == "low" and "team rule “src/export.py” sets low" in [r["text"] for r in feat["importance_reasons"]]
    docs = ruled["docs: explain the export"]
    assert plain["docs: explain the export"]["importance"] == "low"
    assert docs["importance"] == "medium" and "team rule “^docs” sets medium" in [r["text"] for r in docs["importance_reasons"]]
    vendored = ruled["chore: update vendored zlib"]
    assert vendored == plain["chore: update vendored zlib"]  # no rule matched: nothing changes


def test_a_team_template_overrides_the_built_in_one_by_name(team):
    (team / "tpl").mkdir()
    (team / "tpl" / "footer.md.j2").write_text("TEAM FOOTER {{ version }}\n")
    write_config(team, 'templates = "tpl"\n' + BASE)
    result = run_cli(*RUN)
    assert result.exit_code == 0, result.output
    text = (team / "out" / f"{DAY}.md").read_text()
    assert "TEAM FOOTER" in text and "## acme/dynamo" in text and "Generated by offline-report" not in text


def test_a_broken_team_template_exits_2_naming_the_file_and_line(team):
    (team / "tpl").mkdir()
    (team / "tpl" / "footer.md.j2").write_text("line one\n{% if %}\n")
    write_config(team, 'templates = "tpl"\n' + BASE)
    result = run_cli(*RUN)
    assert result.exit_code == 2 and "footer.md.j2:2" in result.output and "what to do:" in result.output
    assert not (team / "out").exists()  # found before anything ran
    (team / "tpl" / "footer.md.j2").write_text("line one\nline two\n{{ no_such_thing.field }}\n")
    result = run_cli(*RUN)
    assert result.exit_code == 2 and "footer.md.j2:3" in result.output and "no_such_thing" in result.output


class CountingEngine(FakeEngine):
    instances: list = []

    def __init__(self, info, settings):
        super().__init__()
        CountingEngine.instances.append(self)


def test_a_repository_context_reaches_the_prompt_and_the_cache_key(team):
    CountingEngine.instances = []
    make_gguf(team / "model.gguf")
    text = BASE.replace('output_dir = "out"\n', 'output_dir = "out"\nformat = "json"\ncache_dir = "cache"\n')
    text += 'exclude = ["vendor/**", "docs/**"]\n\n[model]\npath = "model.gguf"\n'
    args = ("--since", DAY, "--until", DAY, "-q")

    def run(context: str | None) -> dict:
        body = text.replace("\n[model]", f"context = {json.dumps(context)}\n\n[model]") if context else text
        write_config(team, body)
        result = run_cli(*args, engine_factory=CountingEngine)
        assert result.exit_code == 0, result.output
        return json.loads((team / "out" / f"{DAY}.json").read_text())["run"]

    first = run(None)
    assert first["model_analyses"] == 2
    assert all("Repository context" not in p for e in CountingEngine.instances for p in e.prompts)
    assert run(None)["cache_hits"] == 2  # unchanged: nothing analysed again
    with_context = run("The token service of a payment gateway.")
    assert with_context["model_analyses"] == 2 and with_context["cache_hits"] == 0
    assert any("Repository context: The token service of a payment gateway." in p
               for p in CountingEngine.instances[-1].prompts)
    assert run("The token service of a payment gateway.")["cache_hits"] == 2
    assert run("Another sentence.")["model_analyses"] == 2


@pytest.mark.parametrize("pattern, path, hit", [
    ("vendor/**", "vendor/zlib/zlib.c", True),
    ("vendor", "vendor/zlib/zlib.c", True),
    ("vendor/**", "src/vendor/x.c", False),
    ("**/vendor/**", "src/vendor/x.c", True),
    ("*.md", "README.md", True),
    ("*.md", "docs/a.md", False),
    ("docs/*.md", "docs/a.md", True),
    ("docs/*.md", "docs/sub/a.md", False),
    ("docs/*", "docs/sub/a.md", True),  # everything below a matched directory
    ("src/[ab].py", "src/a.py", True),
    ("src/[!ab].py", "src/a.py", False),
    ("src/?.py", "src/ab.py", False),
])
def test_globs(pattern, path, hit):
    assert bool(glob_regex(pattern).match(path)) is hit


def test_per_repository_ref_and_commit_url(team):
    repo = pygit2.Repository(str(team / "dynamo"))
    feat = next(c for c in repo.walk(repo.head.target) if c.message.startswith("feat:"))
    repo.references.create("refs/heads/release", feat.id)
    data = report_json(team, repos_extra='ref = "release"\ncommit_url = "https://git.example.com/acme/dynamo/-/commit/{sha}"\n')
    commits = data["repos"][0]["commits"]
    assert [c["subject"] for c in commits] == ["feat: add the export command"]
    assert commits[0]["url"] == f"https://git.example.com/acme/dynamo/-/commit/{commits[0]['sha']}"
