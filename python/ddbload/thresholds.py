"""--fail-if thresholds: `p99_ms>50`, `throttle_rate>0.01`. Parsed before any load is sent; checked
against the result's figures afterwards."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable

from .figures import DESCRIPTIONS

_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}
_PATTERN = re.compile(r"^\s*([a-z0-9_]+)\s*(>=|<=|==|!=|>|<)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$")


class ThresholdError(ValueError):
    """A --fail-if expression that cannot be understood."""


@dataclass(frozen=True)
class Threshold:
    text: str
    metric: str
    op: str
    limit: Decimal

    def broken_by(self, figures: dict[str, float]) -> bool:
        return _OPS[self.op](Decimal(repr(figures[self.metric])), self.limit)


def parse(text: str) -> Threshold:
    match = _PATTERN.match(text)
    if not match:
        raise ThresholdError(f"--fail-if: expected METRIC>VALUE such as p99_ms>50, got {text!r}")
    metric, op, value = match.groups()
    if metric not in DESCRIPTIONS:
        raise ThresholdError(
            f"--fail-if: unknown metric {metric!r} in {text!r}; known: {', '.join(sorted(DESCRIPTIONS))}"
        )
    try:
        limit = Decimal(value)
    except InvalidOperation:
        raise ThresholdError(f"--fail-if: {value!r} is not a number in {text!r}") from None
    return Threshold(text.strip(), metric, op, limit)


def broken(thresholds: list[Threshold], figures: dict[str, float]) -> list[str]:
    """One line per broken threshold, naming it and the measured value."""
    return [
        f"threshold broken: {t.text} (measured {figures[t.metric]:.6g})" for t in thresholds if t.broken_by(figures)
    ]
