"""The admin commands: `ddbload capacity show|set|restore` and `ddbload cleanup`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable

from rich.prompt import Confirm
from rich.table import Table

from . import _engine, capacity, scaling
from .capacity import BackupError, Connection, TableChange
from .console import make_console
from .endpoints import is_loopback

Fail = Callable[[str], Any]


def add_connection_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--region", default="us-east-1", help="AWS region (default: us-east-1)")
    p.add_argument("--profile", help="AWS profile (default: standard credential chain)")
    p.add_argument("--endpoint-url", help="send requests here instead, e.g. DynamoDB Local")


def add_admin_commands(commands: Any, parser_class: type) -> None:
    cap = commands.add_parser("capacity", help="show, change or restore tables' capacity settings")
    actions = cap.add_subparsers(dest="capacity_command", metavar="ACTION", parser_class=parser_class, required=True)

    show = actions.add_parser("show", help="billing mode, provisioned/warm/on-demand figures, GSIs, status")
    show.add_argument("--table", action="append", help="only this table (repeatable; default: every table)")
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    add_connection_flags(show)

    change = actions.add_parser("set", help="change capacity; saves the current settings to a backup first")
    mode = change.add_mutually_exclusive_group()
    mode.add_argument("--provisioned", action="store_true", help="provisioned mode with --rcu/--wcu (GSIs too)")
    mode.add_argument("--on-demand", action="store_true", help="on-demand mode")
    change.add_argument("--rcu", type=int, help="read capacity units for --provisioned")
    change.add_argument("--wcu", type=int, help="write capacity units for --provisioned")
    change.add_argument("--warm-read", type=int, help="raise warm throughput: reads per second")
    change.add_argument("--warm-write", type=int, help="raise warm throughput: writes per second")
    change.add_argument(
        "--autoscale-min",
        metavar="READ/WRITE",
        help="auto scaling minimums for the tables and their GSIs, e.g. 500/200",
    )
    change.add_argument(
        "--autoscale-max", metavar="READ/WRITE", help="auto scaling maximums (registers auto scaling where none is set)"
    )
    which = change.add_mutually_exclusive_group()
    which.add_argument("--table", action="append", help="table to change (repeatable)")
    which.add_argument("--all-tables", action="store_true", help="every table in the region")
    change.add_argument("--yes", action="store_true", help="with --all-tables against AWS: change them without asking")
    change.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    change.add_argument("--backup-dir", default=".", help="folder for capacity-backup-<time>.json (default: .)")
    add_connection_flags(change)

    restore = actions.add_parser("restore", help="put tables back as a backup file saved them")
    restore.add_argument("backup", help="a capacity-backup-<time>.json written by `capacity set`")
    restore.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    restore.add_argument("--backup-dir", default=".", help="folder for the backup taken before restoring")
    restore.add_argument(
        "--force", action="store_true", help="restore even where the backup was not taken (region, endpoint, account)"
    )
    add_connection_flags(restore)

    clean = commands.add_parser("cleanup", help="delete the orders or seeded products load tests made, nothing else")
    runs = clean.add_mutually_exclusive_group(required=True)
    runs.add_argument("--run-id", help="delete the orders of this run")
    runs.add_argument("--all-runs", action="store_true", help="delete the orders of every ddbload run")
    runs.add_argument(
        "--seeded-products", action="store_true", help="delete the products --seed-products wrote (ddbload-p-...)"
    )
    clean.add_argument("--orders-table", default="Orders", help="orders table (default: Orders)")
    clean.add_argument("--products-table", default="Products", help="products table for --seeded-products")
    clean.add_argument("--dry-run", action="store_true", help="count them; delete nothing")
    add_connection_flags(clean)


def connection_of(args: argparse.Namespace) -> Connection:
    return Connection(region=args.region, profile=args.profile, endpoint_url=args.endpoint_url)


def cmd_capacity(args: argparse.Namespace, fail: Fail) -> int:
    if args.capacity_command == "show":
        return capacity_show(args)
    if args.capacity_command == "set":
        return capacity_set(args, fail)
    return capacity_restore(args, fail)


def capacity_show(args: argparse.Namespace) -> int:
    tables = capacity.describe(connection_of(args), args.table)
    if args.json:
        print(json.dumps(tables, indent=2))
        return 0
    table = Table(title=f"Capacity in {args.region}" + (f" at {args.endpoint_url}" if args.endpoint_url else ""))
    for name in (
        "table",
        "mode",
        "status",
        "RCU",
        "WCU",
        "warm r/w per s",
        "on-demand max r/w",
        "indexes",
        "items",
    ):
        table.add_column(name)
    for t in tables:
        table.add_row(
            t["name"],
            t["billing_mode"],
            t["status"],
            _num(t["read_capacity_units"]),
            _num(t["write_capacity_units"]),
            f"{_num(t['warm_read_units_per_second'])}/{_num(t['warm_write_units_per_second'])}",
            f"{_num(t['on_demand_max_read_request_units'])}/{_num(t['on_demand_max_write_request_units'])}",
            ", ".join(
                f"{i['name']} {_num(i['read_capacity_units'])}/{_num(i['write_capacity_units'])}" for i in t["indexes"]
            )
            or "-",
            _num(t["item_count"]),
        )
    console = make_console()
    console.print(table)
    auto = Table(title="Auto scaling (Application Auto Scaling)")
    for name in ("resource", "dimension", "min", "max", "suspended", "policies"):
        auto.add_column(name)
    for t in tables:
        for row in scaling.rows(t):
            auto.add_row(*row)
    console.print(auto)
    return 0


def _num(value: Any) -> str:
    return "-" if value is None else f"{value:,}"


def capacity_set(args: argparse.Namespace, fail: Fail) -> int:
    if args.provisioned and (args.rcu is None or args.wcu is None):
        fail("--provisioned needs both --rcu and --wcu")
    if not args.provisioned and (args.rcu is not None or args.wcu is not None):
        fail("--rcu/--wcu go with --provisioned")
    minimum = _pair("--autoscale-min", args.autoscale_min, fail)
    maximum = _pair("--autoscale-max", args.autoscale_max, fail)
    asked = (
        args.provisioned,
        args.on_demand,
        args.warm_read is not None,
        args.warm_write is not None,
        minimum,
        maximum,
    )
    if not any(asked):
        fail(
            "capacity set: give --provisioned --rcu N --wcu N, --on-demand, --warm-read N --warm-write N, "
            "or --autoscale-min R/W"
        )
    figures = {"--rcu": args.rcu, "--wcu": args.wcu, "--warm-read": args.warm_read, "--warm-write": args.warm_write}
    for flag, value in figures.items():
        problem = capacity.check_units(flag, value)
        if problem:
            fail(problem)
    if (args.warm_read is None) != (args.warm_write is None):
        fail("give both --warm-read and --warm-write")
    if not args.table and not args.all_tables:
        fail("capacity set: name tables with --table T (repeatable) or change every table with --all-tables")
    backup_dir = _backup_dir(args.backup_dir, fail)
    ask = args.all_tables and not args.dry_run and not args.yes and not is_loopback(args.endpoint_url)
    if ask and not sys.stdin.isatty():
        fail(
            f"--all-tables: this changes every table in {args.region} of your AWS account; "
            "pass --yes to confirm (or --dry-run to see the plan first)"
        )

    conn = connection_of(args)
    current = capacity.describe(conn, None if args.all_tables else args.table)
    now = capacity.utc_now()
    plan = []
    for t in current:
        if args.provisioned:
            change = capacity.plan_provisioned(t, args.rcu, args.wcu)
        elif args.on_demand:
            change = capacity.plan_on_demand(t)
        else:
            change = TableChange(t["name"])
        if args.warm_read is not None:
            capacity.plan_warm(change, t, args.warm_read, args.warm_write)
        if args.provisioned:
            held, notes = scaling.plan_hold(t)
            change.scaling += held
            change.notes += notes
        if minimum or maximum:
            try:
                limits, notes = scaling.plan_minimums(t, minimum, maximum)
            except ValueError as e:
                fail(f"--autoscale-min: {e}")
            change.scaling += limits
            change.notes += notes
        if change.billing_mode == "PAY_PER_REQUEST":
            change.notes.append(capacity.switch_limit_note(t, backup_dir, now))
        for note in (capacity.quota_note(change.units, "units"), capacity.quota_note(change.warm, "warm throughput")):
            if note:
                change.notes.append(note)
        plan.append(change)
    confirm = f"Change these {len(plan)} tables in {args.region} of your AWS account?" if ask else None
    return _carry_out(conn, current, plan, args.dry_run, backup_dir, now, confirm)


def capacity_restore(args: argparse.Namespace, fail: Fail) -> int:
    try:
        backup = capacity.read_backup(Path(args.backup))
    except BackupError as e:
        fail(f"capacity restore: {e}")
    backup_dir = _backup_dir(args.backup_dir, fail)
    conn = connection_of(args)
    saved = {t["name"]: t for t in backup["tables"]}
    mismatch = capacity.origin_mismatch(backup, conn, [])
    if mismatch and not args.force:
        fail(f"capacity restore: {args.backup} does not belong here: {mismatch}; pass --force to restore it anyway")
    current = capacity.describe(conn, list(saved))
    mismatch = capacity.origin_mismatch(backup, conn, current)
    if mismatch and not args.force:
        fail(f"capacity restore: {args.backup} does not belong here: {mismatch}; pass --force to restore it anyway")
    now = capacity.utc_now()
    plan = []
    for t in current:
        change = capacity.plan_restore(t, saved[t["name"]])
        change.scaling, notes = scaling.plan_restore(t, saved[t["name"]])
        change.scaling_first = False
        change.notes += notes
        if change.billing_mode == "PAY_PER_REQUEST":
            change.notes.append(capacity.switch_limit_note(t, backup_dir, now))
        plan.append(change)
    return _carry_out(conn, current, plan, args.dry_run, backup_dir, now)


def _pair(flag: str, text: str | None, fail: Fail) -> tuple[int, int] | None:
    """READ/WRITE such as 500/200."""
    if text is None:
        return None
    parts = text.split("/")
    figures = [p.strip() for p in parts]
    if len(figures) != 2 or not all(f.isdigit() and 1 <= int(f) <= 40_000 for f in figures):
        fail(f"{flag}: expected READ/WRITE such as 500/200 (1 to 40,000 each), got {text!r}")
    return int(figures[0]), int(figures[1])


def _backup_dir(text: str, fail: Fail) -> Path:
    folder = Path(text)
    if not folder.is_dir():
        fail(f"--backup-dir: {folder} is not a folder")
    return folder


def _carry_out(
    conn: Connection,
    current: list[dict],
    plan: list[TableChange],
    dry_run: bool,
    backup_dir: Path,
    now: Any,
    confirm: str | None = None,
) -> int:
    """Shows the plan, then (unless a dry run, or `confirm` is asked and refused) carries it out."""
    console = make_console()
    table = Table(title="Planned changes" + (" (dry run: nothing will change)" if dry_run else ""))
    for name in ("table", "now", "change", "notes"):
        table.add_column(name)
    by_name = {t["name"]: t for t in current}
    for change in plan:
        t = by_name[change.table]
        now_text = t["billing_mode"] + (
            f" {t['read_capacity_units']}/{t['write_capacity_units']}" if t["billing_mode"] == "PROVISIONED" else ""
        )
        table.add_row(change.table, now_text, change.describe(), "; ".join(change.notes))
    console.print(table)
    todo = [c for c in plan if c.changes_anything]
    if dry_run or not todo:
        console.print("Dry run: nothing changed." if dry_run else "Nothing to change.")
        return 0
    if confirm is not None and not Confirm.ask(confirm, console=console, default=False):
        console.print("Nothing changed.")
        return 1

    path = capacity.write_backup(current, plan, conn, backup_dir, now)
    console.print(f"Saved the current settings to {path} (restore with: ddbload capacity restore {path})")
    failed = []
    for change in todo:
        steps = [("capacity mode and units", capacity.apply), ("warm throughput", capacity.apply_warm)]
        auto = ("auto scaling", capacity.apply_scaling)
        steps = [auto, *steps] if change.scaling_first else [*steps, auto]
        for step, send in steps:
            try:
                with console.status(f"{change.table}: {step}") as status:

                    def wait(state: str, waited: float, table: str = change.table) -> None:
                        status.update(f"{table}: waiting for ACTIVE ({state}, {waited:.0f}s)")

                    if send(conn, change):
                        capacity.wait_until_settled(conn, change.table, wait)
            except (_engine.DdbLoadError, TimeoutError, OverflowError, ValueError) as e:
                failed.append(change.table)
                console.print(f"[red]{change.table}: {step} failed[/] - {e}", highlight=False)
                break
        else:
            console.print(f"{change.table}: done - {change.describe()}", highlight=False)
    done = len(todo) - len(failed)
    console.print(f"{done} table(s) changed, {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}.")
    return 1 if failed else 0


def cmd_cleanup(args: argparse.Namespace, fail: Fail) -> int:
    conn = connection_of(args)
    console = make_console()
    if args.seeded_products:
        table, what = args.products_table, "seeded products"
    else:
        table, what = args.orders_table, "orders of " + (f"run {args.run_id}" if args.run_id else "every ddbload run")
    with console.status(f"scanning {table} for {what}") as status:

        def progress(text: str) -> None:
            state = json.loads(text)
            found, deleted = state["matched"], state["deleted"]
            status.update(f"scanned {state['scanned']:,} items: {found:,} {what}, {deleted:,} deleted")

        report = json.loads(
            _engine.cleanup_orders(
                table=table,
                run_id=args.run_id,
                seeded_products=args.seeded_products,
                dry_run=args.dry_run,
                progress=progress,
                **conn.kwargs(),
            )
        )
    console.print(f"Found {report['matched']:,} {what} in {table}.", highlight=False)
    if args.dry_run:
        console.print("Dry run: nothing deleted.")
        return 0
    console.print(f"Deleted {report['deleted']:,}; {report['remaining']:,} left.", highlight=False)
    return 130 if report["interrupted"] else 0
