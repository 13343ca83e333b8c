"""Rich consoles for the commands: when output is piped or logged, wide enough that tables are not cut;
a reader that goes away (`| head -1`) silences the console instead of failing the command."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from rich.console import Console


class QuietOnBrokenPipe(Console):
    """Rich exits with status 1 when the reader of stdout goes away; the command's own exit code
    (and the files it already wrote) should stand instead: stop printing and carry on."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        to_devnull(sys.stderr if self.stderr else sys.stdout)


def to_devnull(stream: TextIO) -> None:
    """The reader of `stream` went away: what is still written to it goes nowhere (and Python does not
    complain at exit)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, stream.fileno())


# Off a terminal, without COLUMNS: wide enough for every table, so a log file keeps whole rows.
PIPED_WIDTH = 140


def make_console(*, stderr: bool = False) -> Console:
    """A terminal's own width; off a terminal, COLUMNS when it is set, else PIPED_WIDTH."""
    console = QuietOnBrokenPipe(stderr=stderr)
    if console.is_terminal:
        return console
    columns = os.environ.get("COLUMNS", "").strip()
    width = int(columns) if columns.isdigit() and int(columns) > 0 else PIPED_WIDTH
    return QuietOnBrokenPipe(stderr=stderr, width=width)
