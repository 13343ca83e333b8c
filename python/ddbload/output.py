"""Writing result files safely: never over a file ddbload did not write, never half-written, and never
lost: when the asked-for path fails after a run, the file goes to a temporary folder instead."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Callable

# Only this much of an existing file is read to tell whether ddbload wrote it: a FIFO, a device or a
# huge file must not hang or exhaust memory.
PREFIX_BYTES = 4096
# Our own top-level header and nothing else: a result JSON opens with its schema version, then the tool.
# A foreign file that mentions ddbload somewhere inside is not ours.
_RESULT_HEAD = re.compile(r'^\s*\{\s*"schema_version"\s*:\s*\d+\s*,\s*"tool"\s*:\s*\{\s*"name"\s*:\s*"ddbload"')


class OutputPathError(ValueError):
    """The output path cannot be used; the message names it and why."""


def check_output_path(path: Path, is_ours: Callable[[str], bool] | None = None) -> None:
    """Raises OutputPathError unless `path` can take our file without losing someone else's data.
    `is_ours(prefix)` tells from a file's first bytes that ddbload wrote it (default: a result JSON)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as e:
        raise OutputPathError(f"{path}: {e.strerror}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputPathError(f"{path} is a directory")
    if mode is not None and not stat.S_ISREG(mode):
        raise OutputPathError(f"{path} is not a regular file; refusing to write to it")
    if not path.parent.exists():
        raise OutputPathError(f"folder {path.parent} does not exist")
    if mode is not None and not (is_ours or is_ddbload_result)(read_prefix(path)):
        raise OutputPathError(f"{path} exists and was not written by ddbload; refusing to overwrite it")


def read_prefix(path: Path) -> str:
    """The first PREFIX_BYTES of a regular file as text ('' when unreadable)."""
    try:
        with path.open("rb") as f:
            return f.read(PREFIX_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""


def is_ddbload_result(prefix: str) -> bool:
    return bool(_RESULT_HEAD.match(prefix))


def write_result(path: Path, text: str) -> Path:
    check_output_path(path)
    return write_text(path, text)


def write_text(path: Path, text: str) -> Path:
    """Writes atomically: a temporary file beside `path`, then a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.write("\n")
        # mkstemp makes the file private; give it the permissions a normal new file would get.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_fallback(stem: str, suffix: str, text: str) -> Path:
    """Saves `text` to a new file in the temporary folder (never replacing one) and returns its path."""
    fd, name = tempfile.mkstemp(prefix=f"{stem}-", suffix=suffix)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
        out.write("\n")
    return Path(name)
