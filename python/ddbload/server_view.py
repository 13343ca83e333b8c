"""DynamoDB's own view of a run (the result's `server_view`): its CloudWatch metrics for the run's window
- units consumed, throttle events by reason, ThrottledRequests and SuccessfulRequestLatency per table, index
and operation - read from CloudWatch after a run against AWS, or from ddbload's endpoint offline."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

from . import _engine
from .result import started_at
from .result_types import Operation, RunResult

READ_OPERATIONS = ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems")
WRITE_OPERATIONS = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
# Metric -> its name in server_view; each is asked per table and per global index, statistic Sum.
CAPACITY_METRICS = {
    "ConsumedReadCapacityUnits": "consumed_read_units",
    "ConsumedWriteCapacityUnits": "consumed_write_units",
    "ReadThrottleEvents": "read_throttle_events",
    "WriteThrottleEvents": "write_throttle_events",
}
REASON_METRICS = tuple(
    f"{kind}{limit}ThrottleEvents"
    for kind in ("Read", "Write")
    for limit in ("ProvisionedThroughput", "KeyRangeThroughput", "AccountLimit", "MaxOnDemandThroughput")
)
# CloudWatch keeps DynamoDB's metrics by the minute; ddbload's endpoint keeps them by the second.
AWS_PERIOD_S = 60
ENDPOINT_PERIOD_S = 1
POLL_S = 15


class _Query:
    """One GetMetricData query and where its answer goes in server_view."""

    def __init__(self, resource: str, metric: str, stat: str, operation: str | None, period: int) -> None:
        self.resource, self.metric, self.stat, self.operation = resource, metric, stat, operation
        table, _, index = resource.partition("/index/")
        dimensions = [["TableName", table]]
        if index:
            dimensions.append(["GlobalSecondaryIndexName", index])
        if operation:
            dimensions.append(["Operation", operation])
        self.request = {"metric": metric, "stat": stat, "period": period, "dimensions": dimensions}


def resources_of(data: RunResult) -> list[str]:
    """The run's tables and their global indexes (`TABLE/index/NAME`, as `consumed_capacity` names them)."""
    names = []
    for table, info in data["tables"].items():
        names.append(table)
        names.extend(f"{table}/index/{index['name']}" for index in info.get("indexes", []))
    return names


def window(data: RunResult, period: int) -> tuple[float, float]:
    """The run's load as [start, end) epoch seconds: from its start to a second after its end (answers
    still in flight), widened to whole periods for CloudWatch's minutes; by the second, ddbload's endpoint
    counts from the load's exact start."""
    start = started_at(data).timestamp()
    end = start + float(data["duration_s"]) + 1
    if period == ENDPOINT_PERIOD_S:
        return start, end
    return float(start // period * period), float(math.ceil(end / period) * period)


def _queries(resources: list[str], period: int) -> list[_Query]:
    queries = []
    for resource in resources:
        for metric in (*CAPACITY_METRICS, *REASON_METRICS):
            queries.append(_Query(resource, metric, "Sum", None, period))
        if "/index/" in resource:
            continue
        queries.append(_Query(resource, "ConditionalCheckFailedRequests", "Sum", None, period))
        for operation in (*READ_OPERATIONS, *WRITE_OPERATIONS):
            queries.append(_Query(resource, "SuccessfulRequestLatency", "Sum", operation, period))
            queries.append(_Query(resource, "SuccessfulRequestLatency", "SampleCount", operation, period))
            queries.append(_Query(resource, "SuccessfulRequestLatency", "Maximum", operation, period))
            queries.append(_Query(resource, "ThrottledRequests", "Sum", operation, period))
    return queries


def fetch(
    data: RunResult,
    *,
    region: str,
    profile: str | None = None,
    endpoint_url: str | None = None,
    wait_s: float = 0.0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """server_view for the run in `data`. Against AWS (no endpoint_url) CloudWatch publishes a minute a few
    minutes late: asks every POLL_S seconds until the run's last minute is in or `wait_s` has passed (then
    `complete` is false). Errors (no permission, an endpoint without CloudWatch) raise ddbload's errors."""
    period = ENDPOINT_PERIOD_S if endpoint_url else AWS_PERIOD_S
    start, end = window(data, period)
    # The start of the last period with load in it: once CloudWatch has it, the view is complete.
    load_end = started_at(data).timestamp() + float(data["duration_s"])
    last_loaded = (load_end - 0.5) // period * period
    queries = _queries(resources_of(data), period)
    requests = [{"id": f"q{n}", **q.request} for n, q in enumerate(queries)]
    deadline = time.monotonic() + wait_s
    while True:
        answer = json.loads(
            _engine.cloudwatch_get_metric_data(
                queries=json.dumps(requests),
                start=start,
                end=end,
                region=region,
                profile=profile,
                endpoint_url=endpoint_url,
            )
        )
        last = max((t for series in answer for t in series["timestamps"]), default=None)
        complete = endpoint_url is not None or (last is not None and last >= last_loaded)
        if complete or time.monotonic() >= deadline:
            break
        if progress is not None:
            progress("waiting for CloudWatch to publish the run's last minute (DynamoDB's metrics come late)")
        time.sleep(min(POLL_S, max(0.0, deadline - time.monotonic())))
    view = _assemble(queries, answer)
    view["latency_by_period"] = _latency_by_period(queries, answer)
    view.update(
        {
            "source": "ddbload's endpoint" if endpoint_url else "CloudWatch",
            "period_s": period,
            "window": {"start": start, "end": end},  # epoch seconds
            "complete": complete,
        }
    )
    return view


def _assemble(queries: list[_Query], answer: list[dict[str, Any]]) -> dict[str, Any]:
    resources: dict[str, dict[str, Any]] = {}
    for query, series in zip(queries, answer):
        entry = resources.setdefault(query.resource, {})
        if query.operation is None:
            _add_resource_figure(entry, query.metric, sum(series["values"]))
        elif series["values"]:
            op = entry.setdefault("operations", {}).setdefault(query.operation, {})
            _add_operation_figure(op, query, series["values"])
    for entry in resources.values():
        for op in entry.get("operations", {}).values():
            latency_sum = op.pop("_latency_sum", None)
            if latency_sum is not None and op.get("requests"):
                op["latency_ms_mean"] = latency_sum / op["requests"]
    return {"tables": resources}


def _latency_by_period(queries: list[_Query], answer: list[dict[str, Any]]) -> dict[str, list[list[float]]]:
    """Per operation kind: DynamoDB's mean latency of each period, over its tables and operations
    ([epoch second, ms] pairs, oldest first), for the report's chart beside the client's."""
    out = {}
    for kind, operations in (("reads", READ_OPERATIONS), ("writes", WRITE_OPERATIONS)):
        sums: dict[int, list[float]] = {}
        for query, series in zip(queries, answer):
            if query.metric != "SuccessfulRequestLatency" or query.operation not in operations:
                continue
            slot = 0 if query.stat == "Sum" else 1 if query.stat == "SampleCount" else None
            for t, value in zip(series["timestamps"], series["values"]):
                if slot is not None:
                    sums.setdefault(t, [0.0, 0.0])[slot] += value
        out[kind] = [[t, total / count] for t, (total, count) in sorted(sums.items()) if count]
    return out


def _add_resource_figure(entry: dict[str, Any], metric: str, total: float) -> None:
    if metric in CAPACITY_METRICS:
        entry[CAPACITY_METRICS[metric]] = total
    elif metric == "ConditionalCheckFailedRequests":
        entry["conditional_check_failed_requests"] = int(total)
    elif total:
        entry.setdefault("throttle_events_by_metric", {})[metric] = int(total)


def _add_operation_figure(op: dict[str, Any], query: _Query, values: list[float]) -> None:
    if query.metric == "ThrottledRequests":
        op["throttled_requests"] = int(sum(values))
    elif query.stat == "Sum":
        op["_latency_sum"] = sum(values)  # the mean once the count is in
    elif query.stat == "SampleCount":
        op["requests"] = int(sum(values))
    else:
        op["latency_ms_max"] = max(values)


def client_gap(data: RunResult, view: dict[str, Any]) -> list[tuple[str, float, float]]:
    """Per operation kind the run measured (reads, writes): DynamoDB's own mean latency over every table
    and operation of that kind, and the client's mean - (kind, server_ms, client_ms)."""
    gaps: list[tuple[str, float, float]] = []
    kinds: tuple[tuple[Operation, tuple[str, ...]], ...] = (("reads", READ_OPERATIONS), ("writes", WRITE_OPERATIONS))
    for kind, operations in kinds:
        total, requests = 0.0, 0
        for table in view.get("tables", {}).values():
            for name, op in table.get("operations", {}).items():
                if name in operations and op.get("requests"):
                    total += op["latency_ms_mean"] * op["requests"]
                    requests += op["requests"]
        summary = data["summary"][kind]
        client = summary["latency_ms"].get("mean")
        if requests and summary["ok"] and client is not None:
            gaps.append((kind, total / requests, float(client)))
    return gaps


def lines(data: RunResult) -> list[str]:
    """The summary's lines on server_view: DynamoDB's latency against the client's, and its units
    against the run's own count, per table and index."""
    view = data.get("server_view")
    if not view:
        return []
    source = view["source"]
    out = [
        f"DynamoDB's own view ({source}): {kind} took {server:.2f} ms on average inside DynamoDB and "
        f"{client:.2f} ms at the client; {max(client - server, 0.0):.2f} ms added by the network, TLS, "
        "retries and queueing"
        for kind, server, client in client_gap(data, view)
    ]
    differ = []
    for resource, entry in sorted(view.get("tables", {}).items()):
        own = data["consumed_capacity"].get(resource)
        for kind, ours in (("read", own["read_units"] if own else 0), ("write", own["write_units"] if own else 0)):
            theirs = float(entry.get(f"consumed_{kind}_units", 0.0))
            if abs(theirs - float(ours)) >= 1:
                differ.append(f"{resource} {kind} units {theirs:,.1f} (the run counted {ours:,.1f})")
    if differ:
        out.append("DynamoDB counted otherwise: " + "; ".join(differ))
    elif view.get("tables"):
        out.append("DynamoDB counted the run's consumed units to the unit on every table and index")
    if not view.get("complete", True):
        out.append("CloudWatch had not published the run's last minute yet: `ddbload server-view RESULT --wait 5m`")
    return out
