"""The final summary: throughput, latency percentiles, throttles, errors and consumed capacity."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from .result import Result


def print_summary(result: Result, console: Console) -> None:
    data = result.data
    status = "[yellow]interrupted[/]" if data["interrupted"] else "completed"
    cfg = data["config"]
    console.print(
        f"\nRun [bold]{data['run_id']}[/] {status}: {data['duration_s']:.1f}s, {cfg['threads']} workers, "
        f"region {cfg['region']}{', endpoint ' + cfg['endpoint_url'] if cfg['endpoint_url'] else ''}",
        highlight=False,
    )
    console.print(operations_table(data["summary"]))
    console.print(capacity_table(data))
    errors = error_rows(data["summary"])
    if errors:
        table = Table(title="Errors by code")
        table.add_column("operation")
        table.add_column("code")
        table.add_column("count", justify="right")
        for row in errors:
            table.add_row(*row)
        console.print(table)
    summary = data["summary"]
    attempts = sum(summary[op].get("attempts", 0) for op in ("reads", "writes"))
    console.print(
        f"Throttle rate: {summary['throttle_rate']:.2%} of {attempts:,} attempts (retries included)", highlight=False
    )
    gave_up = sum(summary[op].get("gave_up", 0) for op in ("reads", "writes"))
    if gave_up:
        tries = cfg.get("max_attempts", "all")
        console.print(f"Gave up after {tries} attempts: {gave_up:,} operations (in the errors above)", highlight=False)
    if summary.get("model") == "open":
        lag = summary.get("scheduling_lag_ms") or {}
        console.print(
            f"Open model: {summary.get('offered', 0):,} arrivals offered, {summary.get('dropped', 0):,} dropped; "
            f"latency counts from each arrival's intended start (service p99 "
            f"{max(summary[op]['service_ms']['p99'] for op in ('reads', 'writes')):.2f} ms); "
            f"scheduling lag p99 {lag.get('p99', 0.0):.2f} ms",
            highlight=False,
        )
    cut = sum(summary[op].get("cut_at_deadline", 0) for op in ("reads", "writes"))
    if cut:
        console.print(f"Cut at the deadline: {cut:,} operations still in flight (not errors)", highlight=False)
    reasons = throttle_reasons(data["summary"])
    if reasons:
        console.print("Throttled by: " + ", ".join(f"{reason} {n:,}" for reason, n in reasons), highlight=False)


def throttle_reasons(summary: dict[str, Any]) -> list[tuple[str, int]]:
    """DynamoDB's throttling reasons over both operations, most frequent first."""
    counts: dict[str, int] = {}
    for op in ("reads", "writes"):
        for reason, n in summary[op].get("throttled_by_reason", {}).items():
            counts[reason] = counts.get(reason, 0) + n
    return sorted(counts.items(), key=lambda item: -item[1])


def operations_table(summary: dict[str, Any]) -> Table:
    table = Table(title="Operations")
    for name in (
        "",
        "ok",
        "per s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms",
        "throttled",
        "errors",
    ):
        table.add_column(name, justify="left" if not name else "right")
    for label, key in (("reads", "reads"), ("writes", "writes")):
        op = summary[key]
        lat = op["latency_ms"]
        errors = sum(op["errors"].values()) + op["conditional_check_failed"]
        table.add_row(
            label,
            f"{op['ok']:,}",
            f"{op['per_second']:,.1f}",
            *(f"{lat[k]:.2f}" for k in ("p50", "p90", "p99", "p999", "max")),
            f"{op['throttled_attempts']:,}",
            f"{errors:,}",
        )
    return table


def capacity_table(data: dict[str, Any]) -> Table:
    table = Table(title="Consumed capacity")
    for name in ("table", "mode", "read units", "write units", "RCU/s", "WCU/s", "provisioned RCU/WCU"):
        table.add_column(name, justify="left" if name in ("table", "mode") else "right")
    duration = data["duration_s"] or 1.0
    for name, units in data["consumed_capacity"].items():
        info = data["tables"].get(name, {})
        rcu, wcu = info.get("read_capacity_units"), info.get("write_capacity_units")
        table.add_row(
            name,
            info.get("billing_mode", "?"),
            f"{units['read_units']:,.1f}",
            f"{units['write_units']:,.1f}",
            f"{units['read_units'] / duration:,.1f}",
            f"{units['write_units'] / duration:,.1f}",
            f"{rcu}/{wcu}" if rcu is not None or wcu is not None else "-",
        )
    return table


def error_rows(summary: dict[str, Any]) -> list[tuple[str, str, str]]:
    rows = []
    for key in ("reads", "writes"):
        op = summary[key]
        if op["conditional_check_failed"]:
            rows.append((key, "ConditionalCheckFailed (order key existed)", f"{op['conditional_check_failed']:,}"))
        rows.extend((key, code, f"{n:,}") for code, n in sorted(op["errors"].items()))
    return rows
