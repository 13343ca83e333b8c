"""The admin commands: `ddbload capacity show|set|restore` and `ddbload cleanup`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.prompt import Confirm
from rich.table import Table

from .. import _engine, capacity, scaling
from ..capacity import BackupError, Connection, TableChange
from ..console import make_console
from ..endpoints import is_loopback, redacted
from .common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Fail,
    OneLineParser,
    connection_of,
    engine_errors,
    print_error,
)
from .options import add_connection_flags

Pair = tuple[int, int]


def add_commands(commands: Any) -> None:
    cap = commands.add_parser("capacity", help="show, change or restore tables' capacity settings")
    actions = cap.add_subparsers(dest="capacity_command", metavar="ACTION", parser_class=OneLineParser, required=True)

    show = actions.add_parser("show", help="billing mode, provisioned/warm/on-demand figures, GSIs, status")
    show.add_argument("--table", action="append", help="only this table (repeatable; default: every table)")
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    add_connection_flags(show)
    show.set_defaults(handler=engine_errors(capacity_show))

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
    change.add_argument(
        "--on-demand-max", metavar="READ/WRITE|none",
        help="an on-demand table's maximum request units a second, e.g. 20000/8000, or none to remove it",
    )  # fmt: skip
    change.add_argument(
        "--index", action="append", default=[], metavar="NAME=READ/WRITE",
        help="a global index's own figures for --provisioned or --autoscale-min, e.g. by_status=100/400 "
        "(repeatable; other indexes take the table's)",
    )  # fmt: skip
    which = change.add_mutually_exclusive_group()
    which.add_argument("--table", action="append", help="table to change (repeatable)")
    which.add_argument("--all-tables", action="store_true", help="every table in the region")
    change.add_argument("--yes", action="store_true", help="with --all-tables against AWS: change them without asking")
    change.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    change.add_argument("--backup-dir", default=".", help="folder for capacity-backup-<time>.json (default: .)")
    add_connection_flags(change)
    change.set_defaults(handler=engine_errors(capacity_set))

    restore = actions.add_parser("restore", help="put tables back as a backup file saved them")
    restore.add_argument("backup", help="a capacity-backup-<time>.json written by `capacity set`")
    restore.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    restore.add_argument("--backup-dir", default=".", help="folder for the backup taken before restoring")
    restore.add_argument(
        "--force", action="store_true", help="restore even where the backup was not taken (region, endpoint, account)"
    )
    add_connection_flags(restore)
    restore.set_defaults(handler=engine_errors(capacity_restore))

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
    clean.set_defaults(handler=engine_errors(cmd_cleanup))


def capacity_show(args: argparse.Namespace) -> int:
    tables = capacity.describe(connection_of(args), args.table)
    if args.json:
        print(json.dumps(tables, indent=2))
        return EXIT_OK
    table = Table(
        title=f"Capacity in {args.region}" + (f" at {redacted(args.endpoint_url)}" if args.endpoint_url else "")
    )
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
    return EXIT_OK


def _num(value: Any) -> str:
    return "-" if value is None else f"{value:,}"


def capacity_set(args: argparse.Namespace) -> int:
    minimum, maximum = _set_flags(args)
    own = _index_figures(args)
    backup_dir = _backup_dir(args.backup_dir)
    ask = _ask_first(args)
    conn = connection_of(args)
    current = _settled(conn, None if args.all_tables else args.table, args.dry_run)
    if current is None:
        return EXIT_FAILED
    _check_indexes_exist(own, current)
    now = capacity.utc_now()
    plan = [_plan_set(t, args, minimum, maximum, backup_dir, now, own) for t in current]
    confirm = f"Change these {len(plan)} tables in {args.region} of your AWS account?" if ask else None
    return _carry_out(conn, current, plan, args.dry_run, backup_dir, now, confirm)


def _set_flags(args: argparse.Namespace) -> tuple[Pair | None, Pair | None]:
    """Checks `capacity set`'s flags; returns the auto scaling minimums and maximums (READ, WRITE)."""
    if args.provisioned and (args.rcu is None or args.wcu is None):
        raise Fail("--provisioned needs both --rcu and --wcu")
    if not args.provisioned and (args.rcu is not None or args.wcu is not None):
        raise Fail("--rcu/--wcu go with --provisioned")
    minimum = _pair("--autoscale-min", args.autoscale_min)
    maximum = _pair("--autoscale-max", args.autoscale_max)
    if args.on_demand_max is not None:
        _on_demand_max(args.on_demand_max)
    asked = (
        args.provisioned,
        args.on_demand,
        args.on_demand_max is not None,
        args.warm_read is not None,
        args.warm_write is not None,
        minimum,
        maximum,
    )
    if not any(asked):
        raise Fail(
            "capacity set: give --provisioned --rcu N --wcu N, --on-demand, --warm-read N --warm-write N, "
            "--autoscale-min R/W or --on-demand-max R/W"
        )
    figures = {"--rcu": args.rcu, "--wcu": args.wcu, "--warm-read": args.warm_read, "--warm-write": args.warm_write}
    for flag, value in figures.items():
        problem = capacity.check_units(flag, value)
        if problem:
            raise Fail(problem)
    if (args.warm_read is None) != (args.warm_write is None):
        raise Fail("give both --warm-read and --warm-write")
    if not args.table and not args.all_tables:
        raise Fail("capacity set: name tables with --table T (repeatable) or change every table with --all-tables")
    return minimum, maximum


def _index_figures(args: argparse.Namespace) -> dict[str, Pair]:
    """--index NAME=READ/WRITE: global indexes whose figures differ from their table's."""
    own: dict[str, Pair] = {}
    for text in args.index:
        name, sep, figures = text.partition("=")
        pair = _pair("--index", figures) if sep and name.strip() else None
        if pair is None:
            raise Fail(f"--index: expected NAME=READ/WRITE such as by_status=100/400, got {text!r}")
        own[name.strip()] = pair
    if own and not (args.provisioned or args.autoscale_min):
        raise Fail("--index: its figures go with --provisioned or --autoscale-min")
    return own


def _check_indexes_exist(own: dict[str, Pair], current: list[dict[str, Any]]) -> None:
    known = {i["name"] for t in current for i in t["indexes"]}
    for name in own:
        if name not in known:
            raise Fail(f"--index {name}: no such global index on {', '.join(t['name'] for t in current)}")


def _ask_first(args: argparse.Namespace) -> bool:
    """Whether to ask before changing: --all-tables against AWS without --yes (never without a terminal)."""
    ask = args.all_tables and not args.dry_run and not args.yes and not is_loopback(args.endpoint_url)
    if ask and not sys.stdin.isatty():
        raise Fail(
            f"--all-tables: this changes every table in {args.region} of your AWS account; "
            "pass --yes to confirm (or --dry-run to see the plan first)"
        )
    return bool(ask)


def _plan_set(
    t: dict[str, Any],
    args: argparse.Namespace,
    minimum: Pair | None,
    maximum: Pair | None,
    backup_dir: Path,
    now: Any,
    own: dict[str, Pair] | None = None,
) -> TableChange:
    """What `capacity set` changes on table `t`, with notes on holds, limits and quotas; `own` holds the
    figures of indexes that differ from the table's."""
    own = own or {}
    change = _mode_change(t, args, own)
    if args.warm_read is not None:
        capacity.plan_warm(change, t, args.warm_read, args.warm_write)
    if args.on_demand_max is not None:
        wanted = _on_demand_max(args.on_demand_max)
        if wanted != capacity.on_demand_max_of(t):
            change.on_demand_max = wanted
        if t["billing_mode"] != "PAY_PER_REQUEST" and not args.on_demand:
            change.notes.append("an on-demand maximum applies while the table is on-demand")
    if args.provisioned:
        held, notes = scaling.plan_hold(t)
        change.scaling += held
        change.notes += notes
    if minimum or maximum:
        try:
            limits, notes = scaling.plan_minimums(t, minimum, maximum, own)
        except ValueError as e:
            raise Fail(f"--autoscale-min: {e}") from None
        change.scaling += limits
        change.notes += notes
    _note_switch_limit(change, t, backup_dir, now)
    for note in (capacity.quota_note(change.units, "units"), capacity.quota_note(change.warm, "warm throughput")):
        if note:
            change.notes.append(note)
    return change


def _mode_change(t: dict[str, Any], args: argparse.Namespace, own: dict[str, Pair]) -> TableChange:
    if args.provisioned:
        return capacity.plan_provisioned(t, args.rcu, args.wcu, own)
    if args.on_demand:
        return capacity.plan_on_demand(t)
    return TableChange(t["name"])


def _note_switch_limit(change: TableChange, t: dict[str, Any], backup_dir: Path, now: Any) -> None:
    if change.billing_mode == "PAY_PER_REQUEST":
        change.notes.append(capacity.switch_limit_note(t, backup_dir, now))


def capacity_restore(args: argparse.Namespace) -> int:
    try:
        backup = capacity.read_backup(Path(args.backup))
    except BackupError as e:
        raise Fail(f"capacity restore: {e}") from None
    backup_dir = _backup_dir(args.backup_dir)
    conn = connection_of(args)
    saved = {t["name"]: t for t in backup["tables"]}
    # Region and endpoint are checked before any table is read, the account once the tables are.
    _check_origin(args, backup, conn, [])
    current = _settled(conn, list(saved), args.dry_run)
    if current is None:
        return EXIT_FAILED
    _check_origin(args, backup, conn, current)
    now = capacity.utc_now()
    plan = []
    for t in current:
        change = capacity.plan_restore(t, saved[t["name"]])
        change.scaling, notes = scaling.plan_restore(t, saved[t["name"]])
        change.scaling_first = False
        change.notes += notes
        _note_switch_limit(change, t, backup_dir, now)
        plan.append(change)
    return _carry_out(conn, current, plan, args.dry_run, backup_dir, now)


def _check_origin(
    args: argparse.Namespace, backup: dict[str, Any], conn: Connection, current: list[dict[str, Any]]
) -> None:
    mismatch = capacity.origin_mismatch(backup, conn, current)
    if mismatch and not args.force:
        raise Fail(
            f"capacity restore: {args.backup} does not belong here: {mismatch}; pass --force to restore it anyway"
        )


def _pair(flag: str, text: str | None) -> Pair | None:
    """READ/WRITE such as 500/200."""
    if text is None:
        return None
    parts = text.split("/")
    figures = [p.strip() for p in parts]
    if len(figures) != 2 or not all(f.isdigit() and 1 <= int(f) <= 40_000 for f in figures):
        raise Fail(f"{flag}: expected READ/WRITE such as 500/200 (1 to 40,000 each), got {text!r}")
    return int(figures[0]), int(figures[1])


def _on_demand_max(text: str) -> Pair:
    """--on-demand-max READ/WRITE, either side `none` (no maximum: -1), or `none` for both."""
    if text.strip().lower() == "none":
        return (-1, -1)
    sides = [side.strip().lower() for side in text.split("/")]
    if len(sides) != 2 or not all(s == "none" or (s.isdigit() and 1 <= int(s) <= capacity.MAX_UNITS) for s in sides):
        raise Fail(f"--on-demand-max: expected READ/WRITE such as 20000/8000 (either may be none); got {text!r}")
    return (-1 if sides[0] == "none" else int(sides[0]), -1 if sides[1] == "none" else int(sides[1]))


def _backup_dir(text: str) -> Path:
    folder = Path(text)
    if not folder.is_dir():
        raise Fail(f"--backup-dir: {folder} is not a folder")
    return folder


def _settled(conn: Connection, tables: list[str] | None, dry_run: bool) -> list[dict[str, Any]] | None:
    """The tables' settings once no change of theirs is under way (None: one did not end in time). A table
    UPDATING (or with an index CREATING) is waited for: DynamoDB describes its old figures until the change
    completes, so a plan or a backup made before would be wrong, and it refuses another change meanwhile. A
    dry run shows what is described now; a table DELETING is not waited for (its change fails and says so).
    Each table may take up to `wait_until_settled`'s 30 minutes."""
    while True:
        current = capacity.describe(conn, tables)
        busy = [t["name"] for t in current if not capacity.is_settled(t) and t["status"] != "DELETING"]
        if dry_run or not busy:
            return current
        console = make_console()
        for name in busy:
            with console.status(f"{name}: waiting for ACTIVE") as status:

                def wait(state: str, waited: float, table: str = name) -> None:
                    status.update(f"{table}: waiting for ACTIVE ({state}, {waited:.0f}s)")

                try:
                    capacity.wait_until_settled(conn, name, wait)
                except TimeoutError as e:
                    print_error(str(e))
                    return None


def _carry_out(
    conn: Connection,
    current: list[dict[str, Any]],
    plan: list[TableChange],
    dry_run: bool,
    backup_dir: Path,
    now: Any,
    confirm: str | None = None,
) -> int:
    """Shows the plan, then (unless a dry run, or `confirm` is asked and refused) carries it out."""
    console = make_console()
    console.print(_plan_table(current, plan, dry_run))
    todo = [c for c in plan if c.changes_anything]
    if dry_run or not todo:
        console.print("Dry run: nothing changed." if dry_run else "Nothing to change.")
        return EXIT_OK
    if confirm is not None and not Confirm.ask(confirm, console=console, default=False):
        console.print("Nothing changed.")
        return EXIT_FAILED

    path = capacity.write_backup(current, plan, conn, backup_dir, now)
    console.print(f"Saved the current settings to {path} (restore with: ddbload capacity restore {path})")
    failed = [change.table for change in todo if not _apply(conn, change, console)]
    done = len(todo) - len(failed)
    console.print(f"{done} table(s) changed, {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}.")
    return EXIT_FAILED if failed else EXIT_OK


def _plan_table(current: list[dict[str, Any]], plan: list[TableChange], dry_run: bool) -> Table:
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
    return table


def _apply(conn: Connection, change: TableChange, console: Console) -> bool:
    """Sends `change` step by step, each time waiting until the table settles; False when a step failed."""
    steps = [
        ("capacity mode and units", capacity.apply),
        ("warm throughput", capacity.apply_warm),
        ("on-demand maximum", capacity.apply_on_demand_max),
    ]
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
            console.print(f"[red]{change.table}: {step} failed[/] - {e}", highlight=False)
            return False
    console.print(f"{change.table}: done - {change.describe()}", highlight=False)
    return True


def cmd_cleanup(args: argparse.Namespace) -> int:
    conn = connection_of(args)
    console = make_console()
    if args.seeded_products:
        table, what = args.products_table, "seeded products"
    else:
        table, what = args.orders_table, "orders of " + (f"run {args.run_id}" if args.run_id else "every ddbload run")
    with console.status(f"scanning {table} for {what}") as status:

        def progress(text: str) -> None:
            state = json.loads(text)
            found, deleted, throttled = state["matched"], state["deleted"], state["throttled"]
            waits = f" ({throttled:,} throttled calls waited out)" if throttled else ""
            status.update(f"scanned {state['scanned']:,} items: {found:,} {what}, {deleted:,} deleted{waits}")

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
        return EXIT_OK
    console.print(f"Deleted {report['deleted']:,}; {report['remaining']:,} left.", highlight=False)
    if report["throttled"]:
        console.print(
            f"{report['throttled']:,} calls were throttled by the capacity of {table} and sent again after a wait.",
            highlight=False,
        )
    return EXIT_INTERRUPTED if report["interrupted"] else EXIT_OK
