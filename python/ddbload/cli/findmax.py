"""`ddbload findmax --sla EXPR ...`: the highest arrival rate the tables serve within every SLA."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .. import _engine
from ..api import RunInterrupted, run
from ..console import make_console
from ..findmax import Search, Step, search
from ..result_types import RunResult
from ..thresholds import Threshold, ThresholdError, parse
from .common import EXIT_INTERRUPTED, EXIT_OK, Fail, engine_failure, stop_on_sigterm
from .options import GROUP_TITLES, add_connection_flags, add_engine_options, engine_kwargs
from .run import live_progress, load_config, start_local_endpoint, use_local_defaults

# Options findmax sets itself for each step.
CONTROLLED = frozenset({"threads", "minutes", "duration", "rate", "stages", "start_rate", "run_id"})


def add_commands(commands: Any) -> None:
    p = commands.add_parser(
        "findmax",
        help="the highest open-model rate that meets every --sla: a doubling ramp, then a bisection",
    )
    search_group = p.add_argument_group("search")
    search_group.add_argument(
        "--sla", action="append", default=[], metavar="EXPR", required=True,
        help="what a step must meet, in --fail-if's words but the other way round, e.g. 'p99_ms<50', "
        "'throttle_rate<0.001' (repeatable; a step holds when every one is true)",
    )  # fmt: skip
    search_group.add_argument(
        "--start-at", type=float, default=50.0, metavar="R", help="first step's rate (default 50)"
    )
    search_group.add_argument("--max-rate", type=float, default=100_000.0, metavar="R", help="highest rate tried")
    search_group.add_argument(
        "--step-seconds", type=float, default=20.0, metavar="S", help="how long each step runs (default 20)"
    )
    search_group.add_argument(
        "--precision", type=float, default=0.05, metavar="SHARE",
        help="stop when the next broken rate is within this share above the held one (default 0.05)",
    )  # fmt: skip
    search_group.add_argument("--forecast", type=float, metavar="R", help="the event's forecast rate: report headroom")
    search_group.add_argument("--json", action="store_true", help="print the search as JSON on stdout")
    search_group.add_argument(
        "--progress",
        choices=["auto", "always", "never"],
        default="auto",
        help="each step's live progress on stderr, as `run --progress` (default: auto)",
    )
    aws = p.add_argument_group(GROUP_TITLES["connection"])
    add_connection_flags(aws)
    aws.add_argument("--local", action="store_true", help="search against ddbload's own endpoint (offline)")
    groups = {name: p.add_argument_group(GROUP_TITLES[name]) for name in ("load", "shape", "tables", "orders")}
    add_engine_options(groups, skip=CONTROLLED)
    p.set_defaults(handler=cmd_findmax)


def _slas(texts: list[str]) -> list[Threshold]:
    """Each SLA as the threshold that breaks it: 'p99_ms<50' holds while p99_ms>=50 is false."""
    opposite = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
    slas = []
    for text in texts:
        try:
            sla = parse(text)
        except ThresholdError as e:
            raise Fail(str(e).replace("--fail-if", "--sla", 1)) from None
        slas.append(Threshold(text.strip(), sla.metric, opposite[sla.op], sla.limit))
    return slas


def _check(args: argparse.Namespace) -> None:
    for flag, value in (
        ("--start-at", args.start_at),
        ("--max-rate", args.max_rate),
        ("--step-seconds", args.step_seconds),
    ):
        if not value > 0:
            raise Fail(f"{flag}: {value:g} must be above 0")
    if args.start_at > args.max_rate:
        raise Fail(f"--start-at: {args.start_at:g} is above --max-rate {args.max_rate:g}")
    if not 0 < args.precision < 1:
        raise Fail(f"--precision: {args.precision:g} must be between 0 and 1")
    if args.forecast is not None and not args.forecast > 0:
        raise Fail(f"--forecast: {args.forecast:g} must be above 0")


class Steps:
    """Runs findmax's steps one after another as `ddbload run` would, showing each on stderr."""

    def __init__(self, args: argparse.Namespace, found: Search) -> None:
        self.args, self.found = args, found
        self.console = make_console(stderr=True)
        self.first = True

    def measure(self, rate: float) -> RunResult:
        kwargs = _step_kwargs(self.args, rate)
        if not self.first:  # the tables exist and are seeded after the first step
            kwargs.pop("create_tables", None)
            kwargs.pop("seed_products", None)
        number, seconds = len(self.found.steps) + 1, self.args.step_seconds
        self.console.print(f"step {number}: {rate:,.1f} operations/s for {seconds:g} s ...", highlight=False)
        live = live_progress(self.args.progress, seconds)
        try:
            result = run(load_config(kwargs), progress=live).data
        finally:
            if live is not None:
                live.close()
        self.first = False
        return result

    def show(self, step: Step) -> None:
        outcome = "held" if step.held else "broke: " + "; ".join(step.broken_by)
        self.console.print(f"  {step.rate:,.1f}/s {outcome}", highlight=False)


def cmd_findmax(args: argparse.Namespace) -> int:
    slas = _slas(args.sla)
    _check(args)
    if args.local:
        use_local_defaults(args)
    try:
        load_config(_step_kwargs(args, rate=args.start_at))
    except _engine.ConfigError as e:
        raise Fail(str(e)) from None
    emulator = start_local_endpoint(args) if args.local else None
    found = Search()
    steps = Steps(args, found)
    stop_on_sigterm()
    code = EXIT_OK
    try:
        search(found, steps.measure, slas, args.start_at, args.max_rate, args.precision, steps.show)
    except (KeyboardInterrupt, RunInterrupted):
        steps.console.print("findmax: interrupted; what it found so far:", highlight=False)
        code = EXIT_INTERRUPTED
    except _engine.DdbLoadError as e:
        code = engine_failure(e)
        if not found.steps:
            return code
    finally:
        if emulator is not None:
            emulator.stop()
    _report(found, args)
    return code


def _step_kwargs(args: argparse.Namespace, rate: float) -> dict[str, Any]:
    kwargs = {k: v for k, v in engine_kwargs(args).items() if k not in CONTROLLED}
    return {**kwargs, "rate": rate, "duration": f"{args.step_seconds:g}s"}


def _report(found: Search, args: argparse.Namespace) -> None:
    broke = found.first_broken
    summary: dict[str, Any] = {
        "max_rate": found.max_rate,
        "steps": [s.to_json() for s in found.steps],
        "limited_by": None
        if broke is None
        else {"rate": broke.rate, "slas": broke.broken_by, "throttled_by": broke.throttled_by},
        "forecast": args.forecast,
        "headroom": (found.max_rate / args.forecast) if args.forecast and found.max_rate else None,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    if found.max_rate is None:
        print(f"No step held: the first, at {found.steps[0].rate:,.1f}/s, broke." if found.steps else "No step ran.")
    elif broke is None:
        print(f"Held up to {found.max_rate:,.1f} operations/s, the highest rate tried (--max-rate).")
    else:
        print(f"Highest rate that met every SLA: {found.max_rate:,.1f} operations/s.")
        print(f"Broke at {broke.rate:,.1f}/s: {'; '.join(broke.broken_by)}")
        if broke.throttled_by:
            print(f"Throttled by: {', '.join(broke.throttled_by)}")
    if summary["headroom"] is not None:
        print(f"Headroom over the forecast of {args.forecast:,.1f}/s: {summary['headroom']:.2f}x")
    sys.stdout.flush()
