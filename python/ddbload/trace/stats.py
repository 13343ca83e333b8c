"""A trace's statistics, in memory that does not grow with its length: calls per second, the operation
mix per table, errors, and each table's most frequent keys (a frequent-items sketch: exact while the
distinct keys fit, else estimates with bounds)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from datasketches import frequent_items_error_type, frequent_strings_sketch

from .read import Call, Skipped

# 2^14 counters per table: exact up to about 12,000 distinct keys; bounded memory beyond.
SKETCH_LG_SIZE = 14


@dataclass
class TopKey:
    key: str
    calls: int  # the estimate; equal to the bounds when exact
    lower: int
    upper: int
    share: float  # of the table's keyed calls

    @property
    def exact(self) -> bool:
        return self.lower == self.upper


@dataclass
class TraceStats:
    per_second: Counter[int] = field(default_factory=Counter)
    operations: Counter[tuple[str, str]] = field(default_factory=Counter)  # (table, operation)
    errors: Counter[str] = field(default_factory=Counter)
    keys: dict[str, frequent_strings_sketch] = field(default_factory=dict)
    skipped: Skipped = field(default_factory=Skipped)
    bad: list[str] = field(default_factory=list)  # each bad record's line (with --skip-bad)

    def add(self, call: Call) -> None:
        self.per_second[call.second] += 1
        for table in call.tables or ("(PartiQL)",):
            self.operations[(table, call.operation)] += 1
        if call.error:
            self.errors[call.error] += 1
        for table, key in call.keys:
            sketch = self.keys.get(table)
            if sketch is None:
                sketch = self.keys[table] = frequent_strings_sketch(SKETCH_LG_SIZE)
            sketch.update(key)

    @property
    def calls(self) -> int:
        return sum(self.per_second.values())

    @property
    def busiest(self) -> tuple[int, int] | None:
        """(second, calls) of the busiest second."""
        return max(self.per_second.items(), key=lambda item: (item[1], -item[0])) if self.per_second else None

    def top_keys(self, table: str, count: int) -> list[TopKey]:
        sketch = self.keys.get(table)
        if sketch is None:
            return []
        total = sketch.total_weight or 1
        items = sketch.get_frequent_items(frequent_items_error_type.NO_FALSE_NEGATIVES)
        ranked = sorted(items, key=lambda item: (-item[1], item[0]))[:count]
        return [TopKey(key, int(est), int(low), int(high), est / total) for key, est, low, high in ranked]

    def seconds(self) -> tuple[list[int], list[int]]:
        """Every second from the first to the last (quiet ones as 0) and its calls."""
        if not self.per_second:
            return [], []
        first, last = min(self.per_second), max(self.per_second)
        span = list(range(first, last + 1))
        return span, [self.per_second.get(s, 0) for s in span]
