"""Live progress: setup steps, a seeding bar, then one line per second of load (every 10 s in a log)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class LiveProgress:
    """A `progress` callback for ddbload.run that prints to `console` (stderr in the CLI)."""

    def __init__(self, console: Console, duration_s: float, every: int = 1) -> None:
        """`every`: print one second's line in this many (1 on a terminal; more when the output is a
        log, which then gets those lines only)."""
        self._console = console
        self._duration_s = duration_s
        self._every = every
        self._bar: Progress | None = None
        self._task: Any = None

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if self._every > 1 and kind != "tick":
            # A log gets the periodic lines only: bad input stays one line on stderr.
            return
        if kind == "seed":
            self._seed(event["done"], event["total"])
            return
        self._close_bar()
        if kind == "phase":
            self._console.print(f"[dim]{event['phase']}:[/] {event['message']}", highlight=False)
        elif kind == "tick" and event["seconds"] >= 0.5 and event["t"] % self._every == 0:
            # The last, partial second (requests that finished after the deadline) is in the
            # result's time series; as a rate it would mislead.
            self._console.print(format_tick(event, self._duration_s), highlight=False)

    def _seed(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = Progress(
                TextColumn("seeding products"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=self._console,
                transient=False,
            )
            self._task = self._bar.add_task("seed", total=total)
            self._bar.start()
        self._bar.update(self._task, completed=done)

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def close(self) -> None:
        self._close_bar()


def format_tick(row: dict[str, Any], duration_s: float) -> str:
    """One line for one second: reads/s, writes/s, p99, throttles/s, errors."""
    seconds = row["seconds"] or 1.0
    p99 = row["p99_ms"]
    p99_text = f"{p99:8.1f} ms" if p99 is not None else "       - ms"
    target = f"target {row['target_rate']:7,.0f}/s  " if row.get("target_rate") is not None else ""
    return (
        f"{min(float(row['t']), duration_s):6.0f}s/{duration_s:.0f}s  {target}"
        f"reads {row['reads_ok'] / seconds:9,.0f}/s  writes {row['writes_ok'] / seconds:9,.0f}/s  "
        f"p99 {p99_text}  throttled {row['throttled'] / seconds:7,.0f}/s  errors {row['errors']:,}"
    )
