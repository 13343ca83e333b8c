"""`ddbload compare`: runs side by side - config, each table's capacity mode, target against achieved
for open-model runs, throughput, latency, throttles, consumed capacity - with each run's change against
the first, and an "all runs" column: percentiles from merged histograms, rates added only when the runs
overlapped in time."""

from __future__ import annotations

from datetime import timedelta

from rich.table import Table

from . import _engine
from .cost import cents, hour_estimate
from .figures import QUANTILES, figures, offered_per_s, operation_figures, table_figures
from .resources import figure_prefix
from .result import started_at
from .result_types import Operation, RunResult
from .server_view import client_gap
from .summary import mode_text

# (label, figure, format, higher is better)
ROWS: list[tuple[str, str, str, bool]] = [
    ("reads/s", "reads_per_s", "{:,.1f}", True),
    ("writes/s", "writes_per_s", "{:,.1f}", True),
    *[(f"read {q} ms", f"read_{q}_ms", "{:,.2f}", False) for q in QUANTILES],
    *[(f"write {q} ms", f"write_{q}_ms", "{:,.2f}", False) for q in QUANTILES],
    ("throttle rate", "throttle_rate", "{:.2%}", False),
    ("error rate", "error_rate", "{:.2%}", False),
    ("read units/s", "read_units_per_s", "{:,.1f}", True),
    ("write units/s", "write_units_per_s", "{:,.1f}", True),
    ("peak read units/s", "peak_read_units_per_s", "{:,.1f}", True),
    ("peak write units/s", "peak_write_units_per_s", "{:,.1f}", True),
]
CONFIG_ROWS = ["threads", "duration_s", "read_ratio", "read_op", "write_op", "region", "endpoint_url"]
# Shown when any run is an open-model run: target against achieved.
OPEN_CONFIG_ROWS = ["rate", "stages", "max_in_flight", "key_distribution"]
OPEN_ROWS: list[tuple[str, str, str, bool]] = [
    ("offered ops/s (target)", "offered_per_s", "{:,.1f}", True),
    ("achieved ops/s", "ops_per_s", "{:,.1f}", True),
    ("dropped", "dropped", "{:,}", False),
    ("service p99 ms", "service_p99_ms", "{:,.2f}", False),
    ("scheduling lag p99 ms", "lag_p99_ms", "{:,.2f}", False),
]


# Rates of runs that overlapped in time add up to the load the tables saw; of runs at different
# times they do not.
SUMMED = ("reads_per_s", "writes_per_s", "offered_per_s", "ops_per_s", "dropped")


def overlapped(results: list[RunResult]) -> bool:
    """True when every run was sending during one common stretch of time."""
    spans = []
    for r in results:
        start = started_at(r)
        spans.append((start, start + timedelta(seconds=r["duration_s"])))
    return max(s for s, _ in spans) < min(e for _, e in spans)


def merged_latency(results: list[RunResult], op: Operation) -> dict[str, float]:
    """Percentiles of all runs' `op` latencies together: the histograms are merged, then read."""
    merged = _engine.merge_histograms([r["histograms"][op] for r in results])
    _, values = _engine.histogram_quantiles(merged, list(QUANTILES.values()))
    return dict(zip(QUANTILES, values))


def delta_text(base: float, value: float, higher_is_better: bool) -> str:
    if base == value:
        return ""
    if base == 0:
        return " (new)"
    change = (value - base) / abs(base)
    better = (change > 0) == higher_is_better
    return f" [{'green' if better else 'red'}]({'+' if change > 0 else ''}{change:.0%})[/]"


def comparison_table(results: list[RunResult], names: list[str]) -> Table:
    table = Table(title="Runs compared (changes against the first)")
    table.add_column("")
    for name in names:
        table.add_column(name, justify="right")
    table.add_column("all runs", justify="right")
    any_open = any(r["summary"].get("model") == "open" for r in results)
    table.add_row("model", *(r["summary"].get("model", "closed") for r in results), "")
    for key in CONFIG_ROWS + (OPEN_CONFIG_ROWS if any_open else []):
        table.add_row(key, *(str(r["config"].get(key)) for r in results), "")
    table.add_row("run id", *(r["run_id"] for r in results), "")
    for name in sorted({name for r in results for name in r.get("tables", {})}):
        table.add_row(
            f"{name} capacity",
            *(mode_text(r["tables"][name]) if name in r.get("tables", {}) else "-" for r in results),
            "",
        )
    at_once = overlapped(results)
    if not at_once:
        table.caption = "all runs: rates are added only for runs that overlapped in time; these did not"
    each = [figures(r) for r in results]
    for f, r in zip(each, results):
        f["offered_per_s"] = offered_per_s(r)
    merged = {op: merged_latency(results, op) for op in ("reads", "writes")}
    for label, key, fmt, higher in (OPEN_ROWS if any_open else []) + ROWS:
        cells = [fmt.format(each[0][key])]
        cells += [fmt.format(f[key]) + delta_text(each[0][key], f[key], higher) for f in each[1:]]
        total = ""
        if key in SUMMED:
            total = fmt.format(sum(f[key] for f in each)) if at_once else "-"
        elif key.startswith(("read_", "write_")) and key.endswith("_ms"):
            op, q = key.split("_")[0], key.split("_")[1]
            total = fmt.format(merged["reads" if op == "read" else "writes"][q])
        table.add_row(label, *cells, total)
    _operation_rows(table, results, at_once)
    _table_rows(table, results, at_once)
    _server_rows(table, results)
    hours = [_hour_costs(r) for r in results]
    for label, mode in COST_ROWS:
        table.add_row(label, *(h.get(mode, "-") for h in hours), "")
    return table


def _operation_rows(table: Table, results: list[RunResult], at_once: bool) -> None:
    """For workload files: each named operation's rate and p99 (the workshop's two are reads and writes)."""
    if not any(r["config"].get("workload") for r in results):
        return
    each = [operation_figures(r) for r in results]
    names = sorted({name for r in results for name in r.get("operations", {})})
    for name in names:
        for label, figure, fmt, higher in ((f"{name} ok/s", "per_s", "{:,.1f}", True),
                                           (f"{name} p99 ms", "p99_ms", "{:,.2f}", False)):  # fmt: skip
            key = f"op.{name}.{figure}"
            values = [f.get(key) for f in each]
            total = _operation_total(results, name, figure, values, fmt, at_once)
            table.add_row(label, *_cells(values, fmt, higher), total)


def _table_rows(table: Table, results: list[RunResult], at_once: bool) -> None:
    """For workload files: each table's and global index's busiest second of units and its throttles."""
    if not any(r["config"].get("workload") for r in results):
        return
    each = [table_figures(r) for r in results]
    names = sorted({name for r in results for name in r["consumed_capacity"]})
    for name in names:
        prefix = figure_prefix(name)
        for label, figure, higher, summed in ((f"{name} peak read units/s", "peak_read_units_per_s", True, False),
                                              (f"{name} peak write units/s", "peak_write_units_per_s", True, False),
                                              (f"{name} throttled", "throttled", False, True)):  # fmt: skip
            values = [f.get(f"{prefix}.{figure}") for f in each]
            cells = _cells(values, "{:,.1f}", higher)
            known = [v for v in values if v is not None]
            total = f"{sum(known):,.1f}" if summed and at_once and len(known) == len(values) else "-"
            table.add_row(label, *cells, total)


def _server_rows(table: Table, results: list[RunResult]) -> None:
    """From each run's server_view: DynamoDB's own mean latency per operation kind, and what the client
    side added to it (network, TLS, retries, queueing)."""
    gaps = [{kind: (server, client) for kind, server, client in client_gap(r, r.get("server_view") or {})}
            for r in results]  # fmt: skip
    if not any(gaps):
        return
    for kind in ("reads", "writes"):
        for label, pick in ((f"{kind} mean ms inside DynamoDB", 0), (f"{kind} ms added client-side", 1)):
            values = [None if kind not in g else (g[kind][0] if pick == 0 else g[kind][1] - g[kind][0]) for g in gaps]
            if any(v is not None for v in values):
                table.add_row(label, *_cells(values, "{:,.2f}", False), "")


def _cells(values: list[float | None], fmt: str, higher: bool) -> list[str]:
    """Each run's figure ('-' when it has none), with its change against the first run's."""
    base = values[0]
    return ["-" if base is None else fmt.format(base)] + [
        "-" if v is None else fmt.format(v) + ("" if base is None else delta_text(base, v, higher)) for v in values[1:]
    ]


def _operation_total(
    results: list[RunResult], name: str, figure: str, values: list[float | None], fmt: str, at_once: bool
) -> str:
    """The all-runs cell: rates added when the runs overlapped, p99 from the merged histograms."""
    if any(v is None for v in values):
        return "-"
    if figure == "per_s":
        return fmt.format(sum(v for v in values if v is not None)) if at_once else "-"
    encoded = []
    for r in results:
        kept = r["histograms"].get("operations", {})
        if name not in kept:
            return "-"
        encoded.append(kept[name]["latency"])
    _, (p99,) = _engine.histogram_quantiles(_engine.merge_histograms(encoded), [0.99])
    return fmt.format(p99)


# An hour of each run's demand, priced as `ddbload cost RESULT --hours 1` does at the shipped prices.
COST_ROWS = (
    ("$/hour on-demand", "on_demand"),
    ("$/hour provisioned at peak", "provisioned_peak"),
    ("$/hour auto scaling", "provisioned_autoscaling"),
)


def _hour_costs(result: RunResult) -> dict[str, str]:
    """Each mode's dollars for an hour of the run's demand; none where the shipped prices lack its region."""
    priced = hour_estimate(result)
    if priced is None:
        return {}
    modes = priced[1]["modes"]
    return {mode: f"{cents(modes[mode]['usd']):,}" for _, mode in COST_ROWS}
