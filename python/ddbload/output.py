"""Writing result files safely: never over a file ddbload did not write, never half-written."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Callable


class OutputPathError(ValueError):
    """The output path cannot be used; the message names it and why."""


def check_output_path(path: Path, is_ours: Callable[[Path], bool] | None = None) -> None:
    """Raises OutputPathError unless `path` can take our file without losing someone else's data.
    `is_ours` tells a file ddbload wrote (default: a ddbload result JSON)."""
    if path.is_dir():
        raise OutputPathError(f"{path} is a directory")
    if not path.parent.exists():
        raise OutputPathError(f"folder {path.parent} does not exist")
    if path.exists() and not (is_ours or _is_ddbload_result)(path):
        raise OutputPathError(f"{path} exists and was not written by ddbload; refusing to overwrite it")


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


def _is_ddbload_result(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool", {}).get("name") == "ddbload"
