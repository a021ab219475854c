"""Files written whole or not at all: reports readable as the umask says (a web server can serve them), the nightly
state private to its user."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import OutputError
from .stops import unfinished_files

REPORT_HINTS = ("output_dir", "report_unwritable")  # the catalogues' [hints]: a folder not made, a file not written


def write_atomic(path: Path, text: str, private: bool = False, hints: tuple[str, str] = REPORT_HINTS) -> None:
    """Write to a temp file beside the target, then rename: a reader never sees half a report.

    The file gets the mode a plain open() would give it (0644 under the usual umask 022), so a web server
    running as another user can serve it; private=True keeps it to the user (0600)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError("folder_unwritable", hints[0], folder=path.parent, detail=exc.strerror or str(exc)) from exc
    unfinished_files.add(tmp)  # a stop that cannot wait for this write removes it
    try:
        if not private:
            os.chmod(tmp, 0o666 & ~current_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _remove_quietly(tmp)
        raise OutputError("file_unwritable", hints[1], path=path, detail=exc.strerror or str(exc)) from exc
    except BaseException:
        _remove_quietly(tmp)
        raise
    finally:
        unfinished_files.discard(tmp)


def current_umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux), else set and restored."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
