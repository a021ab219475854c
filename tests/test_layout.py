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


def test_configuration_is_split_by_subject_and_the_analysis_modules_are_named_apart():
    assert not (PACKAGE / "configfile.py").exists()
    assert {p.name for p in (PACKAGE / "config").glob("*.py")} >= {"__init__.py", "file.py", "merge.py", "checks.py",
                                                                   "starter.py"}
    assert all(len(p.read_text().splitlines()) < 500 for p in (PACKAGE / "config").glob("*.py"))
    names = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")}
    assert not names & {"analysis.py", "analyze.py", "llm/analyzer.py"}
    assert {"analysis_spec.py", "rules/analyzer.py", "llm/model_analyzer.py"} <= names


def test_the_two_sessions_are_siblings_behind_one_protocol():
    from offline_report.llm.session import LocalSession, ServerSession, Session, SessionBase

    assert not issubclass(ServerSession, LocalSession) and not issubclass(LocalSession, ServerSession)
    assert issubclass(ServerSession, SessionBase) and issubclass(LocalSession, SessionBase)
    for cls in (LocalSession, ServerSession):
        assert "super().__init__(" in __import__("inspect").getsource(cls.__init__)
        assert all(hasattr(cls, name) for name in Session.__dict__ if not name.startswith("_")
                   and callable(Session.__dict__[name]))


def test_engines_take_a_typed_prompt_not_messages_in_a_string():
    import inspect

    from offline_report.llm import engine, llama, server

    assert not hasattr(engine.Engine, "format_prompt") and not hasattr(server, "CHAT_MARKER")
    for cls in (engine.Engine, llama.LlamaEngine, server.ServerEngine):
        assert not hasattr(cls, "format_prompt")
        for method in ("complete", "score_options", "count_tokens"):
            assert "Prompt" in str(inspect.signature(getattr(cls, method)))
    prompt = engine.Prompt("sys", "user", '{"a": "')
    assert prompt.messages() == [{"role": "system", "content": "sys"}, {"role": "user", "content": "user"}]
    assert prompt.plain.endswith('Answer:\n{"a": "')


def module_map() -> list[str]:
    """The modules and packages the package docstring's map names, as dotted names (a package's own name too)."""
    import offline_report

    doc = offline_report.__doc__
    names, package = [], None
    for line in doc[doc.index("module map"):].splitlines():
        found = re.match(r"^( {2}| {4})(\S+)\s{2,}\S", line)
        if not found:
            continue
        indent, name = found.groups()
        if len(indent) == 2:
            package = name[:-1] if name.endswith("/") else None
            names.append(package or name)
        else:
            assert package, f"{name} is indented under no package"
            names.append(f"{package}.{name}")
    return names


def test_the_module_map_names_every_module_and_package_once_and_nothing_else():
    import pkgutil

    import offline_report

    present = {m.name.removeprefix("offline_report.") for m in pkgutil.walk_packages(offline_report.__path__,
                                                                                     "offline_report.")}
    named = module_map()
    assert len(named) == len(set(named)), [n for n in named if named.count(n) > 1]
    assert sorted(set(named) - present) == [], "named but not there"
    assert sorted(present - set(named)) == [], "there but not named"


def test_layers_import_downwards():
    """config/ reads no report/; llm/ reads no config/ (it gets its options as values)."""
    for layer, lower in (("config/", "report"), ("llm/", "config")):
        pattern = re.compile(rf"^\s*from \.\.{lower}\b|^\s*(?:import|from) offline_report\.{lower}\b", re.M)
        assert [path for path, text in sources().items() if path.startswith(layer) and pattern.search(text)] == []
