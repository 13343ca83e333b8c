"""--fail-if thresholds: `p99_ms>50`, `throttle_rate>0.01`, `verdict!=held`. Parsed before any load is
sent; checked against the result's figures and verdict afterwards."""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable, get_args

from .figures import (
    DESCRIPTIONS,
    OPERATION_DESCRIPTIONS,
    TABLE_DESCRIPTIONS,
    figures,
    operation_figures,
    table_figures,
)
from .result_types import Outcome, RunResult

_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}
_PATTERN = re.compile(
    r"^\s*([a-z0-9_]+|(?:op|table)\.[A-Za-z0-9_.-]+\.[a-z0-9_]+)\s*(>=|<=|==|!=|>|<)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$"
)
_VERDICT = re.compile(r"^\s*verdict\s*(==|!=)\s*([a-z_]+)\s*$")
OUTCOMES: tuple[str, ...] = get_args(Outcome)
# Figures only an open-model run has: on a closed run such a threshold could never break.
OPEN_MODEL_ONLY = frozenset(metric for metric, text in DESCRIPTIONS.items() if text.startswith("open model:"))


# `op.NAME.FIGURE` and `table.TABLE[.INDEX].FIGURE`: what they are figures of, and the figures known.
_SCOPES = {"op.": ("an operation", OPERATION_DESCRIPTIONS), "table.": ("a table", TABLE_DESCRIPTIONS)}


def known_text(known: Mapping[str, str]) -> str:
    text = ", ".join(sorted(known))
    return f"{text} (an index's too, where its units were kept)" if known is TABLE_DESCRIPTIONS else text


class ThresholdError(ValueError):
    """A --fail-if expression that cannot be understood."""


@dataclass(frozen=True)
class Threshold:
    text: str
    metric: str
    op: str
    limit: Decimal | str

    def broken_by(self, measured: Mapping[str, float | str]) -> bool:
        if self.metric not in measured:
            return True  # an operation the run did not have: the check cannot pass
        value = measured[self.metric]
        if isinstance(self.limit, str):
            return _OPS[self.op](value, self.limit)  # type: ignore[arg-type]
        return _OPS[self.op](Decimal(repr(value)), self.limit)


def measured(result: RunResult) -> dict[str, float | str]:
    """What thresholds are checked against: the figures by name, and `verdict` (its outcome)."""
    outcome = result["verdict"]["outcome"] if "verdict" in result else "unknown"
    return {**figures(result), **operation_figures(result), **table_figures(result), "verdict": outcome}


def parse(text: str) -> Threshold:
    verdict = _VERDICT.match(text)
    if verdict:
        op, outcome = verdict.groups()
        if outcome not in OUTCOMES:
            raise ThresholdError(f"--fail-if: unknown verdict {outcome!r} in {text!r}; known: {', '.join(OUTCOMES)}")
        return Threshold(text.strip(), "verdict", op, outcome)
    match = _PATTERN.match(text)
    if not match:
        raise ThresholdError(f"--fail-if: expected METRIC>VALUE such as p99_ms>50, or verdict!=held, got {text!r}")
    metric, op, value = match.groups()
    scope = next((s for prefix, s in _SCOPES.items() if metric.startswith(prefix)), None)
    if scope is not None:
        what, known = scope
        figure = metric.rsplit(".", 1)[1]
        if figure not in known:
            raise ThresholdError(
                f"--fail-if: unknown figure {figure!r} of {what} in {text!r}; known: {known_text(known)}"
            )
    elif metric not in DESCRIPTIONS:
        raise ThresholdError(
            f"--fail-if: unknown metric {metric!r} in {text!r}; known: {', '.join(sorted(DESCRIPTIONS))}"
        )
    try:
        limit = Decimal(value)
    except InvalidOperation:
        raise ThresholdError(f"--fail-if: {value!r} is not a number in {text!r}") from None
    return Threshold(text.strip(), metric, op, limit)


def refuse_open_model_only(thresholds: list[Threshold]) -> None:
    """For a closed run: a threshold on an open-model figure is refused rather than passing vacuously."""
    for t in thresholds:
        if t.metric in OPEN_MODEL_ONLY:
            raise ThresholdError(
                f"--fail-if: {t.text!r} needs an open-model run (--rate or --stages); a closed loop has no "
                f"{t.metric.split('_')[0]} figures"
            )


def broken(thresholds: list[Threshold], values: Mapping[str, float | str]) -> list[str]:
    """One line per broken threshold, naming it and the measured value."""
    return [
        f"threshold broken: {t.text} (measured {shown(values[t.metric])})"
        if t.metric in values
        else f"threshold broken: {t.text} ({_missing(t.metric, values)})"
        for t in thresholds
        if t.broken_by(values)
    ]


def _missing(metric: str, values: Mapping[str, float | str]) -> str:
    """Why a threshold's figure is not in the run: what it has instead."""
    if metric.startswith("table."):
        return f"the run has no such table or index: it has {', '.join(_tables_in(values)) or 'none'}"
    names = sorted({key.split(".")[1] for key in values if key.startswith("op.") and key.endswith(".ok")})
    has = "its operations are " + ", ".join(names) if names else "it has no named operations"
    return f"the run has no such operation: {has}"


def _tables_in(values: Mapping[str, float | str]) -> list[str]:
    """The tables (and their indexes, as TABLE.INDEX) that have figures."""
    figures = [key.removeprefix("table.") for key in values if key.startswith("table.")]
    return sorted({key.rsplit(".", 1)[0] for key in figures if key.endswith((".read_units", ".throttled"))})


def shown(value: float | str) -> str:
    """A measured value as a threshold's message gives it."""
    return value if isinstance(value, str) else f"{value:.6g}"
