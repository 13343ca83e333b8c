"""`--cloudwatch-metrics`: each second's figures put to CloudWatch as one-second custom metrics (PutMetricData,
at most 1,000 values a call, one round of calls a second) from a background thread, so a slow or failing
CloudWatch never slows the run."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from . import _engine
from .cloudwatch_alarms import AlarmWatch, WatchedAlarm

FLUSH_EVERY_S = 1.0
ALARM_POLL_EVERY = 5  # flushes
# The per-second figures put, by the tick's field: metric name and unit.
KIND_FIGURES = {"reads_ok": ("ReadsOk", "Count"), "writes_ok": ("WritesOk", "Count")}
OPERATION_FIGURES = {"ok": "OperationsOk", "throttled": "OperationThrottles", "errors": "OperationErrors"}
RUN_FIGURES = {
    "throttled": ("ThrottledAttempts", "Count"),
    "errors": ("Errors", "Count"),
    "p99_ms": ("LatencyP99", "Milliseconds"),
}


class CloudWatchPublisher:
    """A progress callback: each tick's figures become datums, put to `namespace` once a second. The
    dimensions are RunId and, as they apply, Table (and Index, for a global index) and Operation."""

    def __init__(
        self,
        namespace: str,
        run_id: str,
        *,
        region: str,
        profile: str | None,
        endpoint_url: str | None,
        alarms: list[WatchedAlarm] | None = None,
    ) -> None:
        self.namespace, self.run_id = namespace, run_id
        self._where: dict[str, Any] = {"region": region, "profile": profile, "endpoint_url": endpoint_url}
        self._alarms = AlarmWatch(alarms, self._where, namespace, run_id) if alarms else None
        self.alarm_error: str | None = None
        self._flushes = 0
        self._last_t: float | None = None
        if self._alarms is not None:
            try:
                self._alarms.create()
            except _engine.DdbLoadError as e:
                self.alarm_error, self._alarms = str(e), None
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._base: float | None = None  # epoch seconds at the load's t = 0
        self.calls = 0
        self.values = 0
        self.error: str | None = None
        self._thread = threading.Thread(target=self._loop, name="ddbload-cloudwatch", daemon=True)
        self._thread.start()

    def __call__(self, event: dict[str, Any]) -> None:
        if event.get("type") != "tick" or self.error is not None:
            return
        if self._base is None:
            self._base = time.time() - float(event["t"])
        self._last_t = float(event["t"])
        datums = self._datums(event, self._base + float(event["t"]) - 1)
        with self._lock:
            self._pending.extend(datums)

    def _datum(self, name: str, unit: str, at: float, value: float, **dimensions: str) -> dict[str, Any]:
        dims = [["RunId", self.run_id], *([k, v] for k, v in sorted(dimensions.items()))]
        return {"name": name, "dimensions": dims, "timestamp": at, "value": float(value), "unit": unit}

    def _datums(self, event: dict[str, Any], at: float) -> list[dict[str, Any]]:
        datums = [self._datum(name, unit, at, event[field]) for field, (name, unit) in KIND_FIGURES.items()]
        datums += [
            self._datum(name, unit, at, event[field])
            for field, (name, unit) in RUN_FIGURES.items()
            if event.get(field) is not None
        ]
        for resource, units in event.get("units", {}).items():
            table, _, index = resource.partition("/index/")
            where = {"Table": table, **({"Index": index} if index else {})}
            datums.append(self._datum("ConsumedReadUnits", "Count", at, units["read_units"], **where))
            datums.append(self._datum("ConsumedWriteUnits", "Count", at, units["write_units"], **where))
        for operation, second in event.get("operations", {}).items():
            for field, name in OPERATION_FIGURES.items():
                datums.append(self._datum(name, "Count", at, second[field], Operation=operation))
        return datums

    def _loop(self) -> None:
        while not self._stop.wait(FLUSH_EVERY_S):
            self._flush()
            self._flushes += 1
            if self._flushes % ALARM_POLL_EVERY == 0:
                self._poll_alarms()

    def _poll_alarms(self) -> None:
        if self._alarms is None or self.alarm_error is not None:
            return
        try:
            self._alarms.poll(self._last_t)
        except _engine.DdbLoadError as e:
            self.alarm_error = str(e)

    def _flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch or self.error is not None:
            return
        try:
            self.calls += _engine.cloudwatch_put_metric_data(
                namespace=self.namespace, data=json.dumps(batch), **self._where
            )
            self.values += len(batch)
        except _engine.DdbLoadError as e:
            self.error = str(e)

    def close(self) -> list[str]:
        """Stops the thread after a last flush, reads the alarms' last states and deletes them; lines saying
        what was put (or why it stopped) and what each alarm did."""
        self._stop.set()
        self._thread.join()
        self._flush()
        if self.error is not None:
            said = [f"CloudWatch metrics stopped after {self.values:,} values: {self.error}"]
        else:
            said = [
                f"put {self.values:,} values to CloudWatch namespace {self.namespace} (RunId {self.run_id}) "
                f"in {self.calls:,} PutMetricData calls"
            ]
        return said + self._close_alarms()

    def _close_alarms(self) -> list[str]:
        if self._alarms is None:
            return [f"CloudWatch alarms not created: {self.alarm_error}"] if self.alarm_error else []
        self._poll_alarms()
        try:
            self._alarms.delete()
        except _engine.DdbLoadError as e:
            names = ", ".join(a.name for a in self._alarms.alarms)
            return [f"CloudWatch alarms {names} could not be deleted: {e}"]
        lines = self._alarms.lines()
        if self.alarm_error is not None:
            lines.append(f"CloudWatch alarm states stopped being read: {self.alarm_error}")
        return lines
