"""The shape of the package: words live in catalogues, pygit2 and llama_cpp each stay in their room."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "offline_report"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def sources() -> dict[str, str]:
    return {str(p.relative_to(PACKAGE)): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")}


def importers(module: str) -> set[str]:
    pattern = re.compile(rf"^\s*(?:import|from) {module}\b", re.M)
    return {path for path, text in sources().items() if pattern.search(text)}


def test_no_python_file_holds_reader_facing_cjk_text():
    assert {path for path, text in sources().items() if CJK.search(text)} == set()


def test_only_the_git_layer_imports_pygit2():
    assert importers("pygit2") and all(path.startswith("git/") for path in importers("pygit2"))


def test_one_module_imports_llama_cpp():
    assert importers("llama_cpp") == {"llm/llama.py"}


def test_at_most_a_dozen_modules_at_the_top():
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= 12, top


def test_every_module_says_what_it_owns():
    missing = [path for path, text in sources().items()
               if not text.lstrip().startswith('"""') and not path.endswith("__init__.py")]
    assert missing == []
