"""What a run's measured demand would cost as an event, in each capacity mode, from a dated price table."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from . import _engine
from .resources import resource_info

STALE_AFTER_DAYS = 180
MILLION = Decimal(1_000_000)
SECONDS_PER_HOUR = Decimal(3600)
# The table quota a scaled figure cannot pass (DynamoDB's default per-table limit).
MAX_UNITS = 40_000
PRICE_FIELDS = ("read_request_units_per_million", "write_request_units_per_million", "rcu_hour", "wcu_hour")
KINDS = ("read", "write")
# Reserved capacity: blocks of 100 provisioned units for a term, an upfront fee plus an hourly rate per block.
RESERVED_BLOCK = 100
TERM_HOURS = {"1y": Decimal(365 * 24), "3y": Decimal(3 * 365 * 24)}
RESERVED_FIELDS = ("rcu_upfront_per_100", "rcu_hour_per_100", "wcu_upfront_per_100", "wcu_hour_per_100")


class PriceError(ValueError):
    """A price table cannot be used; the message says why."""


@dataclass(frozen=True)
class ReservedRates:
    """One term's reserved capacity prices, per block of 100 units, by kind."""

    term: str
    upfront: Mapping[str, Decimal]
    hourly: Mapping[str, Decimal]

    def effective_unit_hour(self, kind: str) -> Decimal:
        """A reserved unit's hour with the upfront fee spread evenly over the term's hours."""
        return (self.hourly[kind] + self.upfront[kind] / TERM_HOURS[self.term]) / RESERVED_BLOCK

    def commitment(self, kind: str, units: int) -> Decimal:
        """What reserving `units` commits to over the whole term, used or not."""
        return units // RESERVED_BLOCK * (self.upfront[kind] + self.hourly[kind] * TERM_HOURS[self.term])


@dataclass(frozen=True)
class Prices:
    source: str
    dated: date
    region: str
    request_unit: Mapping[str, Decimal]  # per unit, by kind
    unit_hour: Mapping[str, Decimal]  # per provisioned unit-hour, by kind
    reserved: Mapping[str, ReservedRates] = field(default_factory=dict)  # by term ("1y", "3y")

    def age_days(self, today: date) -> int:
        return (today - self.dated).days


def shipped_prices(region: str) -> Prices:
    """`region`'s prices from the dated table shipped in the package."""
    text = resources.files("ddbload").joinpath("prices/dynamodb.json").read_text(encoding="utf-8")
    return load_prices(text, region, "the shipped price table")


def load_prices(text: str, region: str, origin: str) -> Prices:
    """The prices of `region` in a price table (the shipped one's format); a bad table is a PriceError."""
    try:
        table = json.loads(text)
        when = date.fromisoformat(table["date"])
        regions = table["regions"]
    except (ValueError, KeyError, TypeError) as e:
        raise PriceError(f"{origin}: not a ddbload price table ({type(e).__name__}: {e})") from None
    if table.get("currency", "USD") != "USD":
        raise PriceError(f"{origin}: prices are in {table['currency']}; ddbload prices in USD")
    if region not in regions:
        known = ", ".join(sorted(regions)) or "none"
        raise PriceError(f"{origin}: no prices for {region} (it has {known}); pass --prices FILE with {region}")
    figures = {name: _price(regions[region], name, f"{origin}: {region}") for name in PRICE_FIELDS}
    reserved = {}
    for term, rates in regions[region].get("reserved", {}).items():
        if term not in TERM_HOURS:
            raise PriceError(f"{origin}: {region}.reserved.{term} is not a term (1y or 3y)")
        where = f"{origin}: {region}.reserved.{term}"
        got = {name: _price(rates, name, where) for name in RESERVED_FIELDS}
        reserved[term] = ReservedRates(
            term=term,
            upfront={"read": got["rcu_upfront_per_100"], "write": got["wcu_upfront_per_100"]},
            hourly={"read": got["rcu_hour_per_100"], "write": got["wcu_hour_per_100"]},
        )
    return Prices(
        source=str(table.get("source", origin)),
        dated=when,
        region=region,
        request_unit={
            "read": figures["read_request_units_per_million"] / MILLION,
            "write": figures["write_request_units_per_million"] / MILLION,
        },
        unit_hour={"read": figures["rcu_hour"], "write": figures["wcu_hour"]},
        reserved=reserved,
    )


def _price(figures: Mapping[str, Any], name: str, where: str) -> Decimal:
    """One price of a table, given as a decimal string (a JSON number would have gone through a binary float)."""
    value = figures.get(name)
    try:
        if not isinstance(value, str):
            raise InvalidOperation
        price = Decimal(value)
    except InvalidOperation:
        raise PriceError(f"{where}.{name} must be a decimal number as a string, not {value!r}") from None
    if not price.is_finite() or price < 0:
        raise PriceError(f"{where}.{name} must be 0 or more, not {value}")
    return price


def per_second_demand(result: Mapping[str, Any]) -> dict[tuple[str, str], list[Decimal]]:
    """(table, kind) -> units a second in each row of the time series (a partial last second as a rate)."""
    demand: dict[tuple[str, str], list[Decimal]] = {}
    for row in result["timeseries"]:
        seconds = Decimal(str(row["seconds"]))
        for table, units in row.get("units", {}).items():
            for kind in KINDS:
                amount = Decimal(str(units[f"{kind}_units"]))
                demand.setdefault((table, kind), []).append(amount / seconds if seconds else Decimal(0))
    return demand


def consumed_totals(result: Mapping[str, Any]) -> dict[tuple[str, str], Decimal]:
    return {
        (table, kind): Decimal(str(units[f"{kind}_units"]))
        for table, units in result["consumed_capacity"].items()
        for kind in KINDS
    }


def stretch(rates: list[Decimal], event_seconds: int) -> list[Decimal]:
    """The run's per-second rates spread over the event: event second s takes run row s * n // event_seconds."""
    n = len(rates)
    return [rates[s * n // event_seconds] for s in range(event_seconds)] if n else []


# The opening rate is the mean of this many whole seconds: one second alone is at the mercy of the
# client's start (a slow first second is followed by a catch-up second in the open model).
OPENING_SECONDS = 3


def autoscaling_start(result: Mapping[str, Any], table: str, kind: str, full: list[Decimal], target: Decimal) -> int:
    """Where simulated auto scaling starts: the table's provisioned figure at run time, else the run's
    opening rate (the mean of its first whole seconds) at the target utilization."""
    info = resource_info(result, table)
    if info.get("billing_mode") == "PROVISIONED" and info.get(f"{kind}_capacity_units"):
        return int(info[f"{kind}_capacity_units"])
    opening = full[:OPENING_SECONDS]
    return max(1, math.ceil(sum(opening, Decimal(0)) / len(opening) * 100 / target))


def estimate(
    result: Mapping[str, Any], prices: Prices, hours: Decimal | None, target: Decimal, reserved: str | None = None
) -> dict[str, Any]:
    """Each capacity mode's dollars for an event of the run's shape lasting `hours` (the run's own length
    when None), and with `reserved` ("1y"/"3y") the provisioned modes again with that term's reserved
    capacity. Money is Decimal throughout; the JSON gives it as strings."""
    run_seconds = Decimal(str(result["duration_s"]))
    event_seconds = int((hours * SECONDS_PER_HOUR) if hours is not None else run_seconds.to_integral_value())
    event_seconds = max(event_seconds, 1)
    scale = Decimal(event_seconds) / run_seconds
    demand = per_second_demand(result)

    on_demand: dict[str, Decimal] = {}
    for (table, kind), units in consumed_totals(result).items():
        on_demand[table] = on_demand.get(table, Decimal(0)) + units * scale * prices.request_unit[kind]

    event_hours = Decimal(event_seconds) / SECONDS_PER_HOUR
    peak: dict[str, dict[str, int]] = {}
    peak_usd = Decimal(0)
    scaled: dict[str, dict[str, Any]] = {}
    scaled_usd = Decimal(0)
    # Reserved capacity covers the region's provisioned units together, not a table's: kind -> all tables'.
    held_total = dict.fromkeys(KINDS, 0)
    # Only --reserved needs the seconds of all tables added up (to find the figure never gone below).
    scaled_total: dict[str, list[int]] | None = None if reserved is None else {k: [0] * event_seconds for k in KINDS}
    for (table, kind), rates in sorted(demand.items()):
        full = [rate for rate, row in zip(rates, result["timeseries"]) if row["seconds"] >= 0.5] or rates
        held = max(1, math.ceil(max(full)))
        peak.setdefault(table, {})[kind] = held
        peak_usd += held * event_hours * prices.unit_hour[kind]
        held_total[kind] += held

        start = autoscaling_start(result, table, kind, full, target)
        provisioned, short = _engine.simulate_autoscaling(stretch(rates, event_seconds), start, MAX_UNITS, target)
        unit_seconds = Decimal(sum(provisioned))
        if scaled_total is not None:
            scaled_total[kind] = [a + b for a, b in zip(scaled_total[kind], provisioned)]
        scaled_usd += unit_seconds / SECONDS_PER_HOUR * prices.unit_hour[kind]
        scaled.setdefault(table, {})[kind] = {
            "start": start,
            "highest": max(provisioned, default=start),
            "throttled_seconds": short,
        }
    throttled = sum(result["summary"][op]["throttled_attempts"] for op in ("reads", "writes"))
    modes: dict[str, Any] = {
        "on_demand": {"usd": _money(sum(on_demand.values(), Decimal(0))), "by_table": _strs(on_demand)},
        "provisioned_peak": {"usd": _money(peak_usd), "capacity": peak},
        "provisioned_autoscaling": {
            "usd": _money(scaled_usd),
            "throttled_seconds": max((k["throttled_seconds"] for t in scaled.values() for k in t.values()), default=0),
            "by_table": scaled,
        },
    }
    if reserved is not None and scaled_total is not None:
        term_rates = prices.reserved[reserved]
        peak_held = {kind: (held_total[kind], held_total[kind] * event_seconds) for kind in KINDS}
        scaled_held = {kind: (min(seconds, default=0), sum(seconds)) for kind, seconds in scaled_total.items()}
        modes["provisioned_peak_reserved"] = with_reserved(term_rates, peak_held, event_seconds, prices)
        modes["provisioned_autoscaling_reserved"] = with_reserved(term_rates, scaled_held, event_seconds, prices)
    return {
        "prices": {"source": prices.source, "date": prices.dated.isoformat(), "region": prices.region},
        "event_seconds": event_seconds,
        "run_seconds": float(run_seconds),
        "target_utilization_percent": str(target),
        "lower_bound": throttled > 0,
        "modes": modes,
    }


def with_reserved(
    rates: ReservedRates, held: Mapping[str, tuple[int, int]], event_seconds: int, prices: Prices
) -> dict[str, Any]:
    """A provisioned mode's dollars when the units it never goes below (in whole blocks of 100, all tables
    together) are reserved: those at the term's rate with the upfront fee spread over its hours, the rest
    at the standard rate. `held`: kind -> (the units all tables never went below, their unit-seconds)."""
    usd = Decimal(0)
    commitment = Decimal(0)
    units: dict[str, int] = {}
    floors: dict[str, int] = {}
    for kind, (floor, unit_seconds) in held.items():
        floors[kind] = floor
        units[kind] = floor // RESERVED_BLOCK * RESERVED_BLOCK
        reserved_seconds = units[kind] * event_seconds
        usd += Decimal(reserved_seconds) / SECONDS_PER_HOUR * rates.effective_unit_hour(kind)
        usd += Decimal(unit_seconds - reserved_seconds) / SECONDS_PER_HOUR * prices.unit_hour[kind]
        commitment += rates.commitment(kind, units[kind])
    return {
        "usd": _money(usd),
        "term": rates.term,
        "held_at_least": floors,
        "reserved_units": units,
        "commitment_usd": _money(commitment),
    }


def hour_estimate(result: Mapping[str, Any]) -> tuple[Prices, dict[str, Any]] | None:
    """An hour of the run's demand at the shipped prices and a 70% target (None for a region they lack):
    the figure advise, compare and the report show."""
    try:
        prices = shipped_prices(result["config"]["region"])
    except PriceError:
        return None
    return prices, estimate(result, prices, Decimal(1), Decimal(70))


def cents(usd: str) -> Decimal:
    return Decimal(usd).quantize(Decimal("0.01"))


def _money(value: Decimal) -> str:
    """Exact, in plain notation (never 1.2E-7)."""
    return format(value, "f")


def _strs(amounts: Mapping[str, Decimal]) -> dict[str, str]:
    return {name: _money(value) for name, value in sorted(amounts.items())}


def read_prices_file(path: Path, region: str) -> Prices:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PriceError(f"{path}: {e.strerror}") from None
    return load_prices(text, region, str(path))
