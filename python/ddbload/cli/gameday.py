"""`run --timeline FILE`: the GameDay flags, the plan shown (and asked for against AWS) before the run, and
the timeline's steps and recovery shown after it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.prompt import Confirm
from rich.table import Table

from .. import _engine
from ..console import make_console
from ..endpoints import is_loopback
from ..gameday_plan import actions_of
from ..result import Result
from .common import Fail


def add_gameday_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("GameDay")
    g.add_argument(
        "--timeline", metavar="FILE",
        help="actions at offsets from the load's start (capacity, autoscaling, on_demand_max, stage, and offline "
        "fault), measured for recovery",
    )  # fmt: skip
    g.add_argument("--yes", action="store_true", help="with --timeline against AWS: carry it out without asking")
    g.add_argument("--backup-dir", default=".", help="folder for the timeline's capacity backup (default: .)")


def prepare(args: argparse.Namespace, config: _engine.LoadConfig) -> None:
    """Checks the GameDay flags around the config's timeline (read and checked by LoadConfig, from
    --timeline or the --workload file's own) and, against AWS, shows it and asks: bad input is one line,
    nothing sent. `ddbload.run` carries it out."""
    if config.timeline is None:
        if args.yes:
            raise Fail("--yes goes with --timeline")
        return
    if getattr(args, "ray", None):
        raise Fail("--timeline: a GameDay runs on this machine's run, not with --ray")
    actions = actions_of(config.timeline, config.duration_s)
    offline = args.local or is_loopback(args.endpoint_url)
    faulty = [a for a in actions if a.kind == "fault"]
    if faulty and not offline:
        raise Fail(f"--timeline: {config.timeline['source']}: action {faulty[0].number}: faults exist only on "
                   "ddbload's offline endpoint (--local, or a loopback --endpoint-url of `ddbload serve`)")  # fmt: skip
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


def plan_table(actions: list[Any]) -> Table:
    table = Table(title="GameDay timeline")
    for column in ("at", "action"):
        table.add_column(column)
    for action in actions:
        table.add_row(f"{action.at_s:g} s", action.describe())
    return table


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
