"""Flat, named figures of a result (the vocabulary of --fail-if, compare and advise). Latency over both
operations comes from the merged histograms, never from averaging percentiles."""

from __future__ import annotations

from . import _engine
from .resources import figure_prefix
from .result_types import LatencyFigures, Quantile, RunResult

QUANTILES: dict[Quantile, float] = {"p50": 0.5, "p90": 0.9, "p99": 0.99, "p999": 0.999, "max": 1.0}

DESCRIPTIONS = {
    "reads_per_s": "successful product reads per second",
    "writes_per_s": "successful order writes per second",
    "ops_per_s": "reads and writes per second",
    "throttle_rate": "throttled attempts / all attempts (0-1)",
    "error_rate": "failed operations / all operations (0-1)",
    "errors": "failed operations",
    "throttled": "throttled attempts",
    "attempts": "requests sent, retries included",
    "gave_up": "operations that failed after their last attempt (counted in errors)",
    "cut_at_deadline": "operations sent and unanswered after the grace past the deadline (may have been written)",
    "timed_out": "operations that did not finish by the end of the run (latency counted up to the end)",
    "offered": "open model: arrivals the schedule offered",
    "dropped": "open model: arrivals dropped because even the wait queue was full",
    **{f"service_{q}_ms": f"{q} service time (from the actual send) of all operations, ms" for q in QUANTILES},
    **{f"lag_{q}_ms": f"open model: {q} scheduling lag (send - intended start, slot free), ms" for q in QUANTILES},
    "read_units_per_s": "average consumed read units per second",
    "write_units_per_s": "average consumed write units per second",
    "peak_read_units_per_s": "highest consumed read units in one second",
    "peak_write_units_per_s": "highest consumed write units in one second",
    **{f"{q}_ms": f"{q} latency of all operations, ms" for q in QUANTILES},
    **{f"read_{q}_ms": f"{q} read latency, ms" for q in QUANTILES},
    **{f"write_{q}_ms": f"{q} write latency, ms" for q in QUANTILES},
}


# Per named operation: `op.NAME.<figure>` (e.g. op.place_order.p99_ms).
OPERATION_DESCRIPTIONS = {
    "ok": "successful operations",
    "per_s": "successful operations per second",
    "attempts": "requests sent, retries included",
    "throttled": "throttled attempts",
    "throttle_rate": "throttled attempts / attempts (0-1)",
    "conditional_check_failed": "operations whose condition failed",
    "errors": "failed operations (conditional failures not included)",
    "gave_up": "operations that failed after their last attempt",
    "timed_out": "operations that did not finish by the end of the run",
    **{f"{q}_ms": f"{q} latency, ms" for q in QUANTILES},
}


def operation_figures(result: RunResult) -> dict[str, float]:
    """`op.NAME.FIGURE` for every named operation of the result."""
    out: dict[str, float] = {}
    for name, op in result.get("operations", {}).items():
        attempts = op.get("attempts", 0)
        values: dict[str, float] = {
            "ok": op["ok"],
            "per_s": op["per_second"],
            "attempts": attempts,
            "throttled": op["throttled_attempts"],
            "throttle_rate": op["throttled_attempts"] / attempts if attempts else 0.0,
            "conditional_check_failed": op["conditional_check_failed"],
            "errors": sum(op["errors"].values()),
            "gave_up": op.get("gave_up", 0),
            "timed_out": op.get("timed_out", 0),
            **{f"{q}_ms": op["latency_ms"][q] for q in QUANTILES},
        }
        out.update({f"op.{name}.{figure}": value for figure, value in values.items()})
    return out


# Per table `table.TABLE.<figure>`, and per global index `table.TABLE.INDEX.<figure>` (a workload file's
# indexes have their units kept apart; otherwise an index has `throttled` only). Throttles count where
# DynamoDB named the table or index it throttled for (DynamoDB Local names none: there they stay 0).
TABLE_DESCRIPTIONS = {
    "throttled": "throttled attempts DynamoDB attributed to the table (or to the index)",
    "read_units": "consumed read units",
    "write_units": "consumed write units",
    "read_units_per_s": "average consumed read units per second",
    "write_units_per_s": "average consumed write units per second",
    "peak_read_units_per_s": "highest consumed read units in one second",
    "peak_write_units_per_s": "highest consumed write units in one second",
}


def own_peaks(result: RunResult, name: str) -> tuple[float, float] | None:
    """A table's (or index's) own busiest second of read and of write units - tables of one run may peak
    at different moments, as a sale shifting from browsing to buying - or None when the rows lack
    per-table units (results before ddbload 0.2)."""
    full = [row for row in result["timeseries"] if row["seconds"] >= 1.0] or result["timeseries"]
    seconds = [row["units"][name] for row in full if name in row.get("units", {})]
    if not seconds:
        return None
    return max(s["read_units"] for s in seconds), max(s["write_units"] for s in seconds)


def table_figures(result: RunResult) -> dict[str, float]:
    """`table.TABLE.FIGURE` for every table of the result, `table.TABLE.INDEX.FIGURE` for every index
    whose units it kept, and `table.TABLE.INDEX.throttled` for every index it describes."""
    out: dict[str, float] = {}
    duration = result["duration_s"] or 1.0
    for table, info in result["tables"].items():
        out[f"table.{table}.throttled"] = 0.0
        for index in info["indexes"]:
            out[f"table.{table}.{index['name']}.throttled"] = 0.0
    for name, consumed in result["consumed_capacity"].items():
        prefix = figure_prefix(name)
        out.setdefault(f"{prefix}.throttled", 0.0)
        peaks = own_peaks(result, name) or (0.0, 0.0)
        for (kind, key), peak in zip((("read", "read_units"), ("write", "write_units")), peaks):
            total = consumed[key]  # type: ignore[literal-required]
            out[f"{prefix}.{key}"] = total
            out[f"{prefix}.{kind}_units_per_s"] = total / duration
            out[f"{prefix}.peak_{kind}_units_per_s"] = peak
    for op in result.get("operations", {}).values():
        for resource, reasons in op.get("throttled_by_resource", {}).items():
            key = figure_prefix(resource) + ".throttled"
            out[key] = out.get(key, 0.0) + sum(reasons.values())
    return out


def offered_per_s(result: RunResult) -> float:
    """An open-model run's offered arrivals per second of the run (0 for a closed loop)."""
    return result["summary"].get("offered", 0) / result["duration_s"] if result["duration_s"] else 0.0


def figures(result: RunResult) -> dict[str, float]:
    summary = result["summary"]
    reads, writes = summary["reads"], summary["writes"]
    duration = result["duration_s"] or 1.0
    out: dict[str, float] = {
        "reads_per_s": reads["per_second"],
        "writes_per_s": writes["per_second"],
        "ops_per_s": reads["per_second"] + writes["per_second"],
        "throttle_rate": summary["throttle_rate"],
        "throttled": reads["throttled_attempts"] + writes["throttled_attempts"],
        # Results written before ddbload 0.2 lack these three.
        "attempts": reads.get("attempts", 0) + writes.get("attempts", 0),
        "gave_up": reads.get("gave_up", 0) + writes.get("gave_up", 0),
        "cut_at_deadline": reads.get("cut_at_deadline", 0) + writes.get("cut_at_deadline", 0),
        "timed_out": reads.get("timed_out", 0) + writes.get("timed_out", 0),
    }
    failed = sum(op["conditional_check_failed"] + sum(op["errors"].values()) for op in (reads, writes))
    operations = failed + reads["ok"] + writes["ok"]
    out["errors"] = failed
    out["error_rate"] = failed / operations if operations else 0.0
    units = result["consumed_capacity"].values()
    out["read_units_per_s"] = sum(u["read_units"] for u in units) / duration
    out["write_units_per_s"] = sum(u["write_units"] for u in units) / duration
    full = [row for row in result["timeseries"] if row["seconds"] >= 1.0] or result["timeseries"]
    out["peak_read_units_per_s"] = max((row["read_units"] for row in full), default=0.0)
    out["peak_write_units_per_s"] = max((row["write_units"] for row in full), default=0.0)
    for prefix, op in (("read_", reads), ("write_", writes)):
        for name in QUANTILES:
            out[f"{prefix}{name}_ms"] = op["latency_ms"][name]
    hist = result["histograms"]
    _, combined = _engine.histogram_quantiles(
        _engine.merge_histograms([hist["reads"], hist["writes"]]), list(QUANTILES.values())
    )
    out.update({f"{name}_ms": value for name, value in zip(QUANTILES, combined)})
    # Results before ddbload 0.2 have no service histograms: their latency was measured from the send.
    service = [hist.get("service_reads", hist["reads"]), hist.get("service_writes", hist["writes"])]
    _, served = _engine.histogram_quantiles(_engine.merge_histograms(service), list(QUANTILES.values()))
    out.update({f"service_{name}_ms": value for name, value in zip(QUANTILES, served)})
    lag: LatencyFigures | dict[str, float] = summary.get("scheduling_lag_ms") or {}
    out.update({f"lag_{name}_ms": lag.get(name, 0.0) for name in QUANTILES})
    out["offered"] = summary.get("offered", 0)
    out["dropped"] = summary.get("dropped", 0)
    return out
