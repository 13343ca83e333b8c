"""`--csv FILE`: the result's per-second rows as CSV (one row a second, rates, provisioned figures, units
per table and index, and a workload file's operations)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .output import check_output_path, write_text
from .result_types import RunResult

BASE_COLUMNS = [
    "t", "seconds", "target_rate", "offered", "dropped", "reads_ok", "writes_ok", "reads_per_s",
    "writes_per_s", "throttled", "errors", "read_units", "write_units", "p99_ms",
]  # fmt: skip
HEADER_START = ",".join(BASE_COLUMNS[:4])
# A workload file's operations: these columns each, named OPERATION:column.
OPERATION_COLUMNS = ["ok_per_s", "throttled", "errors", "p50_ms", "p99_ms"]


def is_ddbload_csv(prefix: str) -> bool:
    """A file ddbload wrote with --csv: it starts with our header."""
    return prefix.startswith(HEADER_START)


def check_csv_path(path: Path) -> None:
    check_output_path(path, is_ddbload_csv)


def render_csv(result: RunResult) -> str:
    rows = result["timeseries"]
    tables = sorted({name for row in rows for name in (row.get("provisioned") or {})})
    columns = BASE_COLUMNS + [f"{table}:provisioned_{kind}" for table in tables for kind in ("read", "write")]
    # Units consumed each second by each table (and a workload file's global index, TABLE/index/NAME).
    consumers = sorted({name for row in rows for name in row.get("units", {})})
    columns += [f"{name}:{kind}_units_per_s" for name in consumers for kind in ("read", "write")]
    # The workshop's two operations are the reads and writes columns already.
    operations = list(result.get("operations", {})) if result["config"].get("workload") else []
    columns += [f"{name}:{column}" for name in operations for column in OPERATION_COLUMNS]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        # A partial last second is a count over `seconds`; per-second rates are scaled to it.
        seconds = row["seconds"] or 1.0
        line = {key: row.get(key) for key in BASE_COLUMNS if key in row}
        line["reads_per_s"] = round(row["reads_ok"] / seconds, 3)
        line["writes_per_s"] = round(row["writes_ok"] / seconds, 3)
        for table, figures in (row.get("provisioned") or {}).items():
            for kind in ("read", "write"):
                line[f"{table}:provisioned_{kind}"] = figures.get(kind)
        for name in consumers:
            units = row.get("units", {}).get(name)
            for kind, key in (("read", "read_units"), ("write", "write_units")):
                line[f"{name}:{kind}_units_per_s"] = round((units[key] if units else 0.0) / seconds, 3)  # type: ignore[literal-required]
        for name in operations:
            # A second in which an operation neither ended nor was throttled has no entry: zeros.
            second = row.get("operations", {}).get(name)
            line[f"{name}:ok_per_s"] = round((second["ok"] if second else 0) / seconds, 3)
            line[f"{name}:throttled"] = second["throttled"] if second else 0
            line[f"{name}:errors"] = second["errors"] if second else 0
            line[f"{name}:p50_ms"] = second["p50_ms"] if second else None
            line[f"{name}:p99_ms"] = second["p99_ms"] if second else None
        writer.writerow(line)
    return out.getvalue().rstrip("\n")


def write_csv(result: RunResult, path: Path) -> Path:
    check_csv_path(path)
    return write_text(path, render_csv(result))
