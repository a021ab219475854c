"""Templates a team owns: the built-in names, a copy of the built-ins to start from, and team files no output uses."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import OutputError, UsageError
from .render import html_environment, templates_dir

SUFFIX = ".j2"


def builtin_names() -> list[str]:
    """Every built-in template, by the file name a team's template replaces it with."""
    return sorted(path.name for path in templates_dir().glob(f"*{SUFFIX}"))


def dump(folder: Path) -> tuple[list[Path], list[Path]]:
    """Copy the built-in templates into folder; a file already there is kept (it may be the team's own edit).

    Returns (written, kept)."""
    written, kept = [], []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in builtin_names():
            target = folder / name
            if target.exists():
                kept.append(target)
                continue
            shutil.copyfile(templates_dir() / name, target)
            written.append(target)
    except OSError as exc:
        raise OutputError("templates_unwritable", folder=folder, detail=exc.strerror or str(exc)) from exc
    return written, kept


def unused(folder: Path | str | None, lang: str = "en") -> list[str]:
    """One warning per template in a team's folder that no output uses (a name that replaces no built-in)."""
    from ..catalog import words

    if not folder or not Path(folder).is_dir():
        return []
    known = set(builtin_names())
    return [words(lang, "warnings", "unused_template", path=path, names=", ".join(sorted(known)))
            for path in sorted(Path(folder).glob(f"*{SUFFIX}")) if path.name not in known]


def check_templates(root: Path) -> None:
    """A team's templates must compile with the filters a run gives them (a syntax error or an unknown filter is
    found before the run, not after the analyses)."""
    import jinja2

    env = html_environment(root)
    for path in sorted(root.glob("*.j2")):
        try:
            source = path.read_text(encoding="utf-8")
            env.compile(source, name=path.name, filename=str(path))
        except jinja2.TemplateSyntaxError as exc:  # an unknown filter or test too (TemplateAssertionError)
            raise UsageError("template_error", "template_fix", where=f"{path}:{exc.lineno}",
                             detail=exc.message) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError("template_unreadable", path=path, detail=str(exc)) from None
