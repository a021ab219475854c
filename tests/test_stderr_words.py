"""Every line a user reads on stderr (and the subcommands' own output) comes from the catalogues, in the run's
language, with the same exit codes in every language."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pygit2
import pytest

from offline_report.catalog import catalog, words

from .support.cli import run_cli
from .support.gitrepo import RepoBuilder, lines

PACKAGE = Path(__file__).resolve().parent.parent / "offline_report"
DAY = "2026-02-12"
CJK = re.compile(r"[\u4e00-\u9fff]")
ERRORS = {"ReportError", "UsageError", "RepoError", "ModelError", "OutputError", "LockedError"}
# Calls whose text a user reads: click's echo, stderr itself, and the lists a run says as warnings and notices.
SAID = {"echo", "write", "set_label", "note", "say_error"}
SAID_LISTS = {"warnings", "notices"}  # their .append(...)
# Modules whose TypeError/ValueError text becomes part of an error (config/values.refusal, the file's glob problems).
WORDED_CHECKS = {"config/values.py", "config/file.py"}


def _texts(node: ast.AST) -> list[str]:
    """The literal text of an argument: a string, an f-string's fixed parts, both sides of a + or a conditional."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value for v in node.values if isinstance(v, ast.Constant))]
    if isinstance(node, ast.BinOp):
        return _texts(node.left) + _texts(node.right)
    if isinstance(node, ast.IfExp):
        return _texts(node.body) + _texts(node.orelse)
    return []


def _is_words(text: str) -> bool:
    """Text a person reads (two letters in a row), not a key, a separator or an empty frame."""
    return bool(re.search(r"[A-Za-z]{2}", text)) and not re.fullmatch(r"[a-z0-9_]+", text)


def _name(func: ast.AST) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def hard_coded(source: str, module: str) -> list[str]:
    """Each call in the module that hands a user English text of its own instead of a catalogue's code."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in ERRORS or (name in ("TypeError", "ValueError") and module in WORDED_CHECKS):
            args = node.args[:2] if name in ERRORS else node.args
            texts = [text for arg in args for text in _texts(arg)]
        elif name in SAID or (name == "append" and _name(node.func.value) in SAID_LISTS):
            texts = [text for arg in [*node.args, *(k.value for k in node.keywords)] for text in _texts(arg)]
        else:
            continue
        found += [f"{module}:{node.lineno}: {text!r}" for text in texts if _is_words(text)]
    return found


def test_no_line_a_user_reads_is_written_in_the_code():
    found = [line for path in sorted(PACKAGE.rglob("*.py"))
             for line in hard_coded(path.read_text(encoding="utf-8"), path.relative_to(PACKAGE).as_posix())]
    assert found == []


def test_the_scan_finds_a_hard_coded_line():
    """The scan itself: each kind of write it guards against is found, a catalogue code is not."""
    source = '''
click.echo(f"wrote {path}", err=True)
sys.stderr.write("stopped\\n")
raise UsageError(f"--since {since} is wrong", "fix it")
result.warnings.append(f"{name}: the cache was damaged")
lines.append(f"a prompt's line for the model")
progress.set_label(f"{label}: checking")
raise UsageError("not_a_date", option=option)
click.echo(f"{marker}")
'''
    assert [line.split(":")[1] for line in hard_coded(source, "cli.py")] == ["2", "3", "4", "4", "5", "7"]
    assert hard_coded('raise TypeError("a string")', "config/values.py") != []


def test_every_code_an_error_is_raised_with_has_its_sentence():
    known, hints = set(catalog("en")["errors"]), set(catalog("en")["hints"])
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) in ERRORS and node.args:
                code = node.args[0]
                if isinstance(code, ast.Constant) and re.fullmatch(r"[a-z0-9_]+", code.value) and code.value not in known:
                    missing.append(f"{path.name}:{node.lineno}: {code.value}")
                hint = node.args[1] if len(node.args) > 1 else None
                if (isinstance(hint, ast.Constant) and isinstance(hint.value, str)
                        and re.fullmatch(r"[a-z0-9_]+", hint.value) and hint.value not in hints):
                    missing.append(f"{path.name}:{node.lineno}: hint {hint.value}")
    assert missing == []


def _keys(table: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, value in table.items():
        keys |= _keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return keys


def test_every_key_of_one_catalogue_is_in_the_other():
    en, zh = _keys(catalog("en")), _keys(catalog("zh"))
    assert sorted(en - zh) == [] and sorted(zh - en) == []


def _prose(sentence: str) -> str:
    """An English sentence without what stays as it is in any language: values, options, code, quotes, paths."""
    for pattern in (r"\{[^{}]*\}", r"offline-report", r"--[\w-]+", r"`[^`]*`", r'"[^"]*"', r"'[^']*'", r"\S*[/.$]\S*", r"\b[A-Z][A-Za-z]*\b"):
        sentence = re.sub(pattern, " ", sentence)
    return sentence


@pytest.mark.parametrize("section", ["cli", "warnings", "notices", "progress", "commands", "errors", "hints", "wants",
                                     "problems", "stop"])
def test_every_chinese_line_of_stderr_is_chinese(section):
    en, zh = catalog("en")[section], catalog("zh")[section]
    copied = [key for key, sentence in en.items() if re.search(r"[a-z]{3}", _prose(sentence))
              and not CJK.search(zh[key])]
    assert copied == []


def test_counts_on_stderr_take_their_plural_form():
    assert words("en", "commands", "clear_removed", count=1, directory="c") == "removed 1 entry from c"
    assert words("en", "commands", "clear_removed", count=2, directory="c") == "removed 2 entries from c"
    assert words("en", "errors", "server_stopped", url="u", failure="f", attempts=1).endswith("f, 1 time")
    assert words("en", "run", "written_more", count=1) == " (+1 more)"
    assert words("zh", "commands", "clear_removed", count=1, directory="c") == "已从 c 删除 1 个条目"


# --- the error paths, in Chinese, with the exit codes of English -------------------------------------------------

@pytest.fixture
def clone(tmp_path, monkeypatch):
    b = RepoBuilder(tmp_path / "repo")
    b.commit("chore: base", "2026-02-11T08:00:00+00:00", {"src/app.py": lines(10)})
    b.commit("feat: add export", f"{DAY}T09:00:00+00:00", {"src/export.py": lines(20)})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def both(*args: str):
    """The same command in English and in Chinese: (English result, Chinese result)."""
    return run_cli("--lang", "en", *args), run_cli("--lang", "zh", *args)


RUN = ("--repo", "repo", "--tz", "UTC", "--no-llm", "--output-dir", "out")


@pytest.mark.parametrize("args, code, exit_code", [
    (("--since", "12/02/2026"), "refused", 2),
    (("--since", DAY, "--until", "2026-02-10"), "since_after_until", 2),
    (("--tz", "Mars/Olympus"), "refused", 2),
])
def test_a_bad_date_is_refused_in_the_runs_language(clone, args, code, exit_code):
    en, zh = both(*RUN, *args)
    assert en.exit_code == zh.exit_code == exit_code
    assert en.output.startswith("offline-report: error: ") and "\n  what to do: " in en.output
    assert zh.output.startswith("offline-report：错误：") and "\n  怎么办：" in zh.output
    assert CJK.search(zh.output.split("\n")[1]) and not CJK.search(en.output)
    assert not (clone / "out").exists()


def test_an_empty_clone_is_noticed_in_chinese(clone):
    pygit2.init_repository(str(clone / "empty"))
    en, zh = both("--repo", "empty", "--since", DAY, "--until", DAY, "--no-llm", "--output-dir", "out")
    assert en.exit_code == zh.exit_code == 0
    assert "has no commits yet" in en.output
    assert words("zh", "notices", "no_commits_yet", path="empty") in zh.output


def _damage(database: Path) -> None:
    data = bytearray(database.read_bytes())
    data[100:4096 * 3] = b"\xff" * (4096 * 3 - 100)
    database.write_bytes(bytes(data))


def test_a_damaged_cache_is_said_in_chinese_by_the_run_and_by_cache_stats(clone):
    cache = clone / "cache"
    args = (*RUN, "--since", DAY, "--until", DAY, "--cache-dir", str(cache), "-q")
    assert run_cli("--lang", "zh", *args).exit_code == 0
    _damage(cache / "cache.db")
    run = run_cli("--lang", "zh", *args)
    kept = next(path for path in cache.glob("cache.db.damaged-*") if not path.name.endswith(("-wal", "-shm")))
    assert run.exit_code == 0 and run.output.startswith(f"offline-report：警告：{cache} 中的缓存数据库已损坏（")
    assert f"已把它移到 {kept} 留给人查看" in run.output and "moved aside" not in run.output
    _damage(cache / "cache.db")
    stats = run_cli("--lang", "zh", "cache", "stats", "--cache-dir", str(cache))
    assert stats.exit_code == 0 and "offline-report：警告：" in stats.output
    assert words("zh", "commands", "cache_dir", directory=cache) in stats.output


def test_the_cache_commands_speak_the_runs_language(clone):
    cache = clone / "cache"
    assert run_cli(*RUN, "--since", DAY, "--until", DAY, "--cache-dir", str(cache), "-q").exit_code == 0
    en, zh = both("cache", "stats", "--cache-dir", str(cache))
    assert en.exit_code == zh.exit_code == 0
    assert en.output.startswith(f"cache: {cache}\nentries: ") and "last run: " in en.output
    assert zh.output.startswith(words("zh", "commands", "cache_dir", directory=cache) + "\n条目：")
    assert "上次运行：" in zh.output and not re.search(r"\b(entries|last run|cache hits)\b", zh.output)
    cleared = run_cli("--lang", "zh", "cache", "clear", "--cache-dir", str(cache))
    assert cleared.exit_code == 0 and "正在从" in cleared.output and "已从" in cleared.output
    nothing = run_cli("--lang", "zh", "cache", "clear", "--cache-dir", str(clone / "none"))
    assert nothing.output.strip() == words("zh", "commands", "clear_nothing", directory=clone / "none")


def test_config_and_init_speak_the_runs_language(clone):
    en, zh = both("config", "--repo", "repo", "--no-llm")
    assert en.exit_code == zh.exit_code == 0
    assert "# command line (--no-llm)" in en.output and "# default" in en.output
    assert "# 命令行（--no-llm）" in zh.output and "# 默认值" in zh.output and "command line" not in zh.output
    refused_en, refused_zh = both("config", "--repo", "repo", "--since", "someday")
    assert refused_en.exit_code == refused_zh.exit_code == 2 and "offline-report：错误：" in refused_zh.output
    init = run_cli("--lang", "zh", "init")
    assert init.exit_code == 0 and init.output.strip() == words("zh", "commands", "init_wrote",
                                                                path="offline-report.toml")
    again = run_cli("--lang", "zh", "init")
    assert again.exit_code == 2 and words("zh", "hints", "init_exists") in again.output


def test_a_file_that_says_lang_zh_words_the_errors_after_it_is_read(clone):
    (clone / "offline-report.toml").write_text('lang = "zh"\nno_llm = true\n[[repos]]\npath = "repo"\n')
    result = run_cli("--since", "2026-02-12", "--until", "2026-02-10", "--tz", "UTC")
    assert result.exit_code == 2 and result.output.startswith("offline-report：错误：--since 2026-02-12 晚于")
    broken = clone / "broken.toml"
    broken.write_text('lang = "zh"\nno_llm = maybe\n')  # not TOML: its lang cannot be read, so English
    result = run_cli("--config", str(broken), "--since", DAY)
    assert result.exit_code == 2 and result.output.startswith("offline-report: error: ") and "not valid TOML" in result.output


def test_click_usage_errors_stay_english_before_the_language_is_known(clone):
    result = run_cli("--lang", "zh", "--bogus")
    assert result.exit_code == 2 and result.output.startswith("offline-report: error: No such option")


@pytest.mark.parametrize("args, english, chinese", [
    (("--repo", "plain", "--since", DAY), "not a git repository: plain", "不是 git 仓库：plain"),
    (("--repo", "repo", "--since", DAY, "--ref", "nope"), "ref 'nope' does not exist", "'nope' 不存在"),
    (("--repo", "repo", "--range", "v1.."), "--range 'v1..': write A..B", "--range 'v1..'：请写成 A..B"),
    (("--repo", "repo", "--range", "nope"), "revision 'nope' does not exist", "（见 `git tag` 和 `git branch -a`）"),
])
def test_git_errors_are_said_in_chinese(clone, args, english, chinese):
    (clone / "plain").mkdir()
    en, zh = both(*args, "--until", DAY, "--no-llm", "--tz", "UTC") if "--since" in args else both(*args, "--no-llm")
    assert en.exit_code == zh.exit_code == 2
    assert english in en.output and chinese in zh.output and "what to do" not in zh.output
    assert zh.output.startswith("offline-report：错误：") and "\n  怎么办：" in zh.output
