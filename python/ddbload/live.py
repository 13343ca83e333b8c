"""Live progress: setup steps, a seeding bar, then one line per second of load (every 10 s in a log),
ending with each operation's rate for a workload file."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class LiveProgress:
    """A `progress` callback for ddbload.run that prints to `console` (stderr in the CLI)."""

    def __init__(self, console: Console, duration_s: float, every: int = 1, named_operations: bool = False) -> None:
        """`every`: print one second's line in this many (1 on a terminal; more when the output is a
        log, which then also gets the setup steps as plain lines and a seeding count instead of a bar).
        `named_operations`: a workload file's run, whose lines end with each operation's rate."""
        self._console = console
        self._named_operations = named_operations
        self._duration_s = duration_s
        self._every = every
        self._bar: Progress | None = None
        self._seeding = ""  # what the bar counts
        self._task: Any = None
        self._header_shown = False
        # In a log, setup steps wait until the first write (seeding) or the load: bad input found by a
        # setup call stays one line on stderr.
        self._held: list[str] | None = [] if every > 1 else None
        self._seed_logged_at = 0.0

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if self._held is not None and kind == "phase" and event["phase"] != "load":
            self._held.append(f"{event['phase']}: {event['message']}")
            return
        if self._held is not None and kind != "tick":
            self._release_held()
        if kind == "seed":
            self._seed(event.get("what", "products"), event["done"], event["total"])
            return
        self._close_bar()
        if kind == "phase":
            self._console.print(f"[dim]{event['phase']}:[/] {event['message']}", highlight=False)
        elif kind == "tick" and event["seconds"] >= 0.5 and event["t"] % self._every == 0:
            # The last, partial second (requests that finished after the deadline) is in the
            # result's time series; as a rate it would mislead.
            if not self._header_shown:
                header = tick_header(open_model="target_rate" in event)
                if self._named_operations:
                    header += "  per operation: completed/s; per table and index: read/write units/s"
                self._console.print(header, highlight=False)
                self._header_shown = True
            line = format_tick(event, self._duration_s)
            if self._named_operations:
                line += "  " + format_operations(event) + "; " + format_units(event)
            self._console.print(line, highlight=False, markup=False)

    def _release_held(self) -> None:
        for line in self._held or []:
            self._console.print(line, highlight=False, markup=False)
        self._held = []

    def _seed(self, what: str, done: int, total: int) -> None:
        if self._every > 1:
            # A log gets a seeding line every `every` seconds and the last one, not a redrawn bar.
            now = time.monotonic()
            if done == total or now - self._seed_logged_at >= self._every:
                self._console.print(f"seeding {what}: {done:,}/{total:,}", highlight=False)
                self._seed_logged_at = now
            return
        if self._bar is not None and self._seeding != what:
            self._close_bar()
        if self._bar is None:
            self._seeding = what
            self._bar = Progress(
                TextColumn(f"seeding {what}"),
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


# (heading, width) of the per-second columns: narrow enough for an 80-column terminal with the open
# model's extra columns; a wider figure pushes the line rather than being cut.
CLOSED_COLUMNS = [("time", 11), ("reads/s", 10), ("writes/s", 10), ("p99 ms", 8), ("throttled/s", 12), ("errors", 8)]
OPEN_COLUMNS = [*CLOSED_COLUMNS[:1], ("target/s", 10), *CLOSED_COLUMNS[1:3], ("dropped/s", 10), *CLOSED_COLUMNS[3:]]


def tick_header(open_model: bool) -> str:
    return "".join(f"{name:>{width}}" for name, width in (OPEN_COLUMNS if open_model else CLOSED_COLUMNS))


def format_tick(row: dict[str, Any], duration_s: float) -> str:
    """One line for one second, under `tick_header`: reads/s, writes/s, p99, throttles/s, errors (and
    the target and drops of an open-model run)."""
    seconds = row["seconds"] or 1.0
    p99 = row["p99_ms"]
    cells = {
        "time": f"{min(float(row['t']), duration_s):.0f}s/{duration_s:.0f}s",
        "reads/s": f"{row['reads_ok'] / seconds:,.0f}",
        "writes/s": f"{row['writes_ok'] / seconds:,.0f}",
        "p99 ms": f"{p99:.1f}" if p99 is not None else "-",
        "throttled/s": f"{row['throttled'] / seconds:,.0f}",
        "errors": f"{row['errors']:,}",
    }
    columns = CLOSED_COLUMNS
    if row.get("target_rate") is not None:
        cells["target/s"] = f"{row['target_rate']:,.0f}"
        cells["dropped/s"] = f"{row.get('dropped', 0) / seconds:,.0f}"
        columns = OPEN_COLUMNS
    return "".join(f" {cells[name]:>{width - 1}}" for name, width in columns)


def format_operations(row: dict[str, Any]) -> str:
    """Each operation that ended or was throttled that second: `name N/s`, throttled ones marked."""
    seconds = row["seconds"] or 1.0
    cells = []
    for name, second in row.get("operations", {}).items():
        cell = f"{name} {second['ok'] / seconds:,.0f}/s"
        if second["throttled"]:
            cell += f" ({second['throttled'] / seconds:,.0f} throttled/s)"
        cells.append(cell)
    return ", ".join(cells) or "-"


def format_units(row: dict[str, Any]) -> str:
    """Each table's and global index's consumed read/write units that second, with a table's provisioned
    figures beside them (`Orders 12/40 of 100/50`)."""
    seconds = row["seconds"] or 1.0
    provisioned = row.get("provisioned") or {}
    cells = []
    for name, units in sorted((row.get("units") or {}).items()):
        cell = f"{name} {units['read_units'] / seconds:,.0f}/{units['write_units'] / seconds:,.0f}"
        figures = provisioned.get(name) or {}
        if figures.get("read") is not None and figures.get("write") is not None:
            cell += f" of {figures['read']:,}/{figures['write']:,}"
        cells.append(cell)
    return ", ".join(cells) or "-"
