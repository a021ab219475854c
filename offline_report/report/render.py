"""Rendering: the day's data through Jinja templates to Markdown or HTML, or as JSON; atomic file writes."""

from __future__ import annotations

import json
import re
import traceback
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from .. import __version__
from ..analysis_spec import INSIGHT_KEYS, TIER_FIELDS
from ..catalog import Phrase, catalog, counted
from ..errors import UsageError
from .day import GROUP_ORDER, SCHEMA_VERSION, DayReport
from . import message_body

TOC_TITLE_CHARS = 60
_ALWAYS_ESCAPED = re.compile(r"([\\`*\[\]|~<>])")
# An ampersand that would start a character reference (&lt; &#60;): a backslash keeps it literal.
_ENTITY_AMPERSAND = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_LINE_START_MARKER = re.compile(r"^([#+=-])")
_LINE_START_ORDINAL = re.compile(r"^(\d+)([.)])")
_TRAILING_HASHES = re.compile(r"(\s)(#+)\s*$")
# Text none of the six rules above would touch.
_NEEDS_ESCAPING = re.compile(r"[\\`*\[\]|~_#<>]|&#?[A-Za-z0-9]+;|^[+=-]|^\d+[.)]")
_PACKAGE = Path(__file__).resolve().parent.parent


def shipped(name: str) -> Path:
    """A top-level folder of the repository that the wheel carries inside the package (templates, schemas): the
    installed copy, else the repository's own (a source checkout or an editable install)."""
    installed = _PACKAGE / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def templates_dir() -> Path:
    """The built-in templates."""
    return shipped("templates")


def schema_path() -> Path:
    """The JSON Schema of the --format json output, at its current version."""
    return shipped("schemas") / f"day-report.v{SCHEMA_VERSION}.schema.json"


def inline(text: object) -> str:
    """Plain text made safe inside a Markdown line: no HTML, links, emphasis or code spans. Every escape is a
    backslash, which a Markdown viewer removes (never an HTML entity, which raw Markdown would show)."""
    value = " ".join(str(text).split())
    if not _NEEDS_ESCAPING.search(value):
        return value
    value = _ALWAYS_ESCAPED.sub(r"\\\1", value)
    value = _ENTITY_AMPERSAND.sub(r"\\&", value)
    value = _EDGE_UNDERSCORE.sub(r"\\_", value)
    value = _LINE_START_MARKER.sub(r"\\\1", value)
    value = _LINE_START_ORDINAL.sub(r"\1\\\2", value)
    return _TRAILING_HASHES.sub(lambda m: m.group(1) + "\\#" * len(m.group(2)), value)


def cell(text: object) -> str:
    """A table cell: inline-safe, with each line kept and joined by <br>."""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br>".join(inline(line) for line in lines if line.strip())


def paragraphs(text: object) -> str:
    """A commit body inside <details>: every line inline-safe, kept as its own line."""
    lines = str(text).replace("\r\n", "\n").split("\n")
    return "  \n".join(inline(line) if line.strip() else "" for line in lines).replace("\n  \n", "\n\n")


def body_markdown(text: object) -> str:
    """A commit body inside <details>: the author's Markdown, reflowed, that cannot break the report around it."""
    return message_body.to_markdown(str(text))


def body_html(text: object) -> Markup:
    """A commit body as HTML: the author's Markdown with raw HTML shown as text and only safe links."""
    return Markup(message_body.to_html(str(text)))


def toc_title(text: object) -> str:
    value = " ".join(str(text).split())
    if len(value) > TOC_TITLE_CHARS:
        value = value[: TOC_TITLE_CHARS - 1].rstrip() + "…"
    return inline(value)


def clock(iso_time: str) -> str:
    """2026-02-12T14:26:56+08:00 -> 2026-02-12 14:26:56 (the time is already in the report's zone)."""
    return iso_time[:19].replace("T", " ")


def message_lines(text: object) -> list[str]:
    """The non-blank lines of a commit message, each stripped (HTML shows them one per line)."""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line.strip() for line in lines if line.strip()]


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs (Jinja's own per-user temp folder, keyed by each template's source):
    a run then skips compiling them. A cache it cannot read or write is only a slower start."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    try:
        return _QuietBytecodeCache()
    except (OSError, RuntimeError):  # no safe temp folder of this user's
        return None


@lru_cache(maxsize=8)
def _environment(root: str, team: str | None = None, autoescape: bool = False) -> jinja2.Environment:
    """Built-in templates; with a team folder (offline-report.toml `templates`), its files win by name.

    Markdown templates render raw text (their filters escape); HTML templates autoescape every value."""
    loader = jinja2.FileSystemLoader(root)
    if team:
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(team), loader])
    env = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=autoescape,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(inline=inline, cell=cell, toc_title=toc_title, clock=clock, paragraphs=paragraphs,
                       message_lines=message_lines, body_markdown=body_markdown, body_html=body_html)
    return env


def html_environment(team_templates: Path | None = None) -> jinja2.Environment:
    return _environment(str(templates_dir()), str(team_templates) if team_templates else None, autoescape=True)


def template_context(data: dict) -> dict:
    """What every template gets: the day's data, its language's catalogue and the tier spec."""
    spec = {tier: [f.as_dict() for f in fields] for tier, fields in TIER_FIELDS.items()}
    return {"day": data, "L": catalog(data["lang"]), "spec": spec, "insight_keys": INSIGHT_KEYS,
            "tiers": GROUP_ORDER, "version": __version__, "counted": counter(data["lang"])}


def counter(lang: str):
    """The templates' one way to say how many commits: counted(stats) of a report's stats or overview numbers."""
    def count(numbers: dict) -> str:
        if "total" in numbers:  # stats: entries in total, commits with what merges brought
            return counted(lang, numbers["total"], numbers.get("commits"))
        return counted(lang, numbers.get("entries", numbers["commits"]), numbers["commits"])
    return count


def _render(env: jinja2.Environment, name: str, context: dict, team_templates: Path | None) -> str:
    """A template rendered; a team template's error becomes a usage error with its file and line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateError as exc:
        if not team_templates:
            raise
        raise template_error(exc) from None


def page_template(report: DayReport, fmt: str) -> str:
    """A day's page, or a week's, month's or release's (one HTML template serves every view)."""
    return "period.md.j2" if fmt == "md" and report.view.kind != "day" else f"day.{fmt}.j2"


def render_markdown(report: DayReport, team_templates: Path | None = None) -> str:
    env = _environment(str(templates_dir()), str(team_templates) if team_templates else None)
    text = _render(env, page_template(report, "md"), template_context(report.as_json()), team_templates)
    return re.sub(r"\n{3,}", "\n\n", text)


def template_error(exc: jinja2.TemplateError) -> UsageError:
    """A team template's error with its file and line: a syntax error's own, else the deepest template frame."""
    where = f"{exc.filename}:{exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) else None
    if where is None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else Phrase("problems", "a_template")
    return UsageError("template_error", "team_template_fix", where=where, detail=exc.message or str(exc))


def day_summary(data: dict) -> dict:
    """What a day page carries for the site index and feed (in its day-data block): date, repositories, counts, and
    each repository's overview (numbers, summary paragraph, highlights, risks)."""
    totals = {"total": 0, "commits": 0, **{tier: 0 for tier in GROUP_ORDER}}
    for repo in data["repos"]:
        for key in totals:
            totals[key] += repo["stats"].get(key, repo["stats"]["total"])  # a page written before "commits"
    return {"date": data["date"], "view": data.get("view"), "lang": data["lang"], "tz": data["tz"], "stats": totals,
            "repos": [{"name": repo["name"], "section": repo["anchors"]["section"], "stats": repo["stats"],
                       "overview": _page_overview(repo.get("overview"))} for repo in data["repos"]]}


def _page_overview(overview: dict | None) -> dict | None:
    """The overview as the feed shows it: no per-commit detail beyond subjects, anchors and risk sentences."""
    if not overview:
        return None
    summary = overview.get("summary")
    return {"numbers": overview.get("numbers"), "summary": summary.get("text") if summary else None,
            "top": [{"subject": t["subject"], "title": t.get("title") or t["subject"], "anchor": t["anchor"],
                     "importance": t["importance"]}
                    for t in overview.get("top", [])],
            "risks": [{"code": r["code"], "text": r["text"], "anchor": r.get("anchor")} for r in overview.get("risks", [])]}


def render_html(report: DayReport, team_templates: Path | None = None) -> str:
    """One self-contained day page: inline CSS, a little inline JS, nothing fetched from anywhere."""
    context = template_context(report.as_json())
    context["summary"] = day_summary(context["day"])
    return _render(html_environment(team_templates), page_template(report, "html"), context, team_templates)


def render_json(report: DayReport, one_line: bool = False) -> str:
    data = report.as_json()
    if one_line:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
