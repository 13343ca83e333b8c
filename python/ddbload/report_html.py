"""A self-contained HTML report of one result (plotly.js inlined once: it opens offline): a header with
the run's settings, each table's capacity mode, the endpoint (offline marked), the --fail-if verdicts
and the advice; then, over wall-clock time, operations per second, each table's consumed against
provisioned units, throttles and errors, per-operation p50/p99, and the latency distribution on a
percentile axis (HdrHistogram style)."""

from __future__ import annotations

import base64
import gzip
import html
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from . import _engine
from .advise import advise, kept_request_ids, offline_endpoint
from .cost import cents, hour_estimate
from .figures import figures
from .resources import resource_info, split
from .result import started_at
from .result_types import RunResult, TimeseriesRow
from .scenario import describe
from .summary import mode_text, throttle_reasons
from .thresholds import Threshold, measured, shown
from .verdict import verdict

# The distribution's x axis is 1 / (1 - quantile) on a log scale, so 90, 99, 99.9 and 99.99 are evenly
# spaced instead of crushed against the right edge.
PERCENTILE_TICKS = {"0": 1, "50": 2, "90": 10, "99": 100, "99.9": 1000, "99.99": 10000}
DISTRIBUTION = [1 - 10 ** (-k / 20) for k in range(81)]
CHART_HEIGHT = 360
# A time-series row at least this long is a whole second (the last one is usually shorter).
FULL_SECOND = 0.999
# Figures on one chart further apart than this go on a log axis.
WIDE_RANGE = 20
# The per-second counts of a time-series row.
RowCount = Literal["reads_ok", "writes_ok", "throttled", "errors", "dropped"]


def _full_seconds(rows: list[TimeseriesRow]) -> list[TimeseriesRow]:
    """Rows of whole seconds: the last, partial one (operations that ended after the deadline) would
    draw as a false cliff or spike."""
    return [row for row in rows if row["seconds"] >= FULL_SECOND]


def _clock(result: RunResult, rows: list[TimeseriesRow]) -> list[str]:
    """Each row's wall-clock time (the end of its second), UTC."""
    start = started_at(result)
    return [(start + timedelta(seconds=row["t"])).strftime("%Y-%m-%d %H:%M:%S") for row in rows]


def _per_second(rows: list[TimeseriesRow], *keys: RowCount) -> list[float]:
    """The sum of `keys` in each row, per second of that row."""
    return [sum(row.get(key, 0) for key in keys) / row["seconds"] for row in rows]


def charts(result: RunResult) -> list[tuple[str, Any]]:
    rows = _full_seconds(result["timeseries"])
    x = _clock(result, rows)
    named = list(result.get("operations", {})) if result["config"].get("workload") else []
    out = [("Operations per second", _rate_chart(rows, x, named))]
    for table, info in sorted(result["tables"].items()):
        out.append((f"{table} ({mode_text(info)}): consumed and provisioned units", _table_chart(table, info, rows, x)))
        # A workload file's global indexes have their units kept apart, and capacity of their own.
        for name in sorted(n for n in result["consumed_capacity"] if split(n)[0] == table and split(n)[1]):
            index = resource_info(result, name)
            out.append((f"{name} ({mode_text(index)}): consumed and provisioned units",
                        _table_chart(name, index, rows, x)))  # fmt: skip
    out += [
        ("Throttles by reason, and errors, per second", _throttle_chart(rows, x)),
        ("Latency over time: p50 and p99 per operation", _latency_chart(rows, x, named, result)),
        ("Latency distribution (from each operation's intended start)", _distribution_chart(result)),
    ]
    for table in sorted(result.get("keys") or {}):
        if any(table in row.get("keys", {}) for row in rows):
            out.append((f"{table}: its busiest keys over time, attempts per second (a gap: not among that "
                        "second's five busiest)", _keys_chart(table, result, rows, x)))  # fmt: skip
    for title, fig in out:
        fig.update_layout(title=title, height=CHART_HEIGHT, margin={"t": 50, "b": 90},
                          legend={"orientation": "h", "y": -0.3})  # fmt: skip
        if title.startswith("Latency distribution"):
            continue
        fig.update_xaxes(title="time (UTC)", type="date")
        _mark_timeline(fig, result)
    return out


def _mark_timeline(fig: Any, result: RunResult) -> None:
    """A GameDay's steps as dashed lines across the chart, each labelled with what it did."""
    start = started_at(result)
    for step in (result.get("timeline") or {}).get("steps", []):
        if step.get("applied_s") is None:
            continue
        at = (start + timedelta(seconds=step["applied_s"])).strftime("%Y-%m-%d %H:%M:%S.%f")
        label = ("undo: " if step["undo"] else "") + step["what"]
        fig.add_shape(type="line", x0=at, x1=at, yref="paper", y0=0, y1=1, line={"dash": "dash", "color": "gray"})
        fig.add_annotation(x=at, yref="paper", y=1, text=label, showarrow=False, textangle=-90, xanchor="right",
                           yanchor="top", font={"size": 10, "color": "gray"})  # fmt: skip


# A named operation's percentile lines: label, its key in the row, dash.
OPERATION_PERCENTILES: list[tuple[str, Literal["p50_ms", "p99_ms"], str]] = [
    ("p50", "p50_ms", "dot"),
    ("p99", "p99_ms", "solid"),
]


def _operation_rate(row: TimeseriesRow, name: str) -> float:
    """A named operation's completions a second in one row (none ended that second: 0)."""
    second = row.get("operations", {}).get(name)
    return (second["ok"] if second else 0) / row["seconds"]


def _operation_percentile(row: TimeseriesRow, name: str, key: Literal["p50_ms", "p99_ms"]) -> float | None:
    second = row.get("operations", {}).get(name)
    return second[key] if second else None


def _rate_chart(rows: list[TimeseriesRow], x: list[str], named: list[str]) -> Any:
    """Reads and writes a second (a workload file: each of its operations)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for name in named:
        fig.add_scatter(x=x, y=[_operation_rate(row, name) for row in rows], name=f"{name}/s", mode="lines")
    if not named:
        fig.add_scatter(x=x, y=_per_second(rows, "reads_ok"), name="reads/s", mode="lines")
        fig.add_scatter(x=x, y=_per_second(rows, "writes_ok"), name="writes/s", mode="lines")
    if any("target_rate" in row for row in rows):
        # Target against achieved, and the arrivals the load generator could not send.
        fig.add_scatter(x=x, y=[row.get("target_rate") for row in rows], name="target/s",
                        mode="lines", line={"dash": "dash"})  # fmt: skip
        fig.add_scatter(x=x, y=_per_second(rows, "reads_ok", "writes_ok"), name="completed/s", mode="lines")
        fig.add_bar(x=x, y=_per_second(rows, "dropped"), name="dropped arrivals/s", marker={"color": "#d62728"})
    fig.update_yaxes(title="operations per second")
    return fig


def _throttle_chart(rows: list[TimeseriesRow], x: list[str]) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    throttled, errors = _per_second(rows, "throttled"), _per_second(rows, "errors")
    if not any(throttled) and not any(errors):
        _say(fig, "no throttles and no errors")
        return fig
    reasons = sorted({r for row in rows for r in row.get("throttled_by_reason", {})})
    for reason in reasons:
        counts = [row.get("throttled_by_reason", {}).get(reason, 0) / row["seconds"] for row in rows]
        fig.add_bar(x=x, y=counts, name=f"throttled: {reason}")
    if not reasons:  # results from before reasons were kept per second
        fig.add_bar(x=x, y=throttled, name="throttled attempts/s")
    fig.add_bar(x=x, y=errors, name="failed operations/s")
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="per second")
    return fig


def _latency_chart(rows: list[TimeseriesRow], x: list[str], named: list[str], result: RunResult) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    # DynamoDB's own mean latency of each period (server_view), beside the client's percentiles.
    for kind, points in (result.get("server_view") or {}).get("latency_by_period", {}).items():
        if points:
            when = [datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S") for t, _ in points]
            fig.add_scatter(x=when, y=[ms for _, ms in points], name=f"{kind} mean inside DynamoDB", mode="lines",
                            line={"dash": "dash"})  # fmt: skip
    for name in named:
        for q, key, dash in OPERATION_PERCENTILES:
            percentiles = [_operation_percentile(row, name, key) for row in rows]
            if any(v is not None for v in percentiles):
                fig.add_scatter(x=x, y=percentiles, name=f"{name} {q}", mode="lines", line={"dash": dash})
    for op in ("read", "write") if not named else ():
        for q, dash in (("p50", "dot"), ("p99", "solid")):
            values = [row.get(f"{op}_{q}_ms") for row in rows]
            if any(v is not None for v in values):
                fig.add_scatter(x=x, y=values, name=f"{op} {q}", mode="lines", line={"dash": dash})
    if not fig.data:  # results from before per-operation seconds
        fig.add_scatter(x=x, y=[row["p99_ms"] for row in rows], name="p99 (reads and writes)", mode="lines")
    fig.update_yaxes(title="ms", rangemode="tozero")
    return fig


KEYS_CHARTED = 3


def _keys_chart(table: str, result: RunResult, rows: list[TimeseriesRow], x: list[str]) -> Any:
    """The run's busiest keys of `table`, each second's attempts at them."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for busiest in (result.get("keys") or {})[table]["attempts"][:KEYS_CHARTED]:
        key = busiest["key"]
        per_second = [
            next((k["count"] / row["seconds"] for k in row.get("keys", {}).get(table, []) if k["key"] == key), None)
            for row in rows
        ]
        fig.add_scatter(x=x, y=per_second, name=key, mode="lines+markers")
    fig.update_yaxes(title="attempts/s", rangemode="tozero")
    return fig


def _distribution_chart(result: RunResult) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    curves = {op: result["histograms"][op] for op in ("reads", "writes")}
    if result["config"].get("workload"):
        # A workload file's operations each get their own curve.
        curves = {name: kept["latency"] for name, kept in result["histograms"].get("operations", {}).items()}
    for name, encoded in curves.items():
        count, values = _engine.histogram_quantiles(encoded, DISTRIBUTION)
        if count:
            fig.add_scatter(x=[1 / (1 - q) for q in DISTRIBUTION], y=values, name=name, mode="lines")
    if not fig.data:
        _say(fig, "no successful operations")
        return fig
    fig.update_xaxes(title="percentile", type="log", tickvals=list(PERCENTILE_TICKS.values()),
                     ticktext=list(PERCENTILE_TICKS))  # fmt: skip
    fig.update_yaxes(title="ms", rangemode="tozero")
    return fig


def _table_chart(table: str, info: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], x: list[str]) -> Any:
    """One table's read and write units consumed each second against its provisioned figures (the
    steps auto scaling takes) or, on-demand, its warm throughput. `info` (a TableInfo) and `rows`
    (TimeseriesRows) are read as plain mappings: their keys are built from each kind."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for kind, color in (("read", "#1f77b4"), ("write", "#d62728")):
        provisioned = [(row.get("provisioned", {}).get(table) or {}).get(kind) for row in rows]
        if any(v is not None for v in provisioned):
            fig.add_scatter(x=x, y=provisioned, name=f"provisioned {kind} units", mode="lines",
                            line={"color": color, "dash": "dash", "shape": "hv"})  # fmt: skip
        elif info.get("billing_mode") == "PROVISIONED" and info.get(f"{kind}_capacity_units"):
            fig.add_hline(y=info[f"{kind}_capacity_units"], line={"color": color, "dash": "dash"},
                          annotation_text=f"provisioned {kind} {info[f'{kind}_capacity_units']}")  # fmt: skip
        warm = info.get(f"warm_{kind}_units_per_second")
        if info.get("billing_mode") != "PROVISIONED" and warm:
            fig.add_hline(y=warm, line={"color": color, "dash": "dot"}, annotation_text=f"warm {kind} {warm:,}")
    # Consumed last, over the capacity lines: where it sits on its limit it must still show.
    for kind, color in (("read", "#1f77b4"), ("write", "#d62728")):
        if any("units" in row for row in rows):
            used = [(row.get("units", {}).get(table) or {}).get(f"{kind}_units", 0) / row["seconds"] for row in rows]
            fig.add_scatter(x=x, y=used, name=f"{kind} units/s consumed", mode="lines+markers",
                            line={"color": color, "width": 3}, marker={"size": 5})  # fmt: skip
    if not fig.data:
        _say(fig, "no per-table figures in this result (recorded since ddbload 0.2)")
        return fig
    levels = [v for trace in fig.data for v in trace.y if v] + [s.y0 for s in fig.layout.shapes if s.y0]
    if levels and max(levels) > WIDE_RANGE * min(levels):
        # A first-second burst of hundreds of units must not flatten a provisioned line at 2.
        fig.update_yaxes(title="units per second (log scale)", type="log")
    else:
        fig.update_yaxes(title="units per second", rangemode="tozero")
    return fig


def _say(fig: Any, text: str) -> None:
    """An empty chart says why instead of drawing an empty axis."""
    fig.add_annotation(text=text, showarrow=False, font={"size": 16}, xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)


_VERDICT_CLASS = {"held": "held", "client_limited": "offline", "interrupted": "offline"}


def header(result: RunResult, thresholds: list[Threshold] | None = None) -> str:
    """The run at a glance: settings, tables, endpoint, verdicts and the advice."""
    f, cfg, summary = figures(result), result["config"], result["summary"]
    values = measured(result)
    outcome = result.get("verdict") or verdict(result)
    offline = offline_endpoint(result)
    endpoint = html.escape(cfg.get("endpoint_url") or f"AWS, {cfg['region']}")
    if offline:
        endpoint += " <b class='offline'>OFFLINE: a local endpoint; rerun against AWS before trusting the figures</b>"
    partial = [row for row in result["timeseries"] if row["seconds"] < FULL_SECOND]
    items: list[tuple[str, str]] = [
        ("verdict", f"<b class='{_VERDICT_CLASS.get(outcome['outcome'], 'broken')}'>{outcome['outcome']}</b>"
         + "".join(f"<br>{html.escape(reason)}" for reason in outcome["reasons"])),
        ("run", html.escape(result["run_id"]) + (" (interrupted)" if result["interrupted"] else "")),
        ("started (UTC), length", f"{html.escape(result['started_at'])}, {result['duration_s']:.1f} s"),
        ("load", html.escape(f"{describe(result)}; {cfg['read_op']} / {cfg['write_op']}")),
        ("endpoint", endpoint),
        *[(f"table {html.escape(name)}", html.escape(f"{info.get('role', '')}: {mode_text(info)}"))
          for name, info in sorted(result["tables"].items())],
        ("reads/s, p99", f"{f['reads_per_s']:,.1f}, {f['read_p99_ms']:.2f} ms"),
        ("writes/s, p99", f"{f['writes_per_s']:,.1f}, {f['write_p99_ms']:.2f} ms"),
        ("throttle rate", f"{f['throttle_rate']:.2%}"
         + "".join(f"; {html.escape(r)} {n:,}" for r, n in throttle_reasons(summary))),
        ("errors", f"{f['errors']:,.0f}"),
        *_operation_items(result),
    ]  # fmt: skip
    for t in thresholds or []:
        held = "<b class='broken'>broken</b>" if t.broken_by(values) else "<b class='held'>held</b>"
        items.append((f"--fail-if {html.escape(t.text)}", f"{held} (measured {html.escape(shown(values[t.metric]))})"))
    items.append(("advice", html.escape(advise(result).summary)))
    priced = hour_estimate(result)
    if priced is not None:
        modes = priced[1]["modes"]
        items.append(
            (
                "an hour of this demand",
                f"on-demand ${cents(modes['on_demand']['usd']):,}, provisioned at the peak "
                f"${cents(modes['provisioned_peak']['usd']):,}, auto scaling "
                f"${cents(modes['provisioned_autoscaling']['usd']):,} "
                f"({modes['provisioned_autoscaling']['throttled_seconds']:,} s short; prices of "
                f"{priced[0].dated.isoformat()}, `ddbload cost`)",
            )
        )
    kept = kept_request_ids(result)
    if kept:
        items.append(("request IDs to cite", html.escape(", ".join(kept[:5]))))
    if partial:
        items.append(("note", f"the last, partial second ({partial[-1]['seconds']:.2f} s) is left out of the "
                              "per-second charts; the totals include it"))  # fmt: skip
    return "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in items)


def _operation_items(result: RunResult) -> list[tuple[str, str]]:
    """A workload file's named operations, one row each (the workshop's two are the reads and writes rows)."""
    if not result["config"].get("workload"):
        return []
    rows = []
    for name, op in result.get("operations", {}).items():
        failed = sum(op["errors"].values())
        rows.append(
            (
                f"operation {html.escape(name)}",
                f"{op['per_second']:,.1f}/s, p99 {op['latency_ms']['p99']:.2f} ms; "
                f"throttled {op['throttled_attempts']:,}, conditions failed {op['conditional_check_failed']:,}, "
                f"errors {failed:,}",
            )
        )
    return rows


def plotly_inline() -> str:
    """plotly.js, inlined once so the report opens offline, gzip-compressed (4.8 MB becomes about 2 MB):
    the browser unpacks it (DecompressionStream) and then draws every chart queued in ddbloadCharts."""
    from plotly.offline import get_plotlyjs

    packed = base64.b64encode(gzip.compress(get_plotlyjs().encode(), 9)).decode()
    return (
        "<script>window.ddbloadCharts=[];document.addEventListener('DOMContentLoaded',async()=>{"
        f"const bytes=Uint8Array.from(atob('{packed}'),c=>c.charCodeAt(0));"
        "const js=await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();"
        "const s=document.createElement('script');s.text=js;document.head.appendChild(s);"
        "for(const [id,fig] of window.ddbloadCharts){Plotly.newPlot(id,fig.data,fig.layout,{responsive:true});}"
        "});</script>"
    )


def render(result: RunResult, thresholds: list[Threshold] | None = None) -> str:
    parts = [plotly_inline()]
    for index, (_title, fig) in enumerate(charts(result)):
        parts.append(
            f"<div id='chart-{index}' class='chart'></div>"
            f"<script>window.ddbloadCharts.push(['chart-{index}',{fig.to_json()}]);</script>"
        )
    run_id = html.escape(result["run_id"])
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>ddbload run {run_id}</title>"
        "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}"
        "th,td{padding:4px 12px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}"
        ".offline,.broken{color:#b00}.held{color:#070}</style></head><body>"
        f"<h1>ddbload run {run_id}</h1><table id='header'>{header(result, thresholds)}</table>"
        + "".join(parts)
        + "</body></html>"
    )
