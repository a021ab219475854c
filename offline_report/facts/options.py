"""Command-line options, environment variables and tests named on one line of a patch."""

from __future__ import annotations

from dataclasses import dataclass, field

from .patch import Pattern

QUALIFIER = Pattern(r"\.|::")
_PY_TEST_FILE = Pattern(r"(?:^|/)(?:tests?/|test_[^/]*\.py$|[^/]*_test\.py$|conftest\.py$)")
TEST_ATTR = Pattern(r"^\s*#\[(?:[\w:]+::)?(?:test|rstest|test_case|test_log::test|tokio::test|async_std::test)\b")
JAVA_TEST_ANNOTATION = Pattern(r"^\s*@(?:org\.junit\.(?:jupiter\.api\.)?)?(?:Test|ParameterizedTest|RepeatedTest|"
                                   r"TestFactory|TestTemplate)\b")
JS_TEST = Pattern(r"^\s*(?:it|test)(?:\.(?:only|skip|concurrent|todo|failing))?\s*\(\s*"
                      r"(?:\"([^\"]*)\"|'([^']*)'|`([^`]*)`)")
GTEST = Pattern(r"^\s*(?:TEST|TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P)\s*\(\s*(\w+)\s*,\s*(\w+)\s*\)")

_OPTION_CALL = Pattern(r"(?:add_argument|click\.option|typer\.Option|\.option|\bOption)\s*\(")
_QUOTED_DASH = Pattern(r"[\"'](-[^\"']*)[\"']")
_OPTION_TOKEN = Pattern(r"(?:^|[\s,/|])(--?[A-Za-z][\w-]*)")
_LONE_LONG_OPTION = Pattern(r"^\s*[\"'](--[A-Za-z][\w-]*)[\"']\s*,?\s*$")
_OPTIONISH_LINE = Pattern(r"(?i)option|argument|\barg|flag|param")
_LONG_LITERAL = Pattern(r"[\"'](--[A-Za-z][\w-]*)[\"']")
_GO_FLAG = Pattern(r"\bflag\.(?:String|Int64|Int|Uint64|Uint|Bool|Float64|Duration|Func|BoolFunc|TextVar|Var)"
                      r"(?:Var)?\(\s*(?:&?[\w.\[\]]+\s*,\s*)?\"([A-Za-z][\w.-]*)\"")
_COBRA_FLAG = Pattern(r"\.(?:Persistent)?Flags\(\)\.\w+\(\s*(?:&?[\w.\[\]]+\s*,\s*)?\"([A-Za-z][\w.-]*)\"")
CLAP_ATTR = Pattern(r"^\s*#\[(?:arg|clap|structopt|option)\s*\((.*)\)\]")
CLAP_LONG_VALUE = Pattern(r"\blong\s*=\s*\"([\w-]+)\"")
CLAP_LONG_BARE = Pattern(r"\blong\b(?!\s*=)")
_CLAP_BUILDER = Pattern(r"\.long\(\s*\"([\w-]+)\"\s*\)")
RS_FIELD = Pattern(r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:r#)?([a-z_][a-z0-9_]*)\s*:")

_ENV_NAME = r"([A-Z_][A-Z0-9_]*)"
_ENV_CODE = Pattern(
    r"(?:\benviron(?:\.(?:get|setdefault|pop)\s*\(|\s*\[)|\b(?:getenv|putenv|setenv|unsetenv|Getenv|LookupEnv|Setenv|"
    r"Unsetenv)\s*\(|\benv::(?:var|var_os|set_var|remove_var)\s*\(|\b(?:option_)?env!\s*\(|Deno\.env\.get\s*\()"
    r"\s*[\"']" + _ENV_NAME + r"[\"']")
_ENV_JS = Pattern(r"\b(?:process|import\.meta)\.env(?:\.|\[\s*[\"'])" + _ENV_NAME + r"\b")
_ENV_SHELL = Pattern(r"\$\{" + _ENV_NAME + r"\b|\$" + _ENV_NAME + r"\b|\benv\." + _ENV_NAME + r"\b")
_ENV_EXPORT = Pattern(r"^\s*(?:export\s+)" + _ENV_NAME + r"=")
_DOCKER_ENV = Pattern(r"^\s*ENV\s+(.*)$")
_DOCKER_ENV_NAME = Pattern(r"(?:^|\s)" + _ENV_NAME + r"(?==|\s|$)")
_SHELL_BUILTINS = frozenset("PATH HOME PWD OLDPWD USER SHELL IFS RANDOM LINENO UID EUID HOSTNAME TERM BASH_SOURCE "
                            "BASH_REMATCH FUNCNAME PIPESTATUS SECONDS OPTARG OPTIND".split())


def options_in(text: str, language: str) -> set[str]:
    # Every pattern below needs its own literal in the line (a quote then a dash, "flag.", ".long(", "#["):
    # most lines have none of them and are answered without a regex.
    found: set[str] = set()
    if language == "go":
        if "flag." in text:
            found.update("-" + name for name in _GO_FLAG.findall(text))
        if "Flags()" in text:
            found.update("--" + name for name in _COBRA_FLAG.findall(text))
        return found
    if language == "rust":
        if ".long(" in text:
            found.update("--" + name for name in _CLAP_BUILDER.findall(text))
        attr = CLAP_ATTR.match(text) if "#[" in text else None
        if attr:
            found.update("--" + name for name in CLAP_LONG_VALUE.findall(attr.group(1)))
    if '"-' not in text and "'-" not in text:
        return found
    if _OPTION_CALL.search(text):
        quoted = [option for literal in _QUOTED_DASH.findall(text) for option in _OPTION_TOKEN.findall(literal)]
        longs = [option for option in quoted if option.startswith("--")]
        found.update(longs or quoted)
    else:
        lone = _LONE_LONG_OPTION.match(text)
        if lone:
            found.add(lone.group(1))
        elif _OPTIONISH_LINE.search(text):
            found.update(_LONG_LITERAL.findall(text))
    return found


def _may_name_env(text: str, language: str | None) -> bool:
    """False when no environment pattern can match this line: each one needs one of these literals."""
    if language is not None:
        return "env" in text or "Env" in text
    return "$" in text or "env." in text or "export" in text or "ENV" in text


def env_in(text: str, language: str | None) -> set[str]:
    if not _may_name_env(text, language):
        return set()
    # Every name is [A-Z_][A-Z0-9_]*: isupper() says it holds a letter.
    if language is not None:
        return {name for name in _ENV_CODE.findall(text) + _ENV_JS.findall(text) if name.isupper()}
    names = {a or b or c for a, b, c in _ENV_SHELL.findall(text)}
    names.update(_ENV_EXPORT.findall(text))
    docker = _DOCKER_ENV.match(text)
    if docker:
        names.update(_DOCKER_ENV_NAME.findall(docker.group(1)))
    return {name for name in names if name.isupper() and name not in _SHELL_BUILTINS}



@dataclass
class Sides:
    """What one commit's added (+) and removed (-) lines hold."""

    plus: set = field(default_factory=set)
    minus: set = field(default_factory=set)

    def add(self, side: str, item) -> None:
        (self.plus if side == "+" else self.minus).add(item)

    def added(self) -> set:
        return self.plus - self.minus

    def removed(self) -> set:
        return self.minus - self.plus


def is_test(path: str, language: str, name: str, attributed: bool) -> bool:
    """Whether a definition is a test the runner collects (not a helper)."""
    tail = tail_of(name)
    if language == "python":
        return tail.startswith("test") and (tail == "test" or tail[4] == "_") and bool(_PY_TEST_FILE.search(path))
    if language == "go":
        # go test runs TestX, BenchmarkX, ExampleX and FuzzX of a _test.go file (X not lower-case).
        prefix = next((p for p in _GO_TEST_PREFIXES if tail.startswith(p)), None)
        return (prefix is not None and "." not in name and path.endswith("_test.go")
                and (len(tail) == len(prefix) or not tail[len(prefix)].islower()))
    return attributed


_GO_TEST_PREFIXES = ("Test", "Benchmark", "Example", "Fuzz")


def tail_of(name: str) -> str:
    return QUALIFIER.split(name)[-1]
