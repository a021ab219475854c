"""The HTML site: day pages with the Markdown's content and anchors, escaping, no network, the index, a browser."""

from __future__ import annotations

import html
import json
import re

import pytest

from offline_report.analysis_spec import TIER_FIELDS
from offline_report.catalog import catalog, counted
from offline_report.report import day as day_module

from .support.cli import broken_links, run_cli
from .support.gitrepo import RepoBuilder, lines
from .support.htmlpage import Page, chromium, dump_dom, screenshot
from .support.seed_day import SEED_COMMITS, SEED_DAY

TIERS = ("high", "medium", "low")


def run_html(repo, out, since, until=None, *extra):
    result = run_cli("--repo", str(repo), "--since", since, "--until", until or since, "--tz", "Asia/Shanghai",
                     "--format", "html", "--output-dir", str(out), "--no-llm", "-q", *extra)
    assert result.exit_code == 0, result.output
    return result


def seed_pages(seed_repo, tmp_path, lang="zh"):
    out = tmp_path / "site"
    run_html(seed_repo, out, SEED_DAY, None, "--lang", lang)
    json_out = tmp_path / "json"
    result = run_cli("--repo", str(seed_repo), "--since", SEED_DAY, "--until", SEED_DAY, "--tz", "Asia/Shanghai",
                     "--format", "json", "--output-dir", str(json_out), "--no-llm", "-q", "--lang", lang)
    assert result.exit_code == 0, result.output
    data = json.loads((json_out / f"{SEED_DAY}.json").read_text(encoding="utf-8"))
    return out, (out / f"{SEED_DAY}.html").read_text(encoding="utf-8"), data


def test_day_page_has_the_markdown_content_and_the_same_anchors(seed_repo, tmp_path):
    out, text, data = seed_pages(seed_repo, tmp_path)
    page = Page(text)
    L = catalog("zh")
    title = L["report"]["title"].format(day=SEED_DAY)
    assert page.text_of("title") == [title] and page.text_of("h1") == [title]
    assert text.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in text
    repo = data["repos"][0]
    assert page.text_of("h2") == [repo["name"]]
    # The same anchors as the Markdown, and every in-page link lands on one.
    assert set(repo["anchors"].values()) | {c["anchor"] for c in repo["commits"]} <= page.ids
    assert page.broken_fragment_links() == []
    # The commit table: one row per commit, newest first, each subject linked to its section.
    rows = [attrs for tag, attrs in page.elements if tag == "tr" and "data-importance" in attrs]
    assert len(rows) == len(SEED_COMMITS)
    table_links = [t for tags, _, t in page.texts if tags[-2:] == ("td", "a")]
    assert table_links == [c[2] for c in SEED_COMMITS]
    # The table holds the subjects only; a commit's cleaned body is folded in its card.
    assert "Wrap wait_for_deployment_ready() in try/except TimeoutError" not in page.inside("td")
    assert "Wrap wait_for_deployment_ready() in try/except TimeoutError" in page.inside("details")
    # Stats, table of contents, tier groups in order with their counts.
    stats = repo["stats"]
    assert L["report"]["stats_line"].format(count=counted("zh", stats["total"], stats["commits"]), **stats) in page.text_of("p")
    assert L["report"]["toc_heading"] in page.text_of("h3")
    groups = [t for t in page.text_of("h3") if t.startswith(("🔴", "🟡", "🟢"))]
    assert groups == [f"{L['report']['group_heading'][t]} ({stats[t]})" for t in TIERS if stats[t]]
    # Each commit: subject, short SHA, link to the commit, change type, importance, tier fields in spec order.
    overview = set(catalog("zh")["site"].values())
    h4 = [heading for heading in page.text_of("h4") if heading not in overview]
    assert len(h4) == len(SEED_COMMITS)
    for commit in repo["commits"]:
        assert commit["short_sha"] in page.text_of("code")
        assert ("a", {"class": "commit-link", "href": commit["url"], "rel": "noopener noreferrer"}) in page.elements
    dts = [t for tags, _, t in page.texts if tags[-1] == "dt" and tags.count("dl") == 1]
    by_tier = sorted(repo["commits"], key=lambda c: TIERS.index(c["importance"]))
    expected = [L["fields"][f.label] for c in by_tier for f in TIER_FIELDS[c["importance"]]]
    assert dts == expected
    assert page.text_of("span").count(L["report"]["tier_badge"]["high"]) == stats["high"]
    assert L["report"]["rules_only_note"] in page.text_of("p")
    assert "offline-report" in page.inside("footer")
    # The machine-readable block the index reads.
    block = json.loads(re.search(r'<script type="application/json" id="day-data">(.*?)</script>', text).group(1))
    assert block["date"] == SEED_DAY and block["stats"] == stats


def test_english_day_page(seed_repo, tmp_path):
    _, text, data = seed_pages(seed_repo, tmp_path, lang="en")
    page = Page(text)
    assert page.text_of("h1") == [f"Daily update report ({SEED_DAY})"]
    assert '<html lang="en">' in text and "🔴 High-importance changes" in page.inside("h3")
    assert re.search(r"[\u4e00-\u9fff]", text) is None
    assert page.broken_fragment_links() == []


HOSTILE_SUBJECT = "fix: <script>alert(1)</script> and <img src=x onerror=alert(2)>"
HOSTILE_BODY = '</script><script>alert(3)</script>\n<a href="javascript:alert(4)">x</a> & "quotes" \'too\''


def hostile_repo(path):
    builder = RepoBuilder(path, remote="https://example.com/acme/app.git")
    builder.commit("chore: start", "2026-03-01T08:00:00+08:00", {"src/app.py": lines(5)})
    builder.commit(f"{HOSTILE_SUBJECT}\n\n{HOSTILE_BODY}", "2026-03-02T09:00:00+08:00",
                   {"src/app.py": lines(40)}, author=('Mallory & "Co" Ltd', "m@example.com"))
    return path


def test_a_commit_message_never_becomes_markup(tmp_path):
    repo = hostile_repo(tmp_path / "app")
    out = tmp_path / "site"
    run_html(repo, out, "2026-03-02")
    text = (out / "2026-03-02.html").read_text(encoding="utf-8")
    page = Page(text)
    tags = [tag for tag, _ in page.elements]
    assert "img" not in tags and "b" not in tags
    scripts = [attrs for tag, attrs in page.elements if tag == "script"]
    assert scripts == [{"type": "application/json", "id": "day-data"}, {}]
    assert not any(v.startswith("javascript:") for _, attrs in page.elements for v in attrs.values())
    assert not any(name.startswith("on") for _, attrs in page.elements for name in attrs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "&lt;img src=x onerror=alert(2)&gt;" in text
    assert HOSTILE_SUBJECT in page.text_of("h4")
    assert 'Mallory & "Co" Ltd' in page.text_of("td") and "Mallory &amp; &#34;Co&#34; Ltd" in text
    assert "alert(3)" in page.inside("details") and "<script>alert" not in text


def test_stdout_prints_the_day_page_and_writes_nothing(seed_repo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("--repo", str(seed_repo), "--since", SEED_DAY, "--until", SEED_DAY, "--tz", "Asia/Shanghai",
                     "--format", "html", "--stdout", "--no-llm", "-q")
    assert result.exit_code == 0
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.rstrip().endswith("</html>")
    assert list(tmp_path.glob("**/*.html")) == []


NETWORK = re.compile(r"(?:https?:)?//[^\s\"'<>)]*", re.I)
URL_ATTRS = {"src", "srcset", "href", "action", "formaction", "poster", "data", "background", "xlink:href", "cite"}


def network_references(text: str, commit_urls: set[str]) -> list[str]:
    """Every reference to the network in a page, except <a href> links to the commits themselves."""
    page = Page(text)
    found = []
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            if name in URL_ATTRS and NETWORK.match(value.strip()) and not (tag == "a" and name == "href"
                                                                         and value in commit_urls):
                found.append(f"<{tag} {name}={value}>")
            if name == "style" and re.search(r"url\(|@import", value, re.I):
                found.append(f"<{tag} style={value}>")
        feed_link = tag == "link" and attrs.get("rel") == "alternate" and not NETWORK.match(attrs.get("href", ""))
        if tag in ("link", "iframe", "img", "object", "embed", "video", "audio", "source", "base") and not feed_link:
            found.append(f"<{tag}>")  # a browser never fetches a rel="alternate" link to the folder's own feed
        if tag == "script" and "src" in attrs:
            found.append("<script src>")
    styles = page.inside("style")
    found += re.findall(r"url\(|@import|@font-face", styles, re.I)
    outside_links = NETWORK.sub(lambda m: "" if m.group(0) in commit_urls else m.group(0), text)
    found += [m for m in NETWORK.findall(outside_links)]
    return found


def test_no_page_fetches_anything_from_the_network(seed_repo, tmp_path):
    out, text, data = seed_pages(seed_repo, tmp_path)
    urls = {c["url"] for c in data["repos"][0]["commits"]}
    assert all(u.startswith("https://github.com/ai-dynamo/dynamo/commit/") for u in urls)
    requests = {c["pr_url"] for c in data["repos"][0]["commits"] if c["pr_url"]}
    assert requests and all(u.startswith("https://github.com/ai-dynamo/dynamo/pull/") for u in requests)
    urls |= requests
    assert network_references(text, urls) == []
    assert network_references((out / "index.html").read_text(encoding="utf-8"), set()) == []
    # The check itself catches what it is for.
    assert network_references('<img src="https://x.test/a.png"><style>@import "//x.test/a.css";</style>', set())
    assert network_references('<link rel="alternate" href="https://x.test/feed.xml">', set())


def two_day_repo(path):
    builder = RepoBuilder(path, remote="https://example.com/acme/app.git")
    builder.commit("chore: start", "2026-03-01T08:00:00+08:00", {"src/app.py": lines(5)})
    builder.commit("feat!: new storage engine", "2026-03-01T10:00:00+08:00",
                   {f"src/store_{i}.py": lines(120) for i in range(4)})
    builder.commit("docs: typo", "2026-03-02T09:00:00+08:00", {"README.md": "hello\n"})
    builder.commit("fix: off by one", "2026-03-02T11:00:00+08:00", {"src/app.py": lines(7)})
    return path


def index_rows(out):
    page = Page((out / "index.html").read_text(encoding="utf-8"))
    rows, current = [], None
    for tag, attrs in page.elements:
        if tag == "tr" and attrs.get("id", "").startswith("day-"):
            current = attrs["id"][4:]
            rows.append(current)
    cells = {}
    text = (out / "index.html").read_text(encoding="utf-8")
    for date in rows:
        row = re.search(rf'<tr id="day-{date}">(.*?)</tr>', text, re.S).group(1)
        cells[date] = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)]
    return rows, cells, page


def test_html_over_two_days_writes_both_pages_and_an_index_newest_first(tmp_path):
    repo = two_day_repo(tmp_path / "app")
    out = tmp_path / "site"
    run_html(repo, out, "2026-03-01", "2026-03-02")
    assert sorted(p.name for p in out.iterdir()) == ["2026-03-01.html", "2026-03-02.html", "feed.xml", "index.html"]
    rows, cells, page = index_rows(out)
    assert rows == ["2026-03-02", "2026-03-01"]
    for date in rows:
        stats = json.loads(re.search(r'id="day-data">(.*?)</script>',
                                     (out / f"{date}.html").read_text(encoding="utf-8")).group(1))["stats"]
        assert cells[date] == [stats["total"], stats["high"], stats["medium"], stats["low"]]
    assert cells["2026-03-02"][0] == 2 and cells["2026-03-01"][0] == 2
    hrefs = [a["href"] for tag, a in page.elements if tag == "a"]
    assert "2026-03-02.html" in hrefs and "2026-03-01.html" in hrefs and "2026-03-01.html#acme-app" in hrefs
    assert catalog("zh")["site"]["index_title"] in page.text_of("h1")

    # A later run over one day rewrites that page and keeps the other in the index.
    (out / "2026-03-02.html").unlink()
    (out / "notes.html").write_text("<p>not a day page</p>", encoding="utf-8")
    (out / "2026-13-99.html").write_text("<p>not a date</p>", encoding="utf-8")
    run_html(repo, out, "2026-03-02", None, "--lang", "en")
    rows, cells, page = index_rows(out)
    assert rows == ["2026-03-02", "2026-03-01"]
    assert cells["2026-03-02"][0] == 2 and cells["2026-03-01"][0] == 2
    assert page.text_of("h1") == [catalog("en")["site"]["index_title"]]


def test_an_empty_folder_gets_an_index_that_says_so(tmp_path):
    from offline_report.report.site import write_index

    path = write_index(tmp_path / "site", "en")
    assert catalog("en")["site"]["index_empty"] in Page(path.read_text(encoding="utf-8")).text_of("p")


OVERVIEW = {"numbers": {"commits": 25, "authors": 14, "files": 120, "added": 4000, "removed": 300},
            "top": [{"short_sha": "", "subject": "feat: <b>big</b> one", "title": "feat: <b>big</b> one",
                     "importance": "high", "anchor": "",
                     "added": 120, "removed": 4}],
            "risks": [{"code": "breaking", "short_sha": "", "anchor": "", "text": "Callers <i>may</i> break."}],
            "summary": {"source": "rules", "text": "A busy day <script>alert(1)</script>."}}


@pytest.fixture
def with_overview(monkeypatch):
    """Adds a day overview to each repository, in the shape the day JSON is growing."""
    original = day_module.RepoDay.as_json

    def as_json(self, lang):
        data = original(self, lang)
        first = data["commits"][0]
        overview = json.loads(json.dumps(OVERVIEW))
        for item in overview["top"] + overview["risks"]:
            item.update(short_sha=first["short_sha"], anchor=first["anchor"])
        return data | {"overview": overview}

    monkeypatch.setattr(day_module.RepoDay, "as_json", as_json)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_day_overview_tops_each_repository_in_html_and_markdown(seed_repo, tmp_path, with_overview, lang):
    S = catalog(lang)["site"]
    out = tmp_path / "site"
    run_html(seed_repo, out, SEED_DAY, None, "--lang", lang)
    text = (out / f"{SEED_DAY}.html").read_text(encoding="utf-8")
    page = Page(text)
    assert S["overview_heading"] in page.text_of("h3")
    assert [S["numbers_heading"], S["top_heading"], S["risks_heading"]] == page.text_of("h4")[:3]
    numbers = S["numbers_line"].format(count=counted(lang, OVERVIEW["numbers"]["commits"]), **OVERVIEW["numbers"])
    assert numbers in page.text_of("p")
    assert text.index(S["overview_heading"]) < text.index('<table class="commits">')
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<b>big</b>" not in text
    assert page.broken_fragment_links() == []

    md_out = tmp_path / "md"
    result = run_cli("--repo", str(seed_repo), "--since", SEED_DAY, "--until", SEED_DAY, "--tz", "Asia/Shanghai",
                     "--output-dir", str(md_out), "--no-llm", "-q", "--lang", lang)
    assert result.exit_code == 0
    markdown = (md_out / f"{SEED_DAY}.md").read_text(encoding="utf-8")
    heading = "\n## ai-dynamo/dynamo\n\n### " + S["overview_heading"] + "\n"
    assert heading in markdown
    assert f"**{S['numbers_heading']}**" + catalog(lang)["punct"]["label_sep"] + numbers in markdown
    assert f"**{S['top_heading']}**" in markdown and f"**{S['risks_heading']}**" in markdown
    assert "<script>" not in markdown and "<b>" not in markdown
    assert broken_links(markdown) == []


# Test-side only: appended to a copy of the page, it records where the view landed and what a filter leaves.
PROBE = """<script>
setTimeout(function () {
  var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  var probe = {y: scrollY, top: target.getBoundingClientRect().top, height: innerHeight};
  document.getElementById("f_imp_high").checked = true;
  probe.visible = Array.prototype.filter.call(document.querySelectorAll("article.commit"),
                                              function (a) { return a.offsetParent !== null; }).length;
  document.body.setAttribute("data-probe", JSON.stringify(probe));
}, 300);
</script>"""


def test_day_page_in_a_real_browser(seed_repo, tmp_path):
    binary = chromium()
    out, text, data = seed_pages(seed_repo, tmp_path)
    page_url = (out / f"{SEED_DAY}.html").as_uri()
    profile = tmp_path / "profile"
    repo = data["repos"][0]
    L = catalog("zh")["report"]
    target = next(c for c in repo["commits"] if c["importance"] == "medium")["anchor"]

    # What a person sees: the title, the tier sections, every commit, and in-page links that all land.
    dom = Page(dump_dom(binary, profile, f"{page_url}#{target}"))
    assert dom.text_of("title") == [L["title"].format(day=SEED_DAY)]
    assert dom.text_of("h1") == [L["title"].format(day=SEED_DAY)]
    groups = [L["group_heading"][t] + f" ({repo['stats'][t]})" for t in TIERS if repo["stats"][t]]
    assert [t for t in dom.text_of("h3") if t in groups] == groups
    overview = set(catalog("zh")["site"].values())
    assert [h for h in dom.text_of("h4") if h not in overview] == [
        c["subject"] for t in TIERS for c in repo["commits"] if c["importance"] == t]
    assert target in dom.ids and dom.broken_fragment_links() == []
    assert len(dom.fragment_links()) > 2 * len(repo["commits"])

    # Loading the page at a commit's anchor scrolls that commit into view; the importance filter works.
    probe_page = tmp_path / "probe.html"
    probe_page.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    probed = dump_dom(binary, profile, f"{probe_page.as_uri()}#{target}", "--virtual-time-budget=3000",
                      "--window-size=1200,900")
    probe = json.loads(html.unescape(re.search(r'data-probe="([^"]*)"', probed).group(1)))
    assert probe["y"] > 0 and 0 <= probe["top"] < probe["height"] / 2, probe
    assert probe["visible"] == repo["stats"]["high"]

    png = screenshot(binary, profile, page_url, tmp_path / "day.png", "1200,1600")
    assert len(png) > 20_000, "the screenshot looks blank"

    index = Page(dump_dom(binary, profile, (out / "index.html").as_uri()))
    assert f"{SEED_DAY}.html" in [a.get("href") for tag, a in index.elements if tag == "a"]
