"""Result: a finished run's figures (the result JSON, see schema/result.schema.json) with helpers."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .output import write_result


class Result:
    """The outcome of one load test. `data` is the result JSON as a dict."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    @classmethod
    def from_json(cls, text: str) -> Result:
        return cls(json.loads(text))

    @classmethod
    def load(cls, path: str | Path) -> Result:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    @property
    def data(self) -> dict[str, Any]:
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
    def reads(self) -> dict[str, Any]:
        return copy.deepcopy(self._data["summary"]["reads"])

    @property
    def writes(self) -> dict[str, Any]:
        return copy.deepcopy(self._data["summary"]["writes"])

    @property
    def timeseries(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._data["timeseries"])

    @property
    def consumed_capacity(self) -> dict[str, dict[str, float]]:
        return copy.deepcopy(self._data["consumed_capacity"])

    def to_json(self) -> str:
        return json.dumps(self._data, indent=2)

    def save(self, path: str | Path) -> Path:
        """Writes the result JSON atomically; refuses to replace a file that is not a ddbload result."""
        return write_result(Path(path), self.to_json())

    def __repr__(self) -> str:
        r, w = self._data["summary"]["reads"], self._data["summary"]["writes"]
        return (
            f"<ddbload.Result run_id={self.run_id} {self.duration_s:.1f}s "
            f"reads={r['ok']} ({r['per_second']}/s) writes={w['ok']} ({w['per_second']}/s)"
            f"{' interrupted' if self.interrupted else ''}>"
        )
