"""A run's figures as Prometheus/OpenMetrics text at /metrics (`--metrics-addr`), kept from its progress events."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from . import _engine

QUANTILES = (0.5, 0.9, 0.99, 0.999)
# Tick histogram key -> the `operation` label of the latency summary.
LATENCY_OF = {"read_latency_histogram": "read", "write_latency_histogram": "write"}
OPERATION_OF = {"reads": "read", "writes": "write"}
INDEX_MARK = "/index/"


def throttles_by_resource(
    by_reason: Mapping[str, int], by_resource: Mapping[str, Mapping[str, int]]
) -> dict[tuple[str, str], int]:
    """(resource, reason) -> throttled attempts; resource "" for those whose answer named no table or index."""
    counts: dict[tuple[str, str], int] = {}
    for resource, reasons in by_resource.items():
        for reason, n in reasons.items():
            counts[(resource, reason)] = counts.get((resource, reason), 0) + n
    for reason, n in by_reason.items():
        named = sum(reasons.get(reason, 0) for reasons in by_resource.values())
        if n > named:
            counts[("", reason)] = counts.get(("", reason), 0) + n - named
    return counts


def table_and_index(resource: str) -> tuple[str, str]:
    """ "Orders/index/by_status" -> ("Orders", "by_status"); a table's own name -> (name, "")."""
    table, _, index = resource.partition(INDEX_MARK)
    return table, index


class RunMetrics(Collector):
    """Totals so far, added up from each second's progress event; the result's own figures once it is in
    (the same numbers, plus operations timed out at the end). Safe to scrape while events arrive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ok = {"read": 0, "write": 0}
        self._attempts = 0
        self._failed = 0
        self._timed_out = 0
        # (table or TABLE/index/NAME, reason) -> throttled attempts; "" where the answer named neither.
        self._throttled: dict[tuple[str, str], int] = {}
        self._units: dict[tuple[str, str], Decimal] = {}
        self._provisioned: dict[tuple[str, str], int] = {}
        self._offered: int | None = None
        self._dropped = 0
        self._target_rate: float | None = None
        self._latency: dict[str, str] = {}
        self._elapsed = 0
        self._finished = False
        # By the workload's operation name (the workshop's two, or a file's): ok, failed (conditions
        # included) and throttled attempts.
        self._named: dict[str, dict[str, int]] = {}
        self._named_latency: dict[str, str] = {}

    def __call__(self, event: dict[str, Any]) -> None:
        """A progress callback: each tick's counts are added to the totals."""
        if event.get("type") != "tick":
            return
        with self._lock:
            self._ok["read"] += event["reads_ok"]
            self._ok["write"] += event["writes_ok"]
            self._attempts += event.get("attempts", 0)
            self._failed += event["errors"]
            second = throttles_by_resource(event.get("throttled_by_reason", {}), event.get("throttled_by_resource", {}))
            for key, n in second.items():
                self._throttled[key] = self._throttled.get(key, 0) + n
            self._add_capacity(event)
            if "offered" in event and "target_rate" in event:
                self._offered = (self._offered or 0) + event["offered"]
                self._dropped += event["dropped"]
                self._target_rate = event["target_rate"]
            for name, operation in LATENCY_OF.items():
                if name in event:
                    _add_histogram(self._latency, operation, event[name])
            self._elapsed = max(self._elapsed, event["t"])
            self._add_named(event)

    def _add_named(self, event: dict[str, Any]) -> None:
        for name, second in event.get("operations", {}).items():
            counts = self._named.setdefault(name, {"attempts": 0, "ok": 0, "failed": 0, "throttled": 0})
            counts["attempts"] += second.get("attempts", 0)
            counts["ok"] += second["ok"]
            counts["failed"] += second["errors"]
            counts["throttled"] += second["throttled"]
        for name, encoded in event.get("operation_histograms", {}).items():
            _add_histogram(self._named_latency, name, encoded)

    def _add_capacity(self, event: dict[str, Any]) -> None:
        for table, units in event.get("units", {}).items():
            for kind in ("read", "write"):
                consumed = Decimal(str(units[f"{kind}_units"]))
                self._units[(table, kind)] = self._units.get((table, kind), Decimal(0)) + consumed
        for table, figures in event.get("provisioned", {}).items():
            for kind in ("read", "write"):
                if figures.get(kind) is not None:
                    self._provisioned[(table, kind)] = figures[kind]

    def finish(self, result: Mapping[str, Any]) -> None:
        """The final figures, from the result: exactly what its JSON says."""
        summary = result["summary"]
        with self._lock:
            for op, operation in OPERATION_OF.items():
                self._ok[operation] = summary[op]["ok"]
                if op in result["histograms"]:
                    self._latency[operation] = result["histograms"][op]
            self._attempts = sum(summary[op]["attempts"] for op in OPERATION_OF)
            self._failed = sum(sum(summary[op]["errors"].values()) for op in OPERATION_OF)
            self._timed_out = sum(summary[op]["timed_out"] for op in OPERATION_OF)
            self._throttled = {}
            for op in OPERATION_OF:
                ended = throttles_by_resource(summary[op]["throttled_by_reason"], summary[op]["throttled_by_resource"])
                for key, n in ended.items():
                    self._throttled[key] = self._throttled.get(key, 0) + n
            for table, units in result["consumed_capacity"].items():
                for kind in ("read", "write"):
                    self._units[(table, kind)] = Decimal(str(units[f"{kind}_units"]))
            if "offered" in summary:
                self._offered, self._dropped = summary["offered"], summary["dropped"]
            if self._named:
                self._finish_named(result)
            self._finished = True

    def _finish_named(self, result: Mapping[str, Any]) -> None:
        for name, op in result.get("operations", {}).items():
            failed = sum(op["errors"].values()) + op["conditional_check_failed"]
            self._named[name] = {
                "attempts": op["attempts"],
                "ok": op["ok"],
                "failed": failed,
                "throttled": op["throttled_attempts"],
            }
            kept = result["histograms"].get("operations", {}).get(name)
            if kept:
                self._named_latency[name] = kept["latency"]

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            yield from self._counters()
            yield from self._gauges()
            yield from self._latencies()

    def _counters(self) -> Iterator[Metric]:
        ops = CounterMetricFamily(
            "ddbload_operations", "Operations finished, by operation and outcome", labels=["operation", "outcome"]
        )
        for operation, n in self._ok.items():
            ops.add_metric([operation, "ok"], n)
        ops.add_metric(["any", "failed"], self._failed)
        ops.add_metric(["any", "timed_out"], self._timed_out)
        yield ops
        yield CounterMetricFamily("ddbload_attempts", "Requests sent, retries included", self._attempts)
        throttled = CounterMetricFamily(
            "ddbload_throttled_attempts",
            "Attempts DynamoDB throttled, by the table and index its answer named (empty: none) and its reason",
            labels=["table", "index", "reason"],
        )
        for (resource, reason), n in sorted(self._throttled.items()):
            throttled.add_metric([*table_and_index(resource), reason], n)
        yield throttled
        units = CounterMetricFamily(
            "ddbload_consumed_capacity_units",
            "Capacity units DynamoDB reported consumed, by table and global index (empty: the table's own)",
            labels=["table", "index", "kind"],
        )
        for (resource, kind), value in sorted(self._units.items()):
            units.add_metric([*table_and_index(resource), kind], float(value))
        yield units
        if self._named:
            yield from self._named_counters()
        if self._offered is not None:
            yield CounterMetricFamily("ddbload_arrivals_offered", "Open model: arrivals scheduled", self._offered)
            yield CounterMetricFamily("ddbload_arrivals_dropped", "Open model: arrivals dropped", self._dropped)

    def _named_counters(self) -> Iterator[Metric]:
        ops = CounterMetricFamily(
            "ddbload_workload_operations",
            "Operations finished, by the workload's operation name and outcome (failed: conditions included)",
            labels=["name", "outcome"],
        )
        attempts = CounterMetricFamily(
            "ddbload_workload_attempts",
            "Requests sent, retries included, by the workload's operation name",
            labels=["name"],
        )
        throttled = CounterMetricFamily(
            "ddbload_workload_throttled_attempts",
            "Attempts DynamoDB throttled, by the workload's operation name",
            labels=["name"],
        )
        for name, counts in sorted(self._named.items()):
            ops.add_metric([name, "ok"], counts["ok"])
            ops.add_metric([name, "failed"], counts["failed"])
            attempts.add_metric([name], counts["attempts"])
            throttled.add_metric([name], counts["throttled"])
        yield ops
        yield attempts
        yield throttled

    def _gauges(self) -> Iterator[Metric]:
        provisioned = GaugeMetricFamily(
            "ddbload_provisioned_capacity_units", "Provisioned capacity at the last second", labels=["table", "kind"]
        )
        for (table, kind), value in sorted(self._provisioned.items()):
            provisioned.add_metric([table, kind], value)
        yield provisioned
        if self._target_rate is not None:
            yield GaugeMetricFamily(
                "ddbload_target_rate_per_second", "Open model: the arrival rate scheduled", self._target_rate
            )
        if self._offered is not None:
            yield GaugeMetricFamily(
                "ddbload_in_flight",
                "Open model: arrivals sent or waiting to be sent and not yet answered, at the last second's end",
                self._in_flight(),
            )
        yield GaugeMetricFamily("ddbload_elapsed_seconds", "Seconds of load reported so far", self._elapsed)
        yield GaugeMetricFamily("ddbload_run_finished", "1 once the result is in", int(self._finished))

    def _in_flight(self) -> int:
        if self._finished:
            return 0
        answered = self._ok["read"] + self._ok["write"] + self._failed
        return max(0, (self._offered or 0) - self._dropped - answered)

    def _latencies(self) -> Iterator[Metric]:
        yield _summary("ddbload_latency_seconds", "Latency of successful operations since the start",
                       "operation", self._latency)  # fmt: skip
        if self._named_latency:
            yield _summary("ddbload_workload_latency_seconds", "Latency by the workload's operation name",
                           "name", self._named_latency)  # fmt: skip


def _add_histogram(kept: dict[str, str], key: str, encoded: str) -> None:
    """Merges one second's encoded histogram into the one kept under `key` since the start."""
    earlier = kept.get(key)
    kept[key] = _engine.merge_histograms([encoded] if earlier is None else [earlier, encoded])


def _summary(metric: str, text: str, label: str, histograms: Mapping[str, str]) -> Metric:
    """A summary family: each histogram's quantiles, count and sum, under `label`."""
    summary = Metric(metric, text, "summary")
    for value, encoded in sorted(histograms.items()):
        count, values_ms = _engine.histogram_quantiles(encoded, list(QUANTILES))
        if not count:
            continue
        for quantile, value_ms in zip(QUANTILES, values_ms):
            summary.add_sample(metric, {label: value, "quantile": str(quantile)}, value_ms / 1000)
        mean_ms = _engine.histogram_summary(encoded)["mean"]
        summary.add_sample(f"{metric}_count", {label: value}, count)
        summary.add_sample(f"{metric}_sum", {label: value}, count * mean_ms / 1000)
    return summary


class MetricsServer:
    """/metrics on `host:port` for as long as the run (and the linger after it) lasts."""

    def __init__(self, host: str, port: int) -> None:
        self.metrics = RunMetrics()
        registry = CollectorRegistry(auto_describe=False)
        registry.register(self.metrics)
        self._server, self._thread = start_http_server(port, addr=host, registry=registry)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
