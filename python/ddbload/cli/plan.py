"""`ddbload plan --peak-rate R [--verify]`: the capacity settings per table and index for a target peak,
checked against quotas, with the commands that apply them, and proven on an offline copy with --verify."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shlex
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rich.table import Table

from .. import _engine, capacity
from ..api import RunInterrupted, run, run_prepared
from ..capacity import Connection
from ..console import make_console
from ..findmax import beyond_provisioned
from ..offline_copy import copy_settings, offline_credentials
from ..peak_plan import MODES, PlanError, TablePlan, check_quotas, size_table, units_per_operation
from ..result_types import RunResult
from ..verdict import throttles_by_resource
from .after import load_result
from .common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Fail,
    connection_of,
    engine_errors,
    engine_failure,
    stop_on_sigterm,
)
from .options import GROUP_TITLES, add_connection_flags, add_engine_options, engine_kwargs
from .run import LOCAL_SEED_PRODUCTS, live_progress, load_config

# Options plan sets itself for its offline runs.
CONTROLLED = frozenset(
    {"threads", "minutes", "duration", "rate", "stages", "start_rate", "run_id", "endpoint_url", "create_tables"}
)
# The calibration's rate: enough operations for the mix's average, never a load.
CALIBRATION_RATE = Decimal(100)


def add_commands(commands: Any) -> None:
    p = commands.add_parser(
        "plan",
        help="capacity settings per table and index for a target peak, the commands that apply them, "
        "and --verify to prove them offline",
    )
    g = p.add_argument_group("plan")
    g.add_argument("--peak-rate", required=True, metavar="R", help="the event's peak, operations per second")
    g.add_argument(
        "--from", dest="from_result", metavar="RESULT.json",
        help="units per operation from this run's result (default: measured by a short run offline)",
    )  # fmt: skip
    g.add_argument(
        "--mode", choices=MODES, default="keep",
        help="capacity mode to plan for: each table's own (keep, the default), on-demand or provisioned",
    )  # fmt: skip
    g.add_argument(
        "--target-utilization", default="70", metavar="P",
        help="auto scaling target, percent (20-90, default 70): minimums put the peak at this utilization",
    )  # fmt: skip
    g.add_argument("--calibrate-seconds", type=float, default=5.0, metavar="S", help="the offline measuring run (5)")
    g.add_argument(
        "--verify", action="store_true", help="prove it: the peak offline, with today's settings and with the plan's"
    )
    g.add_argument("--verify-seconds", type=float, default=60.0, metavar="S", help="each --verify surge (default 60)")
    g.add_argument("--json", action="store_true", help="print the plan as JSON on stdout")
    g.add_argument(
        "--progress", choices=["auto", "always", "never"], default="auto",
        help="the offline runs' live progress on stderr, as `run --progress` (default: auto)",
    )  # fmt: skip
    aws = p.add_argument_group(GROUP_TITLES["connection"] + " (where the tables' settings are read)")
    add_connection_flags(aws)
    groups = {name: p.add_argument_group(GROUP_TITLES[name]) for name in ("load", "shape", "tables", "orders")}
    add_engine_options(groups, skip=CONTROLLED)
    p.set_defaults(handler=engine_errors(cmd_plan))


def _decimal(flag: str, text: str, low: Decimal, high: Decimal | None = None) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"above {low}"
        raise Fail(f"{flag}: {text!r} must be a number {bounds}")
    return value


def _check(args: argparse.Namespace) -> tuple[Decimal, Decimal, RunResult | None]:
    rate = _decimal("--peak-rate", args.peak_rate, Decimal("0.001"))
    target = _decimal("--target-utilization", args.target_utilization, Decimal(20), Decimal(90))
    for flag, seconds in (("--calibrate-seconds", args.calibrate_seconds), ("--verify-seconds", args.verify_seconds)):
        if not seconds >= 1:
            raise Fail(f"{flag}: {seconds:g} must be at least 1")
    measured = load_result(args.from_result) if args.from_result else None
    try:
        load_config(_offline_kwargs(args, "http://127.0.0.1:1", float(rate), args.verify_seconds))
    except _engine.ConfigError as e:
        raise Fail(str(e)) from None
    return rate, target, measured


def cmd_plan(args: argparse.Namespace) -> int:
    rate, target, measured = _check(args)
    console = make_console(stderr=True)
    stop_on_sigterm()
    try:
        if measured is None:
            console.print(f"measuring units per operation: {args.calibrate_seconds:g} s offline ...", highlight=False)
            measured = _calibrate(args, rate)
        per_operation = units_per_operation(measured)
        conn = connection_of(args)
        current = capacity.describe(conn, sorted(measured["tables"]))
        limits, limits_note = _limits(conn)
    except PlanError as e:
        raise Fail(f"plan: {e}") from None
    except (KeyboardInterrupt, RunInterrupted):
        console.print("plan: interrupted before the plan was made", highlight=False)
        return EXIT_INTERRUPTED
    except _engine.DdbLoadError as e:
        return engine_failure(e)
    plans = [size_table(t, per_operation, rate, args.mode, target) for t in current]
    now = capacity.utc_now()
    for plan, table in zip(plans, current):
        if plan.mode == "PAY_PER_REQUEST" and plan.mode_now != plan.mode:
            plan.notes.append(capacity.switch_limit_note(table, Path("."), now))
    problems = check_quotas(plans, limits)
    summary = _summary(args, rate, target, measured, plans, problems, limits_note)
    code = EXIT_FAILED if problems else EXIT_OK
    if args.verify:
        verified, code = _verify(args, rate, current, plans, console, code)
        summary["verify"] = verified
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        _show(summary, plans)
    return code


def _offline_kwargs(args: argparse.Namespace, url: str, rate: float, seconds: float) -> dict[str, Any]:
    kwargs = {k: v for k, v in engine_kwargs(args).items() if k not in CONTROLLED}
    kwargs.update(endpoint_url=url, create_tables=True, rate=rate, duration=f"{seconds:g}s")
    if kwargs.get("workload") in (None, "workshop") and kwargs.get("seed_products") is None:
        kwargs["seed_products"] = LOCAL_SEED_PRODUCTS
    return kwargs


def _calibrate(args: argparse.Namespace, rate: Decimal) -> RunResult:
    """A short, light run of the workload on a fresh offline endpoint: what each operation consumes."""
    with offline_credentials():
        emulator = _engine.Emulator(region=args.region)
        try:
            kwargs = _offline_kwargs(args, emulator.url, float(min(rate, CALIBRATION_RATE)), args.calibrate_seconds)
            return run(load_config(kwargs)).data
        finally:
            emulator.stop()


def _limits(conn: Connection) -> tuple[dict[str, Any] | None, str | None]:
    try:
        return json.loads(_engine.describe_limits(**conn.kwargs())), None
    except _engine.DdbLoadError as e:
        return None, f"quotas could not be read (DescribeLimits: {e}); checked against DynamoDB's defaults"


def _command_line(argv: list[str], args: argparse.Namespace) -> str:
    conn = ["--region", args.region] + (["--profile", args.profile] if args.profile else [])
    conn += ["--endpoint-url", args.endpoint_url] if args.endpoint_url else []
    return "ddbload " + shlex.join(argv + conn)


def _summary(
    args: argparse.Namespace,
    rate: Decimal,
    target: Decimal,
    measured: RunResult,
    plans: list[TablePlan],
    problems: list[str],
    limits_note: str | None,
) -> dict[str, Any]:
    return {
        "peak_rate": str(rate),
        "target_utilization": str(target),
        "measured_from": args.from_result or "an offline run",
        "workload": "a workload file" if measured.get("workload") else "workshop",
        "tables": [p.to_json() for p in plans],
        "commands": [_command_line(argv, args) for p in plans for argv in p.commands],
        "problems": problems + [f"{p.table}: {text}" for p in plans for text in p.problems],
        "notes": ([limits_note] if limits_note else []) + [f"{p.table}: {text}" for p in plans for text in p.notes],
    }


def _show(summary: dict[str, Any], plans: list[TablePlan]) -> None:
    console = make_console()
    table = Table(title=f"Plan for a peak of {Decimal(summary['peak_rate']):,} operations/s")
    for column in ("table / index", "mode", "peak units/s (read / write)", "setting", "now", "planned"):
        table.add_column(column, overflow="fold")
    for plan in plans:
        mode = plan.mode if plan.mode == plan.mode_now else f"{plan.mode_now} -> {plan.mode}"
        for f in plan.figures:
            now = "/".join("-" if n is None else f"{n:,}" for n in f.now)
            peak = f"{f.peak[0]:,.1f} / {f.peak[1]:,.1f}" + ("" if f.measured else " (not measured)")
            planned = f"{f.planned[0]:,}/{f.planned[1]:,}" + (" (raise)" if f.changes else "")
            table.add_row(f.name, mode, peak, f.setting, now, planned)
    console.print(table)
    _show_lines(console, summary)


def _show_lines(console: Any, summary: dict[str, Any]) -> None:
    for note in summary["notes"]:
        console.print(f"note: {note}", highlight=False)
    for problem in summary["problems"]:
        console.print(f"[red]problem:[/] {problem}", highlight=False)
    if summary["commands"]:
        console.print("Apply it (each saves a backup first; `capacity restore` undoes it):")
        for line in summary["commands"]:
            console.print(f"  {line}", highlight=False, soft_wrap=True)
    else:
        console.print("Nothing to change: the tables' settings already cover the peak.")
    verify = summary.get("verify")
    if verify:
        for label, words in (("today", "today's settings"), ("planned", "the plan applied")):
            if label not in verify:
                continue  # interrupted before this run
            console.print(f"Offline at the peak with {words}: throttle rate {verify[label]['throttle_rate']}")
            for name, outcome in verify[label]["resources"].items():
                console.print(f"  {name}: {outcome['outcome']}{' - ' + outcome['why'] if outcome['why'] else ''}")


def _verify(
    args: argparse.Namespace,
    rate: Decimal,
    current: list[dict[str, Any]],
    plans: list[TablePlan],
    console: Any,
    code: int,
) -> tuple[dict[str, Any], int]:
    """The peak on two fresh offline copies of the tables' settings: as they are, and with the plan's
    commands applied. The plan holds when no table or index it sizes throttles or lives on burst credit."""
    commands = [argv for p in plans for argv in p.commands]
    names = [f.name for p in plans for f in p.figures]
    verified: dict[str, Any] = {"seconds": args.verify_seconds}
    try:
        for label, applied in (("today", []), ("planned", commands)):
            words = "the plan applied" if applied else "today's settings"
            console.print(f"verify: {args.verify_seconds:g} s at {rate:,}/s offline, {words} ...")
            result = _surge(args, rate, current, applied)
            verified[label] = _judge(result, names)
    except (KeyboardInterrupt, RunInterrupted):
        console.print("plan --verify: interrupted", highlight=False)
        return verified, EXIT_INTERRUPTED
    except PlanError as e:
        raise Fail(f"plan --verify: {e}") from None
    except (TimeoutError, OSError) as e:
        console.print(f"plan --verify: the offline run failed: {e}", highlight=False)
        return verified, EXIT_FAILED
    held = all(r["outcome"] == "held" for r in verified["planned"]["resources"].values())
    verified["held"] = held
    return verified, code if held else EXIT_FAILED


def _surge(
    args: argparse.Namespace, rate: Decimal, current: list[dict[str, Any]], commands: list[list[str]]
) -> RunResult:
    with offline_credentials(), tempfile.TemporaryDirectory() as backups:
        emulator = _engine.Emulator(region=args.region)
        target = Connection(region=args.region, endpoint_url=emulator.url)

        def prepare() -> None:
            copy_settings(current, target)
            where = ["--region", args.region, "--endpoint-url", emulator.url, "--backup-dir", backups]
            for argv in commands:
                _apply_offline([*argv, *where])

        live = live_progress(args.progress, args.verify_seconds)
        try:
            kwargs = {**_offline_kwargs(args, emulator.url, float(rate), args.verify_seconds), "_hold_start": True}
            result = run_prepared(load_config(kwargs), prepare, progress=live).data
            _as_applied(result, capacity.describe(target, [t["name"] for t in current]))
            return result
        finally:
            if live is not None:
                live.close()
            emulator.stop()


def _as_applied(result: RunResult, settings: list[dict[str, Any]]) -> None:
    """The result records its tables' figures as its setup found them, before the copy and the plan were
    applied: the surge is judged against the figures it ran with."""
    for t in settings:
        info: dict[str, Any] = dict(result["tables"].get(t["name"], {}))
        for key in ("billing_mode", "read_capacity_units", "write_capacity_units"):
            info[key] = t[key]
        info["indexes"] = [{**i} for i in t["indexes"]]
        result["tables"][t["name"]] = info  # type: ignore[assignment]


def _apply_offline(argv: list[str]) -> None:
    """Runs one of the plan's `capacity set` commands, as a user would, against the offline copy."""
    from . import main  # the command line itself; imported here as it imports this module

    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = main(argv)
    except SystemExit as e:
        code = int(e.code or 0)
    if code != EXIT_OK:
        last = [line for line in out.getvalue().splitlines() if line.strip()][-1:] or ["no output"]
        raise PlanError(f"`ddbload {shlex.join(argv)}` failed offline: {last[0]}")


def _judge(result: RunResult, names: list[str]) -> dict[str, Any]:
    """Held or broken per table and index: broken where DynamoDB's throttles named it, or where it served
    the surge from burst credit (which a longer peak spends)."""
    rows = throttles_by_resource(result)
    burst = beyond_provisioned(result)
    resources = {}
    for name in names:
        throttled = [(kind, reason, n) for where, kind, reason, n in rows if where == name]
        why = [f"{n:,} {kind} throttles ({reason})" for kind, reason, n in throttled]
        why += [b.removeprefix(f"{name} ") for b in burst if b.startswith(f"{name} ")]
        resources[name] = {"outcome": "broken" if why else "held", "why": "; ".join(why)}
    return {
        "throttle_rate": f"{result['summary']['throttle_rate']:.4f}",
        "verdict": result["verdict"]["outcome"] if "verdict" in result else None,
        "resources": resources,
    }
