"""The offline endpoint's fault injection, through its admin API (X-Amz-Target `DdbloadAdmin.*` on the
endpoint's own port): errors (throttles with the ThrottlingReason given), latency or no answer for a share
of one table's requests."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

ERRORS = (
    "InternalServerError", "ServiceUnavailable", "ThrottlingException",
    "ProvisionedThroughputExceededException", "RequestLimitExceeded",
)  # fmt: skip


KEYS = ("table", "error", "latency_ms", "pause", "rate", "reason", "partition")
_PARTITION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
MAX_PARTS = 1000
THROTTLES = ("ProvisionedThroughputExceededException", "ThrottlingException")
# DynamoDB's ThrottlingReason: resource, operation, limit.
_REASON = re.compile(
    r"^(Table|Index)(Read|Write)(ProvisionedThroughput|KeyRangeThroughput|AccountLimit|MaxOnDemandThroughput)Exceeded$"
)


class FaultError(ValueError):
    """The endpoint refused the fault (or could not be reached); the message says why."""


def call(url: str, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"X-Amz-Target": f"DdbloadAdmin.{operation}", "Content-Type": "application/x-amz-json-1.0"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return dict(json.loads(answer.read()))
    except urllib.error.HTTPError as e:
        message = json.loads(e.read() or b"{}").get("message", str(e))
        raise FaultError(f"the endpoint refused {operation}: {message}") from None
    except (urllib.error.URLError, OSError) as e:
        raise FaultError(f"cannot reach the offline endpoint at {url}: {e}") from None


def inject(url: str, spec: dict[str, Any], seed: int, seconds: float | None = None) -> int:
    """Sets one fault (`spec` as a timeline's `fault:` gives it); its id."""
    body: dict[str, Any] = {"Seed": seed}
    for key, member in (("table", "TableName"), ("error", "Error"), ("latency_ms", "LatencyMs"),
                        ("pause", "Pause"), ("rate", "Rate"), ("reason", "Reason"),
                        ("partition", "Partition")):  # fmt: skip
        if spec.get(key) is not None:
            body[member] = spec[key]
    if seconds is not None:
        body["Seconds"] = seconds
    return int(call(url, "InjectFault", body)["FaultId"])


def remove(url: str, fault_id: int) -> None:
    call(url, "RemoveFault", {"FaultId": fault_id})


def check_spec(spec: Any) -> str | None:
    """Why a fault spec cannot be used (None when it can): checked before anything is sent."""
    if not isinstance(spec, dict):
        return "expected a mapping such as {table: Orders, error: InternalServerError, rate: 0.05}"
    unknown = set(spec) - set(KEYS)
    if unknown:
        return f"unknown fault key(s) {', '.join(sorted(map(str, unknown)))} ({', '.join(KEYS)})"
    problem = _reason_problem(spec) or _partition_problem(spec)
    if problem:
        return problem
    if spec.get("error") is not None and spec["error"] not in ERRORS:
        return f"error must be one of {', '.join(ERRORS)}, got {spec['error']!r}"
    latency = spec.get("latency_ms")
    if latency is not None and (isinstance(latency, bool) or not isinstance(latency, int) or latency < 1):
        return f"latency_ms must be a whole number of milliseconds above 0, got {latency!r}"
    rate = spec.get("rate", 1)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 1:
        return f"rate must be above 0 and at most 1, got {rate!r}"
    if spec.get("pause") not in (None, True, False):
        return f"pause must be true or false, got {spec['pause']!r}"
    if spec.get("error") is None and latency is None and not spec.get("pause"):
        return "give error, latency_ms or pause: true"
    return None


def _partition_problem(spec: dict[str, Any]) -> str | None:
    if spec.get("partition") is None:
        return None
    match = _PARTITION.match(str(spec["partition"]))
    if match is None or not 1 <= int(match.group(1)) <= int(match.group(2)) <= MAX_PARTS:
        return f"partition must be PART/OF such as 1/4 (OF at most {MAX_PARTS}), got {spec['partition']!r}"
    if not spec.get("table"):
        return "partition needs a table (a part of that table's partition keys)"
    return None


def _reason_problem(spec: dict[str, Any]) -> str | None:
    if spec.get("reason") is None:
        return None
    if spec.get("error") not in THROTTLES:
        return f"reason goes with error {' or '.join(THROTTLES)}, got error {spec.get('error')!r}"
    if not _REASON.match(str(spec["reason"])):
        example = "TableWriteKeyRangeThroughputExceeded"
        return f"reason must be a ThrottlingReason such as {example}, got {spec['reason']!r}"
    return None
