"""The highest open-model rate that meets every SLA: a doubling ramp to find the region, then a bisection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .resources import resource_info, split
from .result_types import RunResult, TimeseriesRow
from .thresholds import Threshold, measured, shown
from .verdict import throttles_by_resource


@dataclass
class Step:
    rate: float
    held: bool
    broken_by: list[str]  # the SLAs broken, each with its measured value
    throttled_by: list[str] = field(default_factory=list)  # "Orders write (TableWriteProvisionedThroughputExceeded)"
    result: RunResult | None = None

    def to_json(self) -> dict[str, Any]:
        return {"rate": self.rate, "held": self.held, "broken_by": self.broken_by, "throttled_by": self.throttled_by}


@dataclass
class Search:
    steps: list[Step] = field(default_factory=list)

    @property
    def max_rate(self) -> float | None:
        held = [s.rate for s in self.steps if s.held]
        return max(held) if held else None

    @property
    def first_broken(self) -> Step | None:
        """The lowest rate that broke: what limits the table."""
        broken = [s for s in self.steps if not s.held]
        return min(broken, key=lambda s: s.rate) if broken else None


# A step whose tables consumed more than this share above their provisioned figure was served from burst
# credit: DynamoDB keeps up to 300 s of unused capacity, and a rate that lives on it breaks once it is spent.
BURST_TOLERANCE = 0.01


def beyond_provisioned(result: RunResult) -> list[str]:
    """Each provisioned table whose average consumption over the step's full seconds was above its
    provisioned figure: held only on burst credit, so not a rate it can sustain."""
    rows = [row for row in result["timeseries"] if row["seconds"] >= 0.5]
    found = []
    # Tables, and a workload file's global indexes (their units kept apart, their capacity their own).
    for table in sorted({*result["tables"], *result["consumed_capacity"]}):
        info = resource_info(result, table)
        if info.get("billing_mode") != "PROVISIONED" or not rows:
            continue
        for kind in ("read", "write"):
            consumed = sum(_units(row, table, kind) for row in rows) / len(rows)
            known = [p for p in (_provisioned(row, table, kind) for row in rows) if p is not None]
            if split(table)[1] is not None and info.get(f"{kind}_capacity_units"):
                known = [int(info[f"{kind}_capacity_units"])]  # an index's figures are read at the start
            if known and consumed > min(known) * (1 + BURST_TOLERANCE):
                found.append(
                    f"{table} consumed {consumed:,.1f} {kind} units/s, above its provisioned {min(known):,} "
                    "(served from burst credit, which runs out)"
                )
    return found


def _units(row: TimeseriesRow, table: str, kind: str) -> float:
    units = row.get("units", {}).get(table)
    if units is None:
        return 0.0
    return units["read_units"] if kind == "read" else units["write_units"]


def _provisioned(row: TimeseriesRow, table: str, kind: str) -> int | None:
    figures = row.get("provisioned", {}).get(table)
    if figures is None:
        return None
    return figures["read"] if kind == "read" else figures["write"]


def judge(rate: float, result: RunResult, slas: list[Threshold]) -> Step:
    values = measured(result)
    broken = [f"{t.text} (measured {shown(values[t.metric])})" for t in slas if t.broken_by(values)]
    broken += beyond_provisioned(result)
    throttled = [f"{where} {kind} ({reason})" for where, kind, reason, _ in throttles_by_resource(result)][:3]
    return Step(rate, not broken, broken, throttled, result)


def search(
    found: Search,
    measure: Callable[[float], RunResult],
    slas: list[Threshold],
    start_rate: float,
    max_rate: float,
    precision: float,
    on_step: Callable[[Step], None] = lambda step: None,
) -> None:
    """Runs steps into `found` until the highest held rate is known to within `precision` (a share of
    it), or `max_rate` holds. `measure(rate)` runs one step; steps are kept as they finish, so after a
    KeyboardInterrupt `found` holds what was measured."""

    def step(rate: float) -> Step:
        done = judge(rate, measure(rate), slas)
        found.steps.append(done)
        on_step(done)
        return done

    rate = min(start_rate, max_rate)
    while step(rate).held:
        if rate >= max_rate:
            return
        rate = min(rate * 2, max_rate)
    held = found.max_rate
    if held is None:
        return  # the first step broke: nothing below it was tried
    broken = rate
    while (broken - held) / held > precision:
        middle = round((held + broken) / 2, 1)
        if step(middle).held:
            held = middle
        else:
            broken = middle
