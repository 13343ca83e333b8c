"""`ddbload plan`'s sizing: a target peak rate turned into capacity settings per table and global index,
checked against quotas, with the `capacity set` commands that apply them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import capacity
from .resources import INDEX
from .result_types import RunResult

Pair = tuple[int, int]
Units = tuple[Decimal, Decimal]
# A new on-demand table serves this much at once; an on-demand table that reports no warm throughput
# (DynamoDB Local) is taken to have it.
ON_DEMAND_BASE = (12000, 4000)
MODES = ("keep", "on-demand", "provisioned")


class PlanError(ValueError):
    """The plan cannot be made from what it was given (one line for the user)."""


@dataclass
class Figure:
    """One table's or global index's figures: demand at the peak, what it has, what the plan sets."""

    name: str  # "TABLE" or "TABLE/index/NAME", as the result names it
    peak: Units  # read and write units per second at the peak rate
    measured: bool  # False: the workload never touched it (an index it does not use)
    setting: str  # "auto scaling minimum", "provisioned", "warm throughput"
    now: tuple[int | None, int | None]
    planned: Pair

    @property
    def changes(self) -> bool:
        return any(now is None or planned > now for now, planned in zip(self.now, self.planned))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "peak_read_units_per_s": str(self.peak[0]),
            "peak_write_units_per_s": str(self.peak[1]),
            "measured": self.measured,
            "setting": self.setting,
            "now": list(self.now),
            "planned": list(self.planned),
        }


@dataclass
class TablePlan:
    table: str
    mode_now: str
    mode: str
    figures: list[Figure]
    commands: list[list[str]] = field(default_factory=list)  # `capacity set ...` arguments, in order
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what DynamoDB would refuse or throttle anyway

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "mode_now": self.mode_now,
            "mode": self.mode,
            "figures": [f.to_json() for f in self.figures],
            "commands": self.commands,
            "notes": self.notes,
            "problems": self.problems,
        }


def units_per_operation(result: RunResult) -> dict[str, Units]:
    """Read and write units each completed operation consumed, per table and (for a workload file) per
    global index: a throttled attempt consumes nothing, so completed operations are what units pay for."""
    summary = result["summary"]
    done = summary["reads"]["ok"] + summary["writes"]["ok"]
    if done == 0:
        raise PlanError("the run completed no operation: there is no demand per operation to scale")
    return {
        name: (Decimal(str(u["read_units"])) / done, Decimal(str(u["write_units"])) / done)
        for name, u in result["consumed_capacity"].items()
    }


def _ceil(value: Decimal) -> int:
    return max(1, math.ceil(value))


def size_table(
    table: dict[str, Any],
    per_operation: dict[str, Units],
    rate: Decimal,
    mode: str,
    target: Decimal,
) -> TablePlan:
    """The settings `table` (as `capacity.describe` gives it) needs to serve `rate` operations per second."""
    name = table["name"]
    planned_mode = {"keep": table["billing_mode"], "on-demand": "PAY_PER_REQUEST", "provisioned": "PROVISIONED"}[mode]
    plan = TablePlan(name, table["billing_mode"], planned_mode, [])
    if name not in per_operation:
        plan.notes.append("the workload did not touch this table: its demand at the peak is 0")
    table_peak = _peak(per_operation.get(name), rate)
    peaks: dict[str, tuple[Units, bool]] = {name: (table_peak, True)}
    for index in table["indexes"]:
        resource = f"{name}{INDEX}{index['name']}"
        own = per_operation.get(resource)
        if own is None:
            # Not kept apart (the workshop) or not used: every table write may write the index.
            peaks[resource] = ((Decimal(0), table_peak[1]), False)
            plan.notes.append(f"index {index['name']}: not measured apart; its writes are sized as the table's")
        else:
            peaks[resource] = (_peak(own, rate), True)
    if planned_mode == "PROVISIONED":
        _size_provisioned(plan, table, peaks, target)
    else:
        _size_on_demand(plan, table, peaks)
    return plan


def _peak(per_op: Units | None, rate: Decimal) -> Units:
    return (per_op[0] * rate, per_op[1] * rate) if per_op else (Decimal(0), Decimal(0))


def _size_provisioned(
    plan: TablePlan, table: dict[str, Any], peaks: dict[str, tuple[Units, bool]], target: Decimal
) -> None:
    """Auto scaling minimums that put the peak at the target utilization (or provisioned figures where auto
    scaling cannot be read), the table's and each index's own."""
    need = {r: (_ceil(p[0] * 100 / target), _ceil(p[1] * 100 / target)) for r, (p, _) in peaks.items()}
    own_figures = {i["name"]: (i["read_capacity_units"], i["write_capacity_units"]) for i in table["indexes"]}
    figures_now = {
        r: (table["read_capacity_units"], table["write_capacity_units"])
        if INDEX not in r
        else own_figures[r.split(INDEX, 1)[1]]
        for r in peaks
    }
    switching = table["billing_mode"] != "PROVISIONED"
    scalable = bool((table.get("autoscaling") or {}).get("available"))
    name = plan.table
    if switching:
        # DynamoDB needs figures for the table and every index when it switches; then auto scaling.
        plan.commands.append(_set_command(name, ["--provisioned", *_figures("--rcu", "--wcu", need, name)]))
    if not scalable:
        planned = {r: _at_least(need[r], figures_now[r]) for r in peaks}
        plan.figures = [Figure(r, peaks[r][0], peaks[r][1], "provisioned", figures_now[r], planned[r]) for r in peaks]
        reason = (table.get("autoscaling") or {}).get("reason") or "auto scaling not read"
        plan.notes.append(f"{reason}: the plan sets provisioned figures")
        if not switching and any(f.changes for f in plan.figures):
            plan.commands.append(_set_command(name, ["--provisioned", *_figures("--rcu", "--wcu", planned, name)]))
        return
    existing = {
        (t["resource"], t["dimension"].rsplit(":", 1)[-1]): t for t in (table["autoscaling"].get("targets") or [])
    }
    minimums_now: dict[str, tuple[int | None, int | None]] = {}
    planned_min: dict[str, Pair] = {}
    short_of_max = False
    for r in peaks:
        found = [existing.get((f"table/{r}", dim)) for dim in ("ReadCapacityUnits", "WriteCapacityUnits")]
        minimums_now[r] = (found[0]["min"] if found[0] else None, found[1]["min"] if found[1] else None)
        planned_min[r] = _at_least(need[r], minimums_now[r])
        short_of_max |= any(t is None or t["max"] < low for t, low in zip(found, planned_min[r]))
    plan.figures = [
        Figure(r, peaks[r][0], peaks[r][1], "auto scaling minimum", minimums_now[r], planned_min[r]) for r in peaks
    ]
    if not any(f.changes for f in plan.figures):
        return
    flags = _figures("--autoscale-min", None, planned_min, name)
    if short_of_max:
        maxes = [t["max"] for t in existing.values()]
        highest = max(max(p) for p in planned_min.values())
        # Twice the highest minimum as headroom, within the default table quota unless a minimum needs more.
        ceiling = max([highest, min(2 * highest, capacity.DEFAULT_TABLE_QUOTA), *maxes])
        flags += ["--autoscale-max", f"{ceiling}/{ceiling}"]
        plan.notes.append(f"auto scaling maximum raised to {ceiling} where it was below the new minimum or missing")
    plan.commands.append(_set_command(name, flags))


def _size_on_demand(plan: TablePlan, table: dict[str, Any], peaks: dict[str, tuple[Units, bool]]) -> None:
    """Warm throughput for the peak (the documented way to pre-warm), and the checks on-demand needs."""
    name = plan.table
    need = {r: (_ceil(p[0]), _ceil(p[1])) for r, (p, _) in peaks.items()}
    warm_now = (table.get("warm_read_units_per_second"), table.get("warm_write_units_per_second"))
    have = (warm_now[0] or ON_DEMAND_BASE[0], warm_now[1] or ON_DEMAND_BASE[1])
    planned = _at_least(need[name], have)
    plan.figures = [Figure(name, peaks[name][0], True, "warm throughput", have, planned)]
    for index in table["indexes"]:
        r = f"{name}{INDEX}{index['name']}"
        now = (index.get("warm_read_units_per_second"), index.get("warm_write_units_per_second"))
        index_have = (now[0] or ON_DEMAND_BASE[0], now[1] or ON_DEMAND_BASE[1])
        index_planned = _at_least(need[r], index_have)
        plan.figures.append(Figure(r, peaks[r][0], peaks[r][1], "warm throughput", index_have, index_planned))
        if index_planned != index_have:
            plan.problems.append(
                f"index {index['name']} needs warm throughput {index_planned[0]}/{index_planned[1]}: raise it with "
                "UpdateTable (GlobalSecondaryIndexUpdates); `capacity set` sets only the table's"
            )
    caps = capacity.on_demand_max_of(table)
    raised = tuple(cap if cap < 0 or cap >= peak else peak for cap, peak in zip(caps, need[name]))
    switching = table["billing_mode"] != "PAY_PER_REQUEST"
    flags = ["--warm-read", str(planned[0]), "--warm-write", str(planned[1])] if planned != have else []
    if raised != caps:
        shown = ["none" if n < 0 else f"{n:,}" for n in caps]
        plan.notes.append(
            f"its on-demand maximum ({shown[0]} reads/s, {shown[1]} writes/s) is below the peak: DynamoDB would "
            "throttle above it (MaxOnDemandThroughputExceeded); the plan raises it to the peak"
        )
        flags += ["--on-demand-max", "/".join("none" if n < 0 else str(n) for n in raised)]
    if switching or flags:
        plan.commands.append(_set_command(name, (["--on-demand"] if switching else []) + flags))


def _at_least(need: Pair, now: tuple[int | None, int | None]) -> Pair:
    """The plan only raises: a figure already above the need stays."""
    return (max(need[0], now[0] or 0), max(need[1], now[1] or 0))


def _figures(read_flag: str, write_flag: str | None, figures: dict[str, Pair], table: str) -> list[str]:
    """The table's figures as flags (READ/WRITE in one flag when `write_flag` is None), and --index
    NAME=READ/WRITE for each index whose figures differ from the table's."""
    own = figures[table]
    if write_flag is None:
        flags = [read_flag, f"{own[0]}/{own[1]}"]
    else:
        flags = [read_flag, str(own[0]), write_flag, str(own[1])]
    for resource, pair in figures.items():
        if INDEX in resource and pair != own:
            flags += ["--index", f"{resource.split(INDEX, 1)[1]}={pair[0]}/{pair[1]}"]
    return flags


def _set_command(table: str, flags: list[str]) -> list[str]:
    return ["capacity", "set", *flags, "--table", table]


def check_quotas(plans: list[TablePlan], limits: dict[str, Any] | None) -> list[str]:
    """What the account's quotas (DescribeLimits; DynamoDB's defaults when they cannot be read) refuse."""
    table_max = (
        (limits or {}).get("table_max_read") or capacity.DEFAULT_TABLE_QUOTA,
        (limits or {}).get("table_max_write") or capacity.DEFAULT_TABLE_QUOTA,
    )
    problems = []
    totals = [0, 0]
    for plan in plans:
        for figure in plan.figures:
            for kind, planned, quota in zip(("read", "write"), figure.planned, table_max):
                if planned > quota:
                    problems.append(
                        f"{figure.name}: {figure.setting} {planned:,} {kind} units is above the per-table quota of "
                        f"{quota:,}: DynamoDB refuses it unless the quota is raised (Service Quotas) before the event"
                    )
            if plan.mode == "PROVISIONED":
                totals = [totals[0] + figure.planned[0], totals[1] + figure.planned[1]]
    account = ((limits or {}).get("account_max_read"), (limits or {}).get("account_max_write"))
    for kind, total, quota in zip(("read", "write"), totals, account):
        if quota and total > quota:
            problems.append(
                f"the planned provisioned tables and indexes add up to {total:,} {kind} units, above the account's "
                f"quota of {quota:,} in this region (other tables count too): raise it before the event"
            )
    return problems
