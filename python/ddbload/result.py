"""Result: a finished run's figures (the result JSON, see schema/result.schema.json) with helpers."""

from __future__ import annotations

import copy
import html
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from .output import write_result
from .result_types import OpSummary, RunResult, TimeseriesRow, UnitTotals, Verdict
from .verdict import verdict


def started_at(data: RunResult) -> datetime:
    """When the run's load began (the result's RFC 3339 `started_at`), timezone-aware UTC."""
    return datetime.fromisoformat(data["started_at"].replace("Z", "+00:00"))


class Result:
    """The outcome of one load test. `data` is the result JSON as a dict; a result without a verdict
    (from the engine, or written before ddbload 0.3) gets one from its figures."""

    def __init__(self, data: RunResult) -> None:
        self._data = data if "verdict" in data else {**data, "verdict": verdict(data)}

    @classmethod
    def from_json(cls, text: str) -> Result:
        return cls(json.loads(text))

    @classmethod
    def load(cls, path: str | Path) -> Result:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    @property
    def data(self) -> RunResult:
        """A copy of the whole result, safe to modify."""
        return copy.deepcopy(self._data)

    @property
    def run_id(self) -> str:
        return str(self._data["run_id"])

    @property
    def duration_s(self) -> float:
        return float(self._data["duration_s"])

    @property
    def interrupted(self) -> bool:
        return bool(self._data["interrupted"])

    @property
    def verdict(self) -> Verdict:
        """What the run shows: {"outcome": "held" | "throttled" | ..., "reasons": [...]}."""
        return copy.deepcopy(self._data["verdict"])

    @property
    def reads(self) -> OpSummary:
        return copy.deepcopy(self._data["summary"]["reads"])

    @property
    def writes(self) -> OpSummary:
        return copy.deepcopy(self._data["summary"]["writes"])

    @property
    def timeseries(self) -> list[TimeseriesRow]:
        return copy.deepcopy(self._data["timeseries"])

    @property
    def consumed_capacity(self) -> dict[str, UnitTotals]:
        return copy.deepcopy(self._data["consumed_capacity"])

    def to_json(self) -> str:
        return json.dumps(self._data, indent=2)

    def save(self, path: str | Path) -> Path:
        """Writes the result JSON atomically; refuses to replace a file that is not a ddbload result."""
        return write_result(Path(path), self.to_json())

    def to_pandas(self) -> tuple[Any, Any]:
        """(summary, timeseries) as pandas DataFrames: one row per operation, one row per second."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_pandas needs pandas: pip install 'pandas>=2'") from None
        summary = []
        for op in ("reads", "writes"):
            data = self._data["summary"][op]
            row: dict[str, object] = {
                "operation": op,
                **{k: data[k] for k in ("ok", "per_second", "throttled_attempts")},
            }
            row["errors"] = sum(data["errors"].values()) + data["conditional_check_failed"]
            row.update({f"{k}_ms": v for k, v in data["latency_ms"].items()})
            summary.append(row)
        return pd.DataFrame(summary).set_index("operation"), pd.DataFrame(self._data["timeseries"]).set_index("t")

    def _repr_html_(self) -> str:
        """The summary as an HTML table, for Jupyter."""
        s = self._data["summary"]
        head = "".join(
            f"<th>{h}</th>" for h in ("", "ok", "per s", "p50 ms", "p99 ms", "max ms", "throttled", "errors")
        )
        body = ""
        for op in ("reads", "writes"):
            d = s[op]
            errors = sum(d["errors"].values()) + d["conditional_check_failed"]
            lat = d["latency_ms"]
            cells = (op, f"{d['ok']:,}", f"{d['per_second']:,.1f}", lat["p50"], lat["p99"], lat["max"])
            body += "<tr>" + "".join(f"<td>{c}</td>" for c in cells)
            body += f"<td>{d['throttled_attempts']:,}</td><td>{errors:,}</td></tr>"
        state = " (interrupted)" if self.interrupted else ""
        return (
            f"<div><b>ddbload run {html.escape(self.run_id)}</b>{state}: {self.duration_s:.1f} s, "
            f"throttle rate {s['throttle_rate']:.2%}<table><tr>{head}</tr>{body}</table></div>"
        )

    def __repr__(self) -> str:
        r, w = self._data["summary"]["reads"], self._data["summary"]["writes"]
        return (
            f"<ddbload.Result run_id={self.run_id} {self.duration_s:.1f}s "
            f"reads={r['ok']} ({r['per_second']}/s) writes={w['ok']} ({w['per_second']}/s)"
            f"{' interrupted' if self.interrupted else ''}>"
        )
