"""Rich consoles for the commands: when output is piped or logged, wide enough that tables are not cut."""

from __future__ import annotations

from rich.console import Console


def make_console(*, stderr: bool = False) -> Console:
    console = Console(stderr=stderr)
    return console if console.is_terminal else Console(stderr=stderr, width=140)
