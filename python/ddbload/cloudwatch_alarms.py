"""`--cloudwatch-alarm 'throttled>0'`: CloudWatch alarms on the run's own one-second metrics (10-second periods),
created before the load, watched while it runs, deleted after it; what each did is said at the end."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from . import _engine

PERIOD_S = 10
# The figure a user names -> the metric --cloudwatch-metrics puts, and the statistic over a period.
FIGURES = {
    "throttled": ("ThrottledAttempts", "Sum"),
    "errors": ("Errors", "Sum"),
    "reads_ok": ("ReadsOk", "Sum"),
    "writes_ok": ("WritesOk", "Sum"),
    "p99_ms": ("LatencyP99", "Maximum"),
}
COMPARISONS = {
    ">=": "GreaterThanOrEqualToThreshold",
    "<=": "LessThanOrEqualToThreshold",
    ">": "GreaterThanThreshold",
    "<": "LessThanThreshold",
}
_SPEC = re.compile(r"^\s*([a-z_0-9]+)\s*(>=|<=|>|<)\s*(\S+)\s*$")


class AlarmSpecError(ValueError):
    pass


@dataclass
class WatchedAlarm:
    """One alarm of the run: its spec as given, its CloudWatch name, and what it did."""

    spec: str
    name: str
    metric: str
    statistic: str
    comparison: str
    threshold: float
    first_alarm_t: float | None = None
    last_state: str = "INSUFFICIENT_DATA"


def parse(spec: str, run_id: str) -> WatchedAlarm:
    """'throttled>0' -> the alarm on ThrottledAttempts' 10-second sum; bad input is an AlarmSpecError."""
    match = _SPEC.match(spec)
    if match is None or match[1] not in FIGURES:
        raise AlarmSpecError(f"{spec!r} is not FIGURE>VALUE with FIGURE one of {', '.join(FIGURES)} (e.g. throttled>0)")
    try:
        threshold = Decimal(match[3])
    except InvalidOperation:
        raise AlarmSpecError(f"{spec!r}: {match[3]!r} is not a number") from None
    if not threshold.is_finite():
        raise AlarmSpecError(f"{spec!r}: {match[3]!r} is not a number")
    metric, statistic = FIGURES[match[1]]
    operator = {">": "gt", ">=": "ge", "<": "lt", "<=": "le"}[match[2]]
    name = f"ddbload-{run_id}-{match[1]}-{operator}-{threshold}"
    return WatchedAlarm(spec.strip(), name, metric, statistic, COMPARISONS[match[2]], float(threshold))


class AlarmWatch:
    """The run's alarms at one endpoint (or CloudWatch): created, their states polled, deleted."""

    def __init__(self, alarms: list[WatchedAlarm], where: dict[str, Any], namespace: str, run_id: str) -> None:
        # `where`: the region, profile and endpoint_url keywords of the engine's CloudWatch calls.
        self.alarms, self._where, self._namespace, self._run_id = alarms, where, namespace, run_id

    def create(self) -> None:
        specs = [
            {"name": a.name, "namespace": self._namespace, "metric": a.metric, "dimensions": [["RunId", self._run_id]],
             "statistic": a.statistic, "period": PERIOD_S, "threshold": a.threshold, "comparison": a.comparison}
            for a in self.alarms
        ]  # fmt: skip
        _engine.cloudwatch_put_alarms(alarms=json.dumps(specs), **self._where)

    def poll(self, t: float | None) -> None:
        """Reads each alarm's state; `t` is the load's second now (None before the first)."""
        states = _engine.cloudwatch_alarm_states(names=[a.name for a in self.alarms], **self._where)
        for alarm in self.alarms:
            state = states.get(alarm.name, "INSUFFICIENT_DATA")
            if state == "ALARM" and alarm.first_alarm_t is None:
                alarm.first_alarm_t = t if t is not None else 0.0
            alarm.last_state = state

    def delete(self) -> None:
        _engine.cloudwatch_delete_alarms(names=[a.name for a in self.alarms], **self._where)

    def lines(self) -> list[str]:
        out = []
        for a in self.alarms:
            fired = (
                f"went to ALARM about {a.first_alarm_t:.0f} s into the load"
                if a.first_alarm_t is not None
                else "never went to ALARM"
            )
            out.append(f"alarm {a.spec} ({a.name}, {PERIOD_S} s periods): {fired}; {a.last_state} at the end; deleted")
        return out
