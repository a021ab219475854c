"""Templates a team owns: the built-ins dumped to start from, each rendering from the documented context alone."""

from __future__ import annotations

from pathlib import Path

from offline_report.report.team_templates import builtin_names

from .support.cli import run_cli
from .test_configfile import BASE, DAY, RUN, team, write_config  # noqa: F401 - team is a fixture

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def run_with(team, folder: str = "tpl", fmt: str = "md"):
    write_config(team, f'templates = "{folder}"\nformat = "{fmt}"\n' + BASE)
    result = run_cli(*RUN)
    assert result.exit_code == 0, result.output
    return result, (team / "out" / f"{DAY}.{fmt}").read_text(encoding="utf-8")


def test_templates_dump_writes_every_built_in_and_keeps_a_file_already_there(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "footer.md.j2").write_text("OURS\n")
    result = run_cli("templates", "dump", str(folder))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == builtin_names() == sorted(p.name for p in TEMPLATES.glob("*.j2"))
    assert (folder / "footer.md.j2").read_text() == "OURS\n"
    assert (folder / "day.md.j2").read_bytes() == (TEMPLATES / "day.md.j2").read_bytes()
    assert "kept 1" in result.output and 'templates = "' in result.output


def test_templates_dump_into_a_file_fails_in_the_error_format(tmp_path):
    (tmp_path / "taken").write_text("a file\n")
    result = run_cli("templates", "dump", str(tmp_path / "taken" / "tpl"))
    assert result.exit_code != 0 and "offline-report: error: cannot write the templates" in result.output


def test_the_dumped_templates_render_the_same_report_as_the_built_ins(team):
    write_config(team, 'format = "md"\n' + BASE)
    assert run_cli(*RUN).exit_code == 0
    built_in = (team / "out" / f"{DAY}.md").read_text(encoding="utf-8")
    assert run_cli("templates", "dump", str(team / "tpl")).exit_code == 0
    _, dumped = run_with(team)
    assert dumped == built_in


def test_a_team_analysis_template_needs_no_macro_only_the_documented_context(team):
    (team / "tpl").mkdir()
    (team / "tpl" / "analysis.md.j2").write_text(
        "ANALYSIS of {{ c.short_sha }} in {{ repo.name }} ({{ c.importance }}, {{ c.analysis.source }}):"
        " {{ c.importance_reasons | map(attribute='code') | join(',') }}\n")
    (team / "tpl" / "overview.md.j2").write_text("OVERVIEW {{ repo.overview.numbers.commits }} commits on {{ day.date }}\n")
    result, text = run_with(team)
    assert "OVERVIEW 4 commits on " + DAY in text
    lines = [line for line in text.splitlines() if line.startswith("ANALYSIS of ")]
    assert len(lines) == 4 and all("in acme/dynamo" in line and ", rules):" in line for line in lines)
    assert "warning" not in result.output


def test_a_team_html_template_replaces_the_built_in_one(team):
    (team / "tpl").mkdir()
    (team / "tpl" / "analysis.html.j2").write_text("<p class=\"team\">{{ c.subject }}</p>\n")
    _, page = run_with(team, fmt="html")
    assert page.count('<p class="team">') == 4 and '<dl class="analysis">' not in page


def test_a_template_no_output_uses_is_named_in_a_warning(team):
    (team / "tpl").mkdir()
    (team / "tpl" / "analysis.md.j2").write_text("{{ c.subject }}\n")
    (team / "tpl" / "analysis.j2").write_text("misnamed\n")
    result, text = run_with(team)
    warnings = [line for line in result.output.splitlines() if "warning:" in line]
    assert len(warnings) == 1 and "analysis.j2" in warnings[0] and "day.md.j2" in warnings[0]


def test_a_team_index_and_feed_replace_the_site_ones(team):
    (team / "tpl").mkdir()
    (team / "tpl" / "index.html.j2").write_text("TEAM INDEX {% for d in days %}{{ d.date }} {% endfor %}\n")
    (team / "tpl" / "feed.xml.j2").write_text("<feed>{{ days | length }}</feed>\n")
    run_with(team, fmt="html")
    assert (team / "out" / "index.html").read_text().strip() == f"TEAM INDEX {DAY}"
    assert (team / "out" / "feed.xml").read_text() == "<feed>1</feed>\n"
