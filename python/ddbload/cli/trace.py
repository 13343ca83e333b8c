"""`ddbload trace stats TRACE...`: what a production trace holds, before it is replayed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from ..console import make_console
from ..output import OutputPathError, check_output_path, write_text
from ..trace.read import BadRecord, calls
from ..trace.show import is_trace_page, page, show, summary
from ..trace.stats import TraceStats
from .common import EXIT_OK, Fail, OneLineParser


def add_commands(commands: Any) -> None:
    trace = commands.add_parser("trace", help="production traffic from CloudTrail data events: statistics")
    actions = trace.add_subparsers(dest="trace_command", metavar="ACTION", parser_class=OneLineParser, required=True)
    stats = actions.add_parser("stats", help="calls per second, operation mix per table, top keys, busiest second")
    stats.add_argument(
        "traces", nargs="+", metavar="TRACE",
        help="CloudTrail files as delivered to S3 (.json.gz), JSON lines, a CSV time,operation,table,key, "
        "or folders of them",
    )  # fmt: skip
    stats.add_argument("--top", type=int, default=10, metavar="N", help="keys shown per table (default 10)")
    stats.add_argument("--html", metavar="FILE", help="also write the statistics as an HTML page")
    stats.add_argument("--json", action="store_true", help="print the statistics as JSON on stdout")
    stats.add_argument("--skip-bad", action="store_true", help="count bad records and go on instead of stopping")
    stats.add_argument(
        "--progress", choices=["auto", "always", "never"], default="auto",
        help="a progress bar on stderr while reading (default: auto, on a terminal)",
    )  # fmt: skip
    stats.set_defaults(handler=cmd_trace_stats)


def trace_files(names: list[str]) -> list[Path]:
    """The files named, and every file under a folder named, in name order."""
    files: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            raise Fail(f"{name}: no such file or folder")
    if not files:
        raise Fail(f"{', '.join(names)}: no trace files in it")
    return files


def cmd_trace_stats(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise Fail(f"--top: {args.top} must be at least 1")
    html_path = Path(args.html) if args.html else None
    if html_path is not None:
        try:
            check_output_path(html_path, is_trace_page)
        except OutputPathError as e:
            raise Fail(f"--html: {e}") from None
    files = trace_files(args.traces)
    stats = TraceStats()
    console = make_console(stderr=True)
    shown = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
        console=console, disable=not shown, transient=True,
    ) as bar:  # fmt: skip
        total = sum(f.stat().st_size for f in files)
        task = bar.add_task("reading", total=total)
        done = 0
        for path in files:
            bar.update(task, description=f"reading {path.name}")
            _read(path, stats, args.skip_bad, lambda n, base=done: bar.update(task, completed=base + n))
            done += path.stat().st_size
    if html_path is not None:
        write_text(html_path, page(stats, len(files), args.top))
    if args.json:
        print(json.dumps(summary(stats, len(files), args.top), indent=2))
    else:
        show(make_console(), stats, len(files), args.top)
        if html_path is not None:
            print(f"Page written to {html_path}")
    return EXIT_OK


def _read(path: Path, stats: TraceStats, skip_bad: bool, progress: Any) -> None:
    """Every call of one file into `stats`; a bad record stops the command unless `skip_bad`."""
    try:
        for call in calls(path, stats.skipped, progress):
            if isinstance(call, BadRecord):
                if not skip_bad:
                    raise Fail(str(call))
                stats.bad.append(str(call))
            else:
                stats.add(call)
    except BadRecord as e:  # the rest of the file cannot be read
        if not skip_bad:
            raise Fail(str(e)) from None
        stats.bad.append(str(e))
