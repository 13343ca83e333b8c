"""`run --timeline FILE`: the GameDay flags, the plan shown (and asked for against AWS), and the
timeline's actions and recovery added to the result and shown after it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.prompt import Confirm
from rich.table import Table

from ..capacity import Connection
from ..console import make_console
from ..endpoints import is_loopback
from ..gameday_plan import Action, TimelineError, load_timeline, timeline_from
from ..gameday_recovery import episodes
from ..gameday_run import TimelineRunner
from ..result import Result
from ..workload_file import PRESETS, timeline_of
from .common import Fail


def add_gameday_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("GameDay")
    g.add_argument(
        "--timeline", metavar="FILE",
        help="actions at offsets from the load's start (capacity, autoscaling, and offline fault), measured for "
        "recovery",
    )  # fmt: skip
    g.add_argument("--yes", action="store_true", help="with --timeline against AWS: carry it out without asking")
    g.add_argument("--backup-dir", default=".", help="folder for the timeline's capacity backup (default: .)")


def prepare(args: argparse.Namespace, duration_s: float) -> TimelineRunner | None:
    """The timeline's runner (from --timeline, or the --workload file's `timeline:`), checked: bad input is
    one line, nothing sent. None without a timeline."""
    in_file = _file_timeline(args)
    if in_file is not None and args.timeline is not None:
        raise Fail(f"--timeline: {args.workload} has a timeline of its own; give one or the other")
    if args.timeline is None and in_file is None:
        if args.yes:
            raise Fail("--yes goes with --timeline")
        return None
    if getattr(args, "ray", None):
        raise Fail("--timeline: a GameDay runs on this machine's run, not with --ray")
    actions, where = _actions(args, in_file, duration_s)
    offline = args.local or is_loopback(args.endpoint_url)
    faulty = [a for a in actions if a.kind == "fault"]
    if faulty and not offline:
        raise Fail(f"{where}: action {faulty[0].number}: faults exist only on ddbload's offline "
                   "endpoint (--local, or a loopback --endpoint-url of `ddbload serve`)")  # fmt: skip
    folder = Path(args.backup_dir)
    if not folder.is_dir():
        raise Fail(f"--backup-dir: {folder} is not a folder")
    if not offline and not args.yes:
        if not sys.stdin.isatty():
            raise Fail(f"--timeline: it changes tables in {args.region} of your AWS account; pass --yes to go on")
        console = make_console()
        console.print(plan_table(actions))
        if not Confirm.ask("Carry out this timeline against your AWS tables?", console=console, default=False):
            raise Fail("--timeline: not confirmed; nothing was sent")
    conn = Connection(args.region, args.profile, args.endpoint_url)
    return TimelineRunner(actions, conn, folder, seed=args.seed or 0)


def _actions(args: argparse.Namespace, in_file: list[Any] | None, duration_s: float) -> tuple[list[Action], str]:
    where = f"--timeline {args.timeline}" if args.timeline else f"--workload {args.workload}: timeline"
    try:
        if args.timeline is not None:
            return load_timeline(Path(args.timeline), duration_s), where
        return timeline_from(in_file, where, duration_s), where
    except TimelineError as e:
        raise Fail(str(e)) from None


def _file_timeline(args: argparse.Namespace) -> list[Any] | None:
    """The `timeline:` of a --workload file (already checked by then); None for a preset or a dict."""
    workload = getattr(args, "workload", None)
    if workload is None or workload in PRESETS:
        return None
    return timeline_of(workload)


def plan_table(actions: list[Any]) -> Table:
    table = Table(title="GameDay timeline")
    for column in ("at", "action"):
        table.add_column(column)
    for action in actions:
        table.add_row(f"{action.at_s:g} s", action.describe())
    return table


def attach(result: Result, runner: TimelineRunner) -> Result:
    """The result with the timeline's steps, their episodes and the restore as its `timeline`."""
    data = result.data
    data["timeline"] = {
        "steps": [step.to_json() for step in runner.steps],
        "episodes": episodes(result.data, runner.steps),
        "backup": str(runner.backup) if runner.backup else None,
        "restored": runner.restored,
    }
    return Result(data)


def show(result: Result) -> None:
    timeline = result.data.get("timeline")
    if not timeline:
        return
    console = make_console()
    table = Table(title="Timeline")
    for column in ("at", "step", "outcome", "effect", "recovery", "throttled", "errors", "worst p99 ms"):
        table.add_column(column)
    by_action = {e["action"]: e for e in timeline["episodes"]}
    for step in timeline["steps"]:
        applied = "-" if step["applied_s"] is None else f"{step['applied_s']:.1f} s"
        what = ("undo: " if step["undo"] else "") + step["what"]
        episode = None if step["undo"] else by_action.get(step["number"])
        cells = ["", "", "", "", ""]
        if episode is not None:
            recovery = "-" if episode["recovery_s"] is None else f"{episode['recovery_s']} s"
            p99 = "-" if episode["worst_p99_ms"] is None else f"{episode['worst_p99_ms']:.1f}"
            cells = [episode["effect"], recovery, f"{episode['throttled']:,}", f"{episode['errors']:,}", p99]
        table.add_row(applied, what, step["outcome"], *cells)
    console.print(table)
    for line in timeline["restored"]:
        console.print(f"restored {line}", highlight=False)
