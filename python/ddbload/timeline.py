"""What a run's time series says about capacity over time: the provisioned figures that changed
mid-run (auto scaling's steps) and how long throttling lasted before capacity caught up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .result_types import RunResult, TimeseriesRow

# Seconds a step can show after it took effect (the engine reads the tables' figures every 2 s).
_FIGURES_LAG_S = 3


@dataclass(frozen=True)
class Step:
    table: str
    kind: str  # "read" or "write"
    at: int  # the second of the run it took effect
    before: int
    after: int
    throttled_since: int | None  # the second throttling began before the step, if it did
    throttled_attempts: int  # attempts throttled from then until the step


def steps(result: RunResult) -> list[Step]:
    """Every change of a provisioned figure during the run, in time order."""
    rows = result.get("timeseries") or []
    found: list[Step] = []
    last: dict[tuple[str, str], int] = {}
    kind: Literal["read", "write"]  # a key of Provisioned, so that .get(kind) is typed
    for index, row in enumerate(rows):
        for table, figures in (row.get("provisioned") or {}).items():
            for kind in ("read", "write"):
                value = figures.get(kind)
                key = (table, kind)
                if value is not None and key in last and value != last[key]:
                    found.append(_step(rows, index, table, kind, last[key], value))
                if value is not None:
                    last[key] = value
    return found


def _step(rows: list[TimeseriesRow], index: int, table: str, kind: str, before: int, after: int) -> Step:
    # Throttling "began" at the first throttled second of the unbroken throttled stretch before the step.
    # The engine reads the tables' figures every 2 s, so the step shows up to that late: throttling may
    # have stopped a second or two before the row that shows it.
    end = index
    while end > 0 and index - end < _FIGURES_LAG_S and rows[end - 1]["throttled"] == 0:
        end -= 1
    if end > 0 and rows[end - 1]["throttled"] == 0:
        end = index
    start = end
    while start > 0 and rows[start - 1]["throttled"] > 0:
        start -= 1
    throttled = sum(r["throttled"] for r in rows[start:end])
    since = rows[start]["t"] if start < end else None
    return Step(table, kind, rows[index]["t"], before, after, since, throttled)


def describe(step: Step, lang: str = "en") -> str:
    direction = "raised" if step.after > step.before else "lowered"
    if lang == "ko":
        verb = "올렸습니다" if step.after > step.before else "내렸습니다"
        kind = "읽기" if step.kind == "read" else "쓰기"
        text = f"오토 스케일링이 {step.table}의 {kind} 용량을 {step.at}초에 {step.before}에서 {step.after}(으)로 {verb}"
        if step.throttled_since is not None:
            lag = step.at - step.throttled_since
            text += f" - 스로틀링 시작 {lag}초 후, 그 사이 스로틀된 시도 {step.throttled_attempts:,}회"
        return text + "."
    text = (
        f"Auto scaling {direction} {step.table}'s {step.kind} capacity from {step.before} to {step.after} at {step.at}s"
    )
    if step.throttled_since is not None:
        lag = step.at - step.throttled_since
        text += f", {lag}s after throttling began ({step.throttled_attempts:,} throttled attempts before it caught up)"
    return text + "."
