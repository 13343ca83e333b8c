"""The final summary: throughput, latency percentiles, throttles, errors and consumed capacity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from .resources import resource_info
from .result import Result
from .result_types import LatencyFigures, Operation, OpSummary, Role, RunResult, Summary, Verdict
from .server_view import lines as server_view_lines

# Per operation: the role of the table it loads, its capacity unit, and its figures' key prefix.
THROTTLED_SIDES: tuple[tuple[Operation, Role, str, str], ...] = (
    ("reads", "products", "RCU", "read"),
    ("writes", "orders", "WCU", "write"),
)


def print_summary(result: Result, console: Console, result_path: Path | None = None) -> None:
    """Fits 80 columns: numbers are never cut (a narrow terminal wraps names and sentences instead).
    `result_path` is where the result JSON was written, named in the next-step command."""
    data = result.data
    status = "[yellow]interrupted[/]" if data["interrupted"] else "completed"
    cfg = data["config"]
    console.print(
        f"\nRun [bold]{data['run_id']}[/] {status}: {data['duration_s']:.1f}s, {load_shape(data)}, "
        f"region {cfg['region']}{', endpoint ' + cfg['endpoint_url'] if cfg['endpoint_url'] else ''}"
        f"{on_ray(data)}",
        highlight=False,
    )
    # A workload file may have no reads (or no writes): its empty kind gets no row.
    every: tuple[Operation, ...] = ("reads", "writes")
    kinds = [k for k in every if "workload" not in cfg or data["summary"][k].get("attempts", 1)]
    console.print(operations_table(data["summary"], kinds))
    console.print(latency_table(data["summary"], kinds))
    if "workload" in cfg and data.get("operations"):
        console.print(named_operations_table(data["operations"]))
    console.print(capacity_table(data))
    errors = named_error_rows(data.get("operations", {})) if "workload" in cfg else error_rows(data["summary"])
    if errors:
        console.print(number_table("Errors by code", ["operation", "code", "count"], errors, text_columns=2))
    summary = data["summary"]
    attempts = sum(summary[op].get("attempts", 0) for op in ("reads", "writes"))
    console.print(
        f"Throttle rate: {summary['throttle_rate']:.2%} of {attempts:,} attempts (retries included)", highlight=False
    )
    gave_up = sum(summary[op].get("gave_up", 0) for op in ("reads", "writes"))
    if gave_up:
        tries = cfg.get("max_attempts", "all")
        console.print(
            f"Gave up after {tries} attempts: {gave_up:,} operations (they are the errors above)", highlight=False
        )
    for line in throttle_explanation(data, result_path):
        console.print(line, highlight=False)
    for line in server_view_lines(data):
        console.print(line, highlight=False)
    if summary.get("model") == "open":
        lag: LatencyFigures | dict[str, float] = summary.get("scheduling_lag_ms") or {}
        console.print(
            f"Open model: {summary.get('offered', 0):,} arrivals offered, {summary.get('dropped', 0):,} dropped; "
            f"latency counts from each arrival's intended start (service p99 "
            f"{max(summary[op]['service_ms']['p99'] for op in ('reads', 'writes')):.2f} ms); "
            f"scheduling lag p99 {lag.get('p99', 0.0):.2f} ms",
            highlight=False,
        )
    timed_out = sum(summary[op].get("timed_out", 0) for op in ("reads", "writes"))
    cut = sum(summary[op].get("cut_at_deadline", 0) for op in ("reads", "writes"))
    if timed_out:
        written = summary["writes"].get("cut_at_deadline", 0)
        console.print(
            f"Timed out: {timed_out:,} operations unanswered by the end of the run ({cut:,} of them sent and cut "
            f"after the grace; up to {written:,} of those writes may have been written); their wait counts in "
            "latency up to the end, so the percentiles above are lower bounds",
            highlight=False,
        )
    reasons = throttle_reasons(data["summary"])
    if reasons:
        console.print("Throttled by: " + ", ".join(f"{reason} {n:,}" for reason, n in reasons), highlight=False)
    for line in replay_lines(data):
        console.print(line, highlight=False)
    print_verdict(result.verdict, console)


def replay_lines(data: RunResult) -> list[str]:
    """What a replay sent against what its trace held, and the reads that found no item."""
    replay: dict[str, Any] | None = data.get("replay")
    if not replay:
        return []
    summary = data["summary"]
    offered = summary.get("offered", 0)
    lines = [
        f"Replay: {offered:,} calls sent of the trace's {replay['calls']:,} ({replay['span_s']:,} s) at "
        f"{replay['speed']}x" + (", looped" if replay["loop"] else "")
    ]
    not_found = summary["reads"].get("not_found", 0)
    if not_found:
        lines.append(
            f"Not found: {not_found:,} of {summary['reads']['ok']:,} reads found no item under their key: the "
            "rehearsal tables lack the trace's items, so those reads cost less than production's"
        )
    return lines


def on_ray(data: RunResult) -> str:
    """Where a distributed run ran: its tasks and nodes, and any lost."""
    spread = data.get("distributed")
    if not spread:
        return ""
    lost = f", {spread['lost']} lost" if spread["lost"] else ""
    return f", on Ray: {spread['tasks']} tasks on {spread['nodes']} nodes{lost}"


def load_shape(data: RunResult) -> str:
    """Workers for a closed loop; for an open model, the arrivals' bound (it has no workers)."""
    cfg = data["config"]
    if data["summary"].get("model") == "open":
        bound = cfg.get("max_in_flight")
        return f"open model, at most {bound:,} in flight" if isinstance(bound, int) else "open model"
    return f"{cfg['threads']} workers"


VERDICT_STYLE = {"held": "green", "client_limited": "yellow", "interrupted": "yellow"}


def print_verdict(verdict: Verdict, console: Console) -> None:
    """The verdict last, where the eye lands: the outcome, then each reason on its own line."""
    style = VERDICT_STYLE.get(verdict["outcome"], "red")
    console.print(f"\n[bold {style}]Verdict: {verdict['outcome']}[/]", highlight=False)
    for reason in verdict["reasons"]:
        console.print(f"  - {reason}", highlight=False)


def throttle_explanation(data: RunResult, result_path: Path | None = None) -> list[str]:
    """Per throttled table, the arithmetic of its capacity against what the run consumed; then the
    command that says what to change, with the result file's real path."""
    duration = data["duration_s"] or 1.0
    per_rcu = 1 if data["config"].get("consistent_reads") else 2
    lines = []
    for name, key, throttled, reasons in throttled_tables(data):
        # Keys named at run time ("read_units", "read_capacity_units"): read as plain mappings.
        info: Mapping[str, Any] = data["tables"].get(name, {})
        used: Mapping[str, Any] = data["consumed_capacity"].get(name, {})
        consumed = used.get(f"{key}_units", 0.0) / duration
        unit = "RCU" if key == "read" else "WCU"
        if info.get("billing_mode") == "PROVISIONED":
            units = info.get(f"{key}_capacity_units") or 0
            if key == "read":
                kind = "eventually" if per_rcu == 2 else "strongly"
                what = f"{units} RCU = {units * per_rcu:,} {kind} consistent reads/s of items up to 4 KB"
            else:
                what = f"{units} WCU = {units:,} writes/s of items up to 1 KB"
            lines.append(
                f"{name}: provisioned {what}; the run consumed {consumed:,.1f} {unit}/s and "
                f"{throttled:,} {key} attempts were throttled (unused capacity of the last 5 minutes can "
                "burst above that for a while)."
            )
        else:
            because = ", ".join(f"{r} {n:,}" for r, n in sorted(reasons.items()))
            lines.append(
                f"{name}: on-demand; the run consumed {consumed:,.1f} {unit}/s and {throttled:,} {key} attempts "
                f"were throttled ({because or 'no reason given'}): a key range's limit (3,000 RCU / 1,000 WCU "
                "a second) or more than twice the table's previous peak."
            )
    if lines:
        lines.append(next_step(result_path))
    return lines


# A workload file's operation kinds (schema/workload.schema.json).
KINDS = ("get", "put", "update", "delete", "query", "scan", "batch_get", "batch_write", "transact", "transact_get")
READ_KINDS = ("get", "query", "scan", "batch_get", "transact_get")


def throttled_tables(data: RunResult) -> list[tuple[str, str, int, dict[str, int]]]:
    """(table, "read" or "write", throttled attempts, by reason) for each table and kind that throttled:
    the workshop's reads on products and writes on orders, or a workload file's operations by the
    table they act on."""
    summary, tables = data["summary"], data["tables"]
    workload = data["config"].get("workload")
    if not workload:
        by_role = {info.get("role"): name for name, info in tables.items()}
        found = []
        for op, role, _, key in THROTTLED_SIDES:
            name = by_role.get(role)
            if summary[op]["throttled_attempts"] and name is not None:
                found.append((name, key, summary[op]["throttled_attempts"], dict(summary[op]["throttled_by_reason"])))
        return found
    table_names = {alias: spec.get("table", alias) for alias, spec in workload["tables"].items()}
    totals: dict[tuple[str, str], tuple[int, dict[str, int]]] = {}
    for op in workload["operations"]:
        kind = next(k for k in KINDS if k in op)
        figures = data.get("operations", {}).get(op["name"])
        if not figures or not figures["throttled_attempts"]:
            continue
        # A transaction's throttles go to its first action's table (the engine names each one's own in
        # throttled_by_resource where DynamoDB said which action it was).
        body = op[kind][0][next(iter(op[kind][0]))] if kind.startswith("transact") else op[kind]
        slot = (table_names[body["table"]], "read" if kind in READ_KINDS else "write")
        count, reasons = totals.get(slot, (0, {}))
        for reason, n in figures["throttled_by_reason"].items():
            reasons[reason] = reasons.get(reason, 0) + n
        totals[slot] = (count + figures["throttled_attempts"], reasons)
    return [(name, key, count, reasons) for (name, key), (count, reasons) in totals.items()]


def next_step(result_path: Path | None) -> str:
    if result_path is None:
        return "What to change before the event: run again with --output FILE, then ddbload advise FILE"
    return f"What to change before the event: ddbload advise {result_path}"


def throttle_reasons(summary: Summary) -> list[tuple[str, int]]:
    """DynamoDB's throttling reasons over both operations, most frequent first."""
    counts: dict[str, int] = {}
    for op in ("reads", "writes"):
        for reason, n in summary[op].get("throttled_by_reason", {}).items():
            counts[reason] = counts.get(reason, 0) + n
    return sorted(counts.items(), key=lambda item: -item[1])


def number_table(title: str, headers: list[str], rows: Sequence[tuple[str, ...]], text_columns: int = 1) -> Table:
    """A table whose figures keep their full width (a narrow console wraps the text columns instead)."""
    table = Table(title=title)
    for i, name in enumerate(headers):
        if i < text_columns:
            table.add_column(name, overflow="fold")
        else:
            width = max([len(name), *(len(row[i]) for row in rows)])
            table.add_column(name, justify="right", no_wrap=True, min_width=width)
    for row in rows:
        table.add_row(*row)
    return table


def operations_table(summary: Summary, kinds: Sequence[Operation] = ("reads", "writes")) -> Table:
    rows = []
    for key in kinds:
        op = summary[key]
        errors = sum(op["errors"].values()) + op["conditional_check_failed"]
        rows.append((key, f"{op['ok']:,}", f"{op['per_second']:,.1f}", f"{op['throttled_attempts']:,}", f"{errors:,}"))
    return number_table("Operations", ["", "ok", "per s", "throttled", "errors"], rows)


def named_operations_table(operations: Mapping[str, OpSummary]) -> Table:
    """A workload file's operations, each on its own row: throughput, throttles, failures, latency."""
    rows = []
    for name, op in operations.items():
        failed = sum(op["errors"].values())
        lat = op["latency_ms"]
        rows.append(
            (
                name,
                f"{op['ok']:,}",
                f"{op['per_second']:,.1f}",
                f"{op['throttled_attempts']:,}",
                f"{op['conditional_check_failed']:,}",
                f"{failed:,}",
                f"{lat['p50']:,.2f}",
                f"{lat['p99']:,.2f}",
            )
        )
    headers = ["operation", "ok", "per s", "throttled", "cond. failed", "errors", "p50 ms", "p99 ms"]
    return number_table("Per operation", headers, rows)


def latency_table(summary: Summary, kinds: Sequence[Operation] = ("reads", "writes")) -> Table:
    rows = []
    for key in kinds:
        lat = summary[key]["latency_ms"]
        rows.append((key, *(f"{lat[k]:,.2f}" for k in ("p50", "p90", "p99", "p999", "max", "mean"))))
    return number_table("Latency, ms (successful operations)", ["", "p50", "p90", "p99", "p99.9", "max", "mean"], rows)


def capacity_table(data: RunResult) -> Table:
    duration = data["duration_s"] or 1.0
    rows = []
    for name, units in data["consumed_capacity"].items():
        info: Mapping[str, Any] = resource_info(data, name)  # {}: a table the result does not describe
        rows.append(
            (
                name,
                mode_text(info),
                f"{units['read_units']:,.1f}",
                f"{units['write_units']:,.1f}",
                f"{units['read_units'] / duration:,.1f}",
                f"{units['write_units'] / duration:,.1f}",
            )
        )
    headers = ["table", "mode", "read units", "write units", "RCU/s", "WCU/s"]
    return number_table("Consumed capacity", headers, rows, text_columns=2)


def mode_text(info: Mapping[str, Any]) -> str:
    """ "on-demand", or "provisioned 2/2" (RCU/WCU) as the run found the table (`info`: its TableInfo, or {})."""
    if info.get("billing_mode") == "PROVISIONED":
        return f"provisioned {info.get('read_capacity_units')}/{info.get('write_capacity_units')}"
    return "on-demand" if info.get("billing_mode") == "PAY_PER_REQUEST" else str(info.get("billing_mode", "?"))


def named_error_rows(operations: Mapping[str, OpSummary]) -> list[tuple[str, str, str]]:
    """A workload file's failures by operation and code (a failed condition is the file's own check)."""
    rows = []
    for name, op in operations.items():
        if op["conditional_check_failed"]:
            rows.append((name, "ConditionalCheckFailed", f"{op['conditional_check_failed']:,}"))
        rows.extend((name, code, f"{n:,}") for code, n in sorted(op["errors"].items()))
    return rows


def error_rows(summary: Summary) -> list[tuple[str, str, str]]:
    rows = []
    for key in ("reads", "writes"):
        op = summary[key]
        if op["conditional_check_failed"]:
            rows.append((key, "ConditionalCheckFailed (order key existed)", f"{op['conditional_check_failed']:,}"))
        rows.extend((key, code, f"{n:,}") for code, n in sorted(op["errors"].items()))
    return rows
