"""Golden reports: the seed day rendered in each language and format, compared byte for byte.

Run with UPDATE_GOLDEN=1 to rewrite the expected files after an intended change; the diff of
tests/golden/ is then the review of that change.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .support.cli import run_cli
from .support.seed_day import SEED_DAY

GOLDEN = Path(__file__).parent / "golden"
# What differs from run to run: wall time, and the path of the temporary repository.
_VOLATILE = [
    (re.compile(r'"wall_s": [0-9.]+'), '"wall_s": 0.0'),
    (re.compile(r"用时 [0-9.]+ 秒"), "用时 0.0 秒"),
    (re.compile(r"· [0-9.]+ s</sub>"), "· 0.0 s</sub>"),
]


def normalised(text: str, repo_path: Path) -> str:
    text = text.replace(str(repo_path), "<repo>")
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["md", "json"])
def test_seed_day_matches_its_golden_report(seed_repo, tmp_path, lang, fmt):
    out = tmp_path / "out"
    result = run_cli("--repo", str(seed_repo), "--since", SEED_DAY, "--until", SEED_DAY, "--tz", "Asia/Shanghai",
                     "--lang", lang, "--format", fmt, "--output-dir", str(out), "--no-llm", "-q")
    assert result.exit_code == 0, result.output
    actual = normalised((out / f"{SEED_DAY}.{fmt}").read_text(encoding="utf-8"), seed_repo)
    expected_path = GOLDEN / f"seed-{lang}.expected.{fmt}"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.write_text(actual, encoding="utf-8")
    assert actual == expected_path.read_text(encoding="utf-8")
