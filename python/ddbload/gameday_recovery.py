"""What each GameDay action did to the run, from its time series: when throttles and errors rose above
their level before it, when they came back (three seconds in a row at that level), the operations that
failed meanwhile and the worst p99."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .result_types import RunResult, TimeseriesRow

if TYPE_CHECKING:
    from .gameday_run import Done

BASELINE_SECONDS = 10
SETTLED_SECONDS = 3


def _bad(row: TimeseriesRow) -> int:
    return int(row["throttled"]) + int(row["errors"])


def episodes(result: RunResult, steps: list[Done]) -> list[dict[str, Any]]:
    # Row t covers second t-1 of the load; a second the engine skipped is a gap, not a shift.
    by_second = {int(row["t"]) - 1: row for row in result["timeseries"] if row["seconds"] >= 0.5}
    last = max(by_second, default=-1)
    empty: TimeseriesRow = {"t": 0, "seconds": 1.0, "reads_ok": 0, "writes_ok": 0, "throttled": 0, "errors": 0,
                            "read_units": 0.0, "write_units": 0.0, "p99_ms": None}  # fmt: skip
    rows = [by_second.get(second, empty) for second in range(last + 1)]
    out = []
    for step in steps:
        if step.undo or step.applied_s is None or step.outcome != "done":
            continue
        at = int(step.applied_s)
        before = rows[max(0, at - BASELINE_SECONDS) : at]
        baseline = sum(_bad(r) for r in before) / len(before) if before else 0.0
        level = max(1.0, baseline * 1.5)
        after = rows[at:]
        began = next((i for i, r in enumerate(after) if _bad(r) > level), None)
        episode: dict[str, Any] = {"action": step.action.number, "what": step.action.describe(), "at_s": at,
                                   "baseline_per_s": round(baseline, 1)}  # fmt: skip
        if began is None:
            out.append({**episode, "effect": "none seen", "began_s": None, "recovered_s": None,
                        "recovery_s": None, "errors": 0, "throttled": 0, "worst_p99_ms": None})  # fmt: skip
            continue
        recovered = None
        for i in range(began, len(after) - SETTLED_SECONDS + 1):
            if all(_bad(r) <= level for r in after[i : i + SETTLED_SECONDS]):
                recovered = i
                break
        span = after[: recovered if recovered is not None else len(after)]
        p99s = [r["p99_ms"] for r in span if r["p99_ms"] is not None]
        out.append({
            **episode,
            "effect": "recovered" if recovered is not None else "not recovered by the end",
            "began_s": at + began,
            "recovered_s": at + recovered if recovered is not None else None,
            "recovery_s": recovered - began if recovered is not None else None,
            "errors": sum(int(r["errors"]) for r in span),
            "throttled": sum(int(r["throttled"]) for r in span),
            "worst_p99_ms": max(p99s) if p99s else None,
        })  # fmt: skip
    return out
