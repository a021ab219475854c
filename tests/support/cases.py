"""A day of one commit per case, built with pygit2 and reported in English and in Chinese."""

from __future__ import annotations

import json

from .cli import run_cli
from .gitrepo import RepoBuilder


def day_by_subject(root, base: dict, cases: dict, day: str) -> dict:
    """The day's JSON commits in each language, by subject: an initial import of `base` the day before, then one
    commit per case (subject -> files; a file whose text is "" is deleted) on `day`, reported with --no-llm."""
    builder = RepoBuilder(root / "repo", remote="https://github.com/acme/cases.git")
    builder.commit("initial import", "2026-02-11T08:00:00+00:00", base)
    for hour, (subject, files) in enumerate(cases.items()):
        delete = tuple(path for path, text in files.items() if text == "")
        builder.commit(subject, f"{day}T{8 + hour:02d}:00:00+00:00",
                       {path: text for path, text in files.items() if text != ""}, delete=delete)
    found = {}
    for lang in ("en", "zh"):
        out = root / f"out-{lang}"
        result = run_cli("--repo", str(root / "repo"), "--since", day, "--until", day, "--tz", "UTC", "--lang", lang,
                         "--format", "json", "--output-dir", str(out), "--no-llm", "-q")
        assert result.exit_code == 0, result.output
        report = json.loads((out / f"{day}.json").read_text(encoding="utf-8"))
        found[lang] = {c["subject"]: c for c in report["repos"][0]["commits"]}
    return found
