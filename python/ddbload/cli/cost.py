"""`ddbload cost RESULT.json`: each capacity mode's dollars for an event shaped like the run."""

from __future__ import annotations

import argparse
import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rich.table import Table

from .. import live_prices
from ..console import make_console
from ..cost import STALE_AFTER_DAYS, TERM_HOURS, PriceError, Prices, estimate, read_prices_file, shipped_prices
from .after import load_result
from .common import EXIT_OK, Fail, engine_errors

MAX_HOURS = Decimal(24 * 31)


def add_commands(commands: Any) -> None:
    cost = commands.add_parser("cost", help="what the run's demand would cost as an event, in each capacity mode")
    cost.add_argument("result", metavar="RESULT.json")
    cost.add_argument(
        "--hours", metavar="H", help="the event's length: the run's shape stretched over H hours (default: the run's)"
    )
    cost.add_argument(
        "--prices", metavar="live|FILE",
        help="'live': today's prices from the AWS Price List API; or a price table in the shipped one's format "
        "(default: the shipped, dated table)",
    )  # fmt: skip
    cost.add_argument("--profile", help="with --prices live: the AWS profile to ask the Price List API with")
    cost.add_argument(
        "--pricing-endpoint-url", metavar="URL", help="with --prices live: ask this endpoint instead of AWS's"
    )
    cost.add_argument(
        "--target-utilization",
        metavar="PERCENT",
        default="70",
        help="auto scaling's target utilization in the simulation, 20 to 90 (default: 70)",
    )
    cost.add_argument(
        "--reserved", metavar="1y|3y",
        help="also price the provisioned modes with reserved capacity of this term for the units they never go "
        "below (blocks of 100, all tables together)",
    )  # fmt: skip
    cost.add_argument("--json", action="store_true", help="print the estimate as JSON")
    cost.set_defaults(handler=engine_errors(cmd_cost))


def _decimal_flag(flag: str, text: str, low: Decimal, high: Decimal) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not low <= value <= high:
        raise Fail(f"{flag}: {text!r} is not a number from {low} to {high}")
    return value


def cmd_cost(args: argparse.Namespace) -> int:
    hours = None if args.hours is None else _decimal_flag("--hours", args.hours, Decimal("0.001"), MAX_HOURS)
    target = _decimal_flag("--target-utilization", args.target_utilization, Decimal(20), Decimal(90))
    if args.prices != "live" and (args.profile or args.pricing_endpoint_url):
        raise Fail("--profile/--pricing-endpoint-url go with --prices live")
    if args.reserved is not None and args.reserved not in TERM_HOURS:
        raise Fail(f"--reserved: {args.reserved!r} is not a term (1y or 3y)")
    if args.reserved is not None and args.prices == "live":
        raise Fail(
            "--reserved: --prices live does not read the Price List's reserved terms; "
            "use the shipped table or --prices FILE"
        )
    result = load_result(args.result)
    region = result["config"]["region"]
    try:
        if args.prices == "live":
            prices = live_prices.fetch(region, args.profile, args.pricing_endpoint_url, date.today())
        else:
            prices = shipped_prices(region) if args.prices is None else read_prices_file(Path(args.prices), region)
    except PriceError as e:
        raise Fail(f"--prices: {e}") from None
    if args.reserved is not None and args.reserved not in prices.reserved:
        raise Fail(f"--reserved: {prices.source} has no {args.reserved} reserved capacity prices for {region}")
    estimated = estimate(result, prices, hours, target, args.reserved)
    if args.json:
        print(json.dumps(estimated, indent=2))
    else:
        _print(estimated, prices)
    return EXIT_OK


def _print(estimated: dict[str, Any], prices: Prices) -> None:
    console = make_console()
    modes = estimated["modes"]
    hours = Decimal(estimated["event_seconds"]) / 3600
    table = Table(title=f"Cost of a {hours:.2f}-hour event shaped like this {estimated['run_seconds']:g}-second run")
    for name in ("capacity mode", "USD", "how"):
        table.add_column(name, justify="right" if name == "USD" else "left")
    peak = ", ".join(
        f"{t} {c.get('read', 0)}/{c.get('write', 0)}" for t, c in modes["provisioned_peak"]["capacity"].items()
    )
    scaled = modes["provisioned_autoscaling"]
    table.add_row("on-demand", _usd(modes["on_demand"]["usd"]), "every consumed unit as a request unit")
    table.add_row("provisioned at the peak", _usd(modes["provisioned_peak"]["usd"]), f"RCU/WCU held all event: {peak}")
    table.add_row(
        "provisioned, auto scaling",
        _usd(scaled["usd"]),
        f"target {estimated['target_utilization_percent']}%, simulated second by second; "
        f"{scaled['throttled_seconds']:,} s short of demand while it caught up",
    )
    for mode, name in (
        ("provisioned_peak_reserved", "provisioned at the peak"),
        ("provisioned_autoscaling_reserved", "provisioned, auto scaling"),
    ):
        if mode in modes:
            _reserved_row(table, name, modes[mode])
    console.print(table)
    console.print(f"Prices: {prices.source}, dated {prices.dated.isoformat()} ({prices.region}).", highlight=False)
    age = prices.age_days(date.today())
    if age > STALE_AFTER_DAYS:
        console.print(
            f"[yellow]These prices are {age} days old: check them against the AWS pricing page "
            "or pass --prices FILE.[/]"
        )
    if estimated["lower_bound"]:
        console.print(
            "[yellow]The run was throttled: throttled demand consumed no units, so every figure is a lower bound; "
            "price a run that held.[/]"
        )
    unpriced = "storage, streams, backups, data transfer, the free tier"
    if "provisioned_peak_reserved" not in modes:
        unpriced += ", reserved capacity (--reserved 1y|3y)"
    console.print(f"Not priced: {unpriced}. GSI units are in their table's figures.")


def _reserved_row(table: Table, name: str, mode: dict[str, Any]) -> None:
    term = {"1y": "1-year", "3y": "3-year"}[mode["term"]]
    units = mode["reserved_units"]
    table.add_row(
        f"{name}, {term} reserved",
        _usd(mode["usd"]),
        f"{units['read']:,} RCU and {units['write']:,} WCU reserved (whole blocks of 100 it never goes below, "
        f"the upfront fee spread over the term); commits {_usd(mode['commitment_usd'])} over the term, used or not",
    )


def _usd(text: str) -> str:
    return f"${Decimal(text).quantize(Decimal('0.01')):,}"
