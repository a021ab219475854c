"""The JSON output for pipelines: it follows the versioned schema, and its codes are the same in every language."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from offline_report.report.day import SCHEMA_VERSION
from offline_report.report.render import schema_path

from .support.cli import run_cli
from .support.fakes import FakeEngine, good_answer, make_gguf
from .support.gitrepo import RepoBuilder, lines
from .support.seed_day import SEED_DAY
from .support.thirteen import BASE_FILES, follow_up_files

REPO_SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / f"day-report.v{SCHEMA_VERSION}.schema.json"
# Worded in the report's language: everything else must be the same in zh and en.
ANALYSIS_WORDS = ("summary", "impact", "insights", "recommendations")


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(REPO_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors_of(data: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(data)]


def day_json(repo, tmp_path, lang, day=SEED_DAY, *extra, engine=None) -> dict:
    out = tmp_path / f"json-{lang}"
    result = run_cli("--repo", str(repo), "--since", day, "--until", day, "--tz", "Asia/Shanghai", "--lang", lang,
                     "--format", "json", "--output-dir", str(out), "-q", *extra,
                     engine_factory=(lambda info, settings: engine) if engine else None)
    assert result.exit_code == 0, result.output
    return json.loads((out / f"{day}.json").read_text(encoding="utf-8"))


def unworded(value, key=None):
    """The JSON without what is worded in the report's language: `text`, the analyses' prose, notes, the run's time."""
    if isinstance(value, dict):
        drop = {"text", "lang", "notes", "wall_s", *ANALYSIS_WORDS} if "source" in value or "text" in value else {
            "lang", "notes", "wall_s"}
        return {k: unworded(v, k) for k, v in value.items() if k not in drop}
    if isinstance(value, list):
        return [unworded(item, key) for item in value]
    return value


def test_the_schema_in_the_repository_is_the_one_the_package_ships():
    assert schema_path().read_bytes() == REPO_SCHEMA.read_bytes()
    assert json.loads(REPO_SCHEMA.read_text())["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_a_rules_day_follows_the_schema_and_says_the_same_in_both_languages(seed_repo, tmp_path):
    zh, en = (day_json(seed_repo, tmp_path, lang, SEED_DAY, "--no-llm") for lang in ("zh", "en"))
    assert errors_of(zh) == [] and errors_of(en) == []
    assert zh["schema_version"] == SCHEMA_VERSION
    assert unworded(zh) == unworded(en)
    reasons = [r for c in en["repos"][0]["commits"] for r in c["importance_reasons"]]
    assert reasons and all(set(r) == {"code", "values", "text"} for r in reasons)
    assert {r["code"] for r in reasons} >= {"type", "large_change"}
    risks = [r for c in en["repos"][0]["commits"] if c["importance"] == "high" for r in c["analysis"]["risks"]]
    assert risks and all(r["code"] for r in risks)
    # The worded parts do differ: the test would not see a language left out.
    assert [r["text"] for r in reasons] != [r["text"] for c in zh["repos"][0]["commits"] for r in c["importance_reasons"]]


def test_a_facts_rich_day_names_its_removed_symbols_by_code(tmp_path):
    b = RepoBuilder(tmp_path / "repo", remote="https://github.com/acme/pkg.git")
    b.commit("initial import", "2026-02-11T10:00:00+00:00", BASE_FILES)
    b.commit("misc: follow-up work", "2026-02-12T10:00:00+00:00", follow_up_files())
    zh, en = (day_json(tmp_path / "repo", tmp_path, lang, "2026-02-12", "--no-llm") for lang in ("zh", "en"))
    assert errors_of(zh) == [] and errors_of(en) == []
    assert unworded(zh) == unworded(en)
    commit = en["repos"][0]["commits"][0]
    removed = [r for r in commit["importance_reasons"] if r["code"] == "removed_public_symbols"]
    assert removed and "nixl::init_device" in removed[0]["values"]["symbols"]
    assert "removed_public" in {r["code"] for r in commit["analysis"]["risks"]}
    bump = [r for r in commit["analysis"]["risks"] if r["code"] == "major_bump"]
    assert bump and all(isinstance(item, str) for item in bump[0]["values"]["items"])


def test_a_model_day_with_a_fallback_follows_the_schema(tmp_path):
    b = RepoBuilder(tmp_path / "repo", remote="https://github.com/acme/widgets.git")
    b.commit("chore: base", "2026-02-11T10:00:00+08:00", {"src/app.py": lines(50)})
    b.commit("feat!: replace the storage API", "2026-02-12T09:00:00+08:00", {"src/storage.py": lines(200, "new")})
    b.commit("fix: handle empty input", "2026-02-12T11:00:00+08:00", {"src/app.py": lines(62)})

    def answers(prompt, schema):  # the medium commit's answers are cut off: the rules stand in
        if "insights" not in json.dumps(schema) and "impact" in json.dumps(schema):
            return '{"summary": ["cut', "length"
        return good_answer("high" if "insights" in json.dumps(schema) else "low"), "stop"

    model = make_gguf(tmp_path / "m.gguf")
    data = day_json(tmp_path / "repo", tmp_path, "en", "2026-02-12", "--model", model, "--force-model",
                    "--cache-dir", str(tmp_path / "cache"), engine=FakeEngine(answers=[answers]))
    assert errors_of(data) == []
    commits = {c["subject"]: c for c in data["repos"][0]["commits"]}
    fallback = commits["fix: handle empty input"]["analysis"]
    assert fallback["source"] == "rules"
    assert fallback["fallback_reason"] == {"code": "token_limit", "values": {}, "text": "cut off at the token limit"}
    model_risks = commits["feat!: replace the storage API"]["analysis"]["risks"]
    assert model_risks == [{"code": None, "values": {}, "text": "Stale entries after a model change."}]


@pytest.mark.parametrize("broken", [
    lambda d: d["repos"][0]["commits"][0]["importance_reasons"].__setitem__(0, "a sentence"),
    lambda d: d["repos"][0]["commits"][0].__setitem__("importance", "urgent"),
    lambda d: d.pop("schema_version"),
])
def test_the_schema_rejects_what_a_pipeline_could_not_read(seed_repo, tmp_path, broken):
    data = day_json(seed_repo, tmp_path, "en", SEED_DAY, "--no-llm")
    broken(data)
    assert errors_of(data) != []


def test_a_merge_day_with_what_it_brought_follows_the_schema(tmp_path):
    b = RepoBuilder(tmp_path / "repo", remote="https://github.com/acme/widgets.git")
    base = b.commit("chore: base", "2026-03-01T08:00:00+00:00", {"src/app.py": lines(10)})
    one = b.commit("feat: a branch change", "2026-02-27T09:00:00+00:00", {"src/b.py": lines(30)}, parents=[base],
                   update_head=False)
    two = b.commit("fix: the branch's fix", "2026-02-28T09:00:00+00:00", {"src/c.py": lines(5)}, parents=[one],
                   update_head=False)
    b.files.update({"src/b.py": lines(30), "src/c.py": lines(5)})
    b.commit("Merge branch 'feature'", "2026-03-02T10:00:00+00:00", {}, parents=[base, two])
    data = day_json(tmp_path / "repo", tmp_path, "en", "2026-03-02", "--no-llm", "--tz", "UTC")
    assert errors_of(data) == []
    (merge,) = data["repos"][0]["commits"]
    assert merge["merge"] and [c["subject"] for c in merge["brought"]] == ["fix: the branch's fix",
                                                                          "feat: a branch change"]
    assert all(reason["code"] for c in merge["brought"] for reason in c["importance_reasons"])


@pytest.mark.parametrize("view", [("--period", "week"), ("--period", "month")])
def test_a_period_report_follows_the_schema(seed_repo, tmp_path, view):
    out = tmp_path / "period"
    result = run_cli("--repo", str(seed_repo), "--since", SEED_DAY, "--until", SEED_DAY, "--tz", "Asia/Shanghai",
                     "--lang", "en", "--format", "json", "--output-dir", str(out), "--no-llm", "-q", *view)
    assert result.exit_code == 0, result.output
    (path,) = out.glob("*.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert errors_of(data) == [] and data["view"]["kind"] == view[1]
