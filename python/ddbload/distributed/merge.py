"""Merges a distributed run's task results into one ddbload result: counts and units added exactly,
seconds aligned by index, every percentile read from merged histograms (never averaged)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, cast

from .. import _engine
from ..result_types import KeyCount, RunConfig, RunResult, TaskPart, TimeseriesRow

OPS: Final = ("reads", "writes")
LATENCY: Final = ("p50", "p90", "p99", "p999", "max", "mean")
COUNTS: Final = (
    "ok", "attempts", "throttled_attempts", "conditional_check_failed", "gave_up", "cut_at_deadline", "timed_out",
)  # fmt: skip
ROW_COUNTS = ("attempts", "reads_ok", "writes_ok", "throttled", "errors", "offered", "dropped")
HISTOGRAMS: Final = ("reads", "writes", "service_reads", "service_writes", "scheduling_lag")


@dataclass
class Part:
    """One task: where it ran and what it reported. `result` is None for a task that was lost."""

    task: int
    node: str
    threads: int
    rate: float | None
    result: RunResult | None = None
    # Second index -> that second's encoded latency histograms ("all", "reads", "writes"), from the
    # task's live ticks.
    seconds: dict[int, dict[str, str]] = field(default_factory=dict)
    error: str | None = None


def merge(parts: list[Part], config: RunConfig, *, interrupted: bool = False) -> RunResult:
    """One result from the parts that finished; the lost ones are listed in `parts` with their error."""
    done = [p for p in parts if p.result is not None]
    if not done:
        raise ValueError("no task of the distributed run returned a result")
    results = [p.result for p in done if p.result is not None]
    first = results[0]
    duration_s = max(r["duration_s"] for r in results)
    histograms: dict[str, Any] = {
        "encoding": first["histograms"]["encoding"],
        "unit": first["histograms"]["unit"],
        **{
            name: _engine.merge_histograms([r["histograms"][name] for r in results])
            for name in HISTOGRAMS
            if all(name in r["histograms"] for r in results)
        },
    }
    operations = _operations(results, duration_s)
    if operations is not None:
        histograms["operations"] = operations[1]
    # Built key by key (summary, rows and histograms from lists of names): a plain dict until here.
    merged: dict[str, Any] = {
        "schema_version": first["schema_version"],
        "tool": first["tool"],
        "run_id": first["run_id"],
        "started_at": min(r["started_at"] for r in results),
        "duration_s": duration_s,
        "interrupted": interrupted or any(r["interrupted"] for r in results),
        "config": config,
        "tables": first["tables"],
        # Every task draws from the same catalog with the same distribution.
        "hot_keys": first.get("hot_keys", []),
        "summary": _summary(results, histograms, duration_s),
        **({"operations": operations[0]} if operations is not None else {}),
        "consumed_capacity": _capacity(results),
        "timeseries": _timeseries(done),
        "histograms": histograms,
        "parts": [_part(p) for p in parts],
    }
    if all("request_ids" in r for r in results):
        merged["request_ids"] = _request_ids(results, config.get("keep_request_ids", 20))
    if all("keys" in r for r in results):
        merged["keys"] = _keys(results)
    return cast("RunResult", merged)


def _request_ids(results: list[RunResult], keep: int) -> dict[str, Any]:
    """The tasks' kept calls: the `keep` slowest of them all, and the first `keep` throttled per reason."""
    slowest = sorted((c for r in results for c in r["request_ids"]["slowest"]), key=lambda c: -c["ms"])[:keep]
    throttled: dict[str, list[Any]] = defaultdict(list)
    for r in results:
        for reason, calls in r["request_ids"]["throttled"].items():
            throttled[reason].extend(calls)
    return {
        "slowest": slowest,
        "throttled": {reason: sorted(calls, key=lambda c: c["at"])[:keep] for reason, calls in throttled.items()},
    }


def _keys(results: list[RunResult]) -> dict[str, Any]:
    """The tasks' busiest keys added up per table and index (each task's counts are already upper
    bounds; a key one task did not list adds nothing from it), the busiest listed again."""
    merged: dict[str, Any] = {}
    for name in sorted({name for r in results for name in r["keys"]}):
        parts = [r["keys"][name] for r in results if name in r["keys"]]
        total = sum(p["attempts_total"] for p in parts)
        listed = len(parts[0]["attempts"]) if parts[0]["attempts"] else len(parts[0]["throttles"])
        merged[name] = {
            "attempts_total": total,
            "attempts": _added([p["attempts"] for p in parts], total, listed),
            "throttles": _added([p["throttles"] for p in parts], None, listed),
        }
    return merged


def _added(lists: list[list[KeyCount]], total: int | None, listed: int) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0, 0])
    for entries in lists:
        for e in entries:
            pair = counts[(e["key"], e.get("reason"))]
            pair[0] += e["count"]
            pair[1] += e["error"]
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0][0]))[: max(listed, 1)]
    denominator = total if total is not None else sum(c for c, _ in counts.values())
    return [
        {"key": key, "count": count, "error": error, "share": count / denominator if denominator else 0.0,
         **({"reason": reason} if reason is not None else {})}
        for (key, reason), (count, error) in ranked
    ]  # fmt: skip


def _summary(results: list[RunResult], histograms: dict[str, Any], duration_s: float) -> dict[str, Any]:
    summary: dict[str, Any] = {"model": results[0]["summary"]["model"]}
    for op in OPS:
        ops = [r["summary"][op] for r in results]
        summary[op] = _merged_op(ops, histograms[op], histograms[f"service_{op}"], duration_s)
    for name in ("offered", "dropped"):
        if all(name in r["summary"] for r in results):
            summary[name] = sum(r["summary"][name] for r in results)
    if "scheduling_lag" in histograms:
        summary["scheduling_lag_ms"] = _latency(histograms["scheduling_lag"])
    attempts = sum(summary[op]["attempts"] for op in OPS)
    throttled = sum(summary[op]["throttled_attempts"] for op in OPS)
    summary["throttle_rate"] = throttled / attempts if attempts else 0.0
    return summary


def _merged_op(ops: Sequence[Mapping[str, Any]], latency: str, service: str, duration_s: float) -> dict[str, Any]:
    """One kind's (or one named operation's) figures from every task: counts added, percentiles read
    from the merged `latency` and `service` histograms."""
    merged: dict[str, Any] = {name: sum(o[name] for o in ops) for name in COUNTS}
    if any(o.get("not_found") for o in ops):  # in a result only when some read found nothing
        merged["not_found"] = sum(o.get("not_found", 0) for o in ops)
    merged["throttled_by_reason"] = _add_maps(o["throttled_by_reason"] for o in ops)
    merged["throttled_by_resource"] = _add_nested_maps(o.get("throttled_by_resource", {}) for o in ops)
    merged["errors"] = _add_maps(o["errors"] for o in ops)
    merged["latency_ms"] = _latency(latency)
    merged["service_ms"] = _latency(service)
    merged["per_second"] = round(merged["ok"] / duration_s, 1) if duration_s > 0 else 0.0
    return merged


def _operations(results: list[RunResult], duration_s: float) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The named operations merged, and their merged histograms (None: a task's result has none)."""
    if not all("operations" in r and "operations" in r["histograms"] for r in results):
        return None
    summaries: dict[str, Any] = {}
    histograms: dict[str, Any] = {}
    for name in results[0]["operations"]:
        encoded = [r["histograms"]["operations"][name] for r in results]
        latency = _engine.merge_histograms([e["latency"] for e in encoded])
        service = _engine.merge_histograms([e["service"] for e in encoded])
        histograms[name] = {"latency": latency, "service": service}
        summaries[name] = _merged_op([r["operations"][name] for r in results], latency, service, duration_s)
    return summaries, histograms


def _latency(encoded: str) -> dict[str, float]:
    """The engine's latency summary of a histogram, its keys in the engine's order."""
    values = _engine.histogram_summary(encoded)
    return {name: values[name] for name in LATENCY}


def _capacity(results: list[RunResult]) -> dict[str, dict[str, float]]:
    return _add_units(r["consumed_capacity"] for r in results)


def _add_units(per_table: Any) -> dict[str, dict[str, float]]:
    """{table: {read_units, write_units}} maps added exactly (as decimals, the engine's units)."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for units_by_table in per_table:
        for table, units in units_by_table.items():
            for kind, value in units.items():
                totals[table][kind] += Decimal(str(value))
    return {table: {kind: float(v) for kind, v in units.items()} for table, units in totals.items()}


def _timeseries(parts: list[Part]) -> list[dict[str, Any]]:
    """Rows of the same second added; its p99 from the merged histograms of that second."""
    by_second: dict[int, list[tuple[Part, TimeseriesRow]]] = defaultdict(list)
    for p in parts:
        assert p.result is not None
        for row in p.result["timeseries"]:
            by_second[row["t"]].append((p, row))
    rows = []
    for t in sorted(by_second):
        seconds = by_second[t]
        rows.append(merge_second(t, [row for _, row in seconds], [p.seconds.get(t) for p, _ in seconds]))
    return rows


# A second's percentile fields and the histogram (of "all", "reads", "writes") each is read from.
SECOND_PERCENTILES = [("p99_ms", "all", 0.99), ("read_p50_ms", "reads", 0.5), ("read_p99_ms", "reads", 0.99),
                      ("write_p50_ms", "writes", 0.5), ("write_p99_ms", "writes", 0.99)]  # fmt: skip


# A named operation's histogram of a second is kept under this prefix and its name.
OPERATION = "operation:"
OPERATION_COUNTS = ("attempts", "ok", "throttled", "errors")


def tick_histograms(event: dict[str, Any]) -> dict[str, str]:
    """Takes a tick event's histograms out of it (they are not part of the row)."""
    return {
        "all": event.pop("latency_histogram"),
        "reads": event.pop("read_latency_histogram"),
        "writes": event.pop("write_latency_histogram"),
        **{OPERATION + name: h for name, h in event.pop("operation_histograms", {}).items()},
    }


def merged_tick_histograms(histograms: list[dict[str, str] | None]) -> dict[str, Any]:
    """A second's histograms of every task merged, under the tick event's keys (none if a task's are missing),
    so a driver's progress callback sees what a local run's does with `histograms=True`."""
    if not histograms or any(h is None for h in histograms):
        return {}
    keys = {"all": "latency_histogram", "reads": "read_latency_histogram", "writes": "write_latency_histogram"}
    merged: dict[str, Any] = {
        key: _engine.merge_histograms([h[kind] for h in histograms if h is not None]) for kind, key in keys.items()
    }
    names = sorted({kind for h in histograms if h is not None for kind in h if kind.startswith(OPERATION)})
    if names:
        merged["operation_histograms"] = {
            kind.removeprefix(OPERATION): _engine.merge_histograms([h[kind] for h in histograms if h and kind in h])
            for kind in names
        }
    return merged


def merge_second(t: int, rows: Sequence[Mapping[str, Any]], histograms: list[dict[str, str] | None]) -> dict[str, Any]:
    """One second of several tasks as one row (live progress and the result's time series): TimeseriesRows
    or tick events, whose row keys are read from lists of names."""
    merged: dict[str, Any] = {"t": t, "seconds": max(r["seconds"] for r in rows)}
    if all("target_rate" in r for r in rows):
        merged["target_rate"] = round(sum(r["target_rate"] for r in rows), 1)
    for name in ROW_COUNTS:
        if all(name in r for r in rows):
            merged[name] = sum(r[name] for r in rows)
    for name in ("read_units", "write_units"):
        merged[name] = float(sum(Decimal(str(r[name])) for r in rows))
    known = [h for h in histograms if h is not None]
    for name, kind, quantile in SECOND_PERCENTILES:
        merged[name] = None
        if len(known) == len(rows):
            count, (value,) = _engine.histogram_quantiles(
                _engine.merge_histograms([h[kind] for h in known]), [quantile]
            )
            merged[name] = value if count else None
        # else: a task's second without its histograms (lost before sending them): that second's
        # percentiles cannot be known exactly, so they are not given.
    maps = {
        "throttled_by_reason": _add_maps(r.get("throttled_by_reason", {}) for r in rows),
        "throttled_by_resource": _add_nested_maps(r.get("throttled_by_resource", {}) for r in rows),
        "units": _add_units(r.get("units", {}) for r in rows),
        "provisioned": next((r["provisioned"] for r in rows if r.get("provisioned")), None),
        "operations": _merge_operation_seconds(rows, known if len(known) == len(rows) else None),
        "keys": _merge_key_seconds(rows),
    }
    # A map with nothing in it is left out, as the engine leaves it out of a row.
    merged.update({name: value for name, value in maps.items() if value})
    return merged


def _merge_operation_seconds(
    rows: Sequence[Mapping[str, Any]], histograms: list[dict[str, str]] | None
) -> dict[str, dict[str, Any]]:
    """Each named operation's second of several tasks: counts added, p50 and p99 read from the merged
    histograms of that second (None when a task's are missing)."""
    names = sorted({name for r in rows for name in r.get("operations", {})})
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        seconds = [r["operations"][name] for r in rows if name in r.get("operations", {})]
        second: dict[str, Any] = {count: sum(s[count] for s in seconds) for count in OPERATION_COUNTS}
        second["p50_ms"] = second["p99_ms"] = None
        kept = [h[OPERATION + name] for h in histograms or [] if OPERATION + name in h]
        if histograms is not None and len(kept) == len(seconds):
            count, (p50, p99) = _engine.histogram_quantiles(_engine.merge_histograms(kept), [0.5, 0.99])
            if count:
                second["p50_ms"], second["p99_ms"] = p50, p99
        out[name] = second
    return out


def _part(p: Part) -> TaskPart:
    part: TaskPart = {"task": p.task, "node": p.node, "threads": p.threads, "status": "lost"}
    if p.rate is not None:
        part["rate"] = p.rate
    if p.error is not None:
        part["error"] = p.error
    if p.result is None:
        part["seconds_reported"] = len(p.seconds)
        return part
    summary = p.result["summary"]
    part["status"] = "interrupted" if p.result["interrupted"] else "ok"
    part["duration_s"] = p.result["duration_s"]
    part["summary"] = {op: {name: summary[op][name] for name in (*COUNTS, "latency_ms")} for op in OPS}
    for name in ("offered", "dropped"):
        if name in summary:
            part["summary"][name] = summary[name]
    part["consumed_capacity"] = p.result["consumed_capacity"]
    part["histograms"] = p.result["histograms"]
    return part


# Keys a second of the time series lists per table or index (the engine's key_counts::PER_SECOND).
KEYS_PER_SECOND = 5


def _merge_key_seconds(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """A second's busiest keys of several tasks: each task's counts added key by key, the busiest kept."""
    out = {}
    for table in sorted({table for r in rows for table in r.get("keys", {})}):
        counts = _add_maps({k["key"]: k["count"] for k in r.get("keys", {}).get(table, [])} for r in rows)
        busiest = sorted(counts.items(), key=lambda kc: (-kc[1], kc[0]))[:KEYS_PER_SECOND]
        out[table] = [{"key": key, "count": count} for key, count in busiest]
    return out


def _add_nested_maps(maps: Any) -> dict[str, dict[str, int]]:
    """name -> counts by key, added up name by name (throttles by table or index, then by reason)."""
    names = defaultdict(list)
    for m in maps:
        for name, inner in m.items():
            names[name].append(inner)
    return {name: _add_maps(inner) for name, inner in sorted(names.items())}


def _add_maps(maps: Any) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for m in maps:
        for key, value in m.items():
            total[key] += value
    return dict(sorted(total.items()))
