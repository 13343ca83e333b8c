"""A self-contained HTML report of one result, charts drawn with plotly: reads/writes per second,
throttles, consumed vs provisioned units, latency over time and the latency distribution."""

from __future__ import annotations

import html
from typing import Any

from . import _engine
from .figures import figures

# Quantiles for the distribution chart: dense towards the tail, where the trouble is.
DISTRIBUTION = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999, 1.0]


def _rates(rows: list[dict[str, Any]], key: str) -> list[float]:
    return [row[key] / (row["seconds"] or 1.0) for row in rows]


def charts(result: dict[str, Any]) -> list[tuple[str, Any]]:
    import plotly.graph_objects as go

    rows = result["timeseries"]
    t = [row["t"] for row in rows]
    out = []

    fig = go.Figure()
    fig.add_scatter(x=t, y=_rates(rows, "reads_ok"), name="reads/s", mode="lines")
    fig.add_scatter(x=t, y=_rates(rows, "writes_ok"), name="writes/s", mode="lines")
    out.append(("Operations per second", fig))

    fig = go.Figure()
    fig.add_bar(x=t, y=_rates(rows, "throttled"), name="throttled attempts/s")
    fig.add_bar(x=t, y=_rates(rows, "errors"), name="failed operations/s")
    out.append(("Throttles and errors per second", fig))

    fig = go.Figure()
    fig.add_scatter(x=t, y=_rates(rows, "read_units"), name="read units/s consumed", mode="lines")
    fig.add_scatter(x=t, y=_rates(rows, "write_units"), name="write units/s consumed", mode="lines")
    if any(row.get("provisioned") for row in rows):
        # Per table, per second: auto scaling's steps show where they happened.
        for table in sorted({name for row in rows for name in row.get("provisioned", {})}):
            for kind, dash in (("read", "dash"), ("write", "dot")):
                figures = [(row.get("provisioned", {}).get(table) or {}).get(kind) for row in rows]
                if any(v is not None for v in figures):
                    fig.add_scatter(x=t, y=figures, name=f"{table} provisioned {kind}", mode="lines",
                                    line={"dash": dash, "shape": "hv"})  # fmt: skip
    else:
        rcu = sum(info.get("read_capacity_units") or 0 for info in result["tables"].values())
        wcu = sum(info.get("write_capacity_units") or 0 for info in result["tables"].values())
        if rcu:
            fig.add_hline(y=rcu, line_dash="dash", annotation_text=f"provisioned RCU {rcu}")
        if wcu:
            fig.add_hline(y=wcu, line_dash="dot", annotation_text=f"provisioned WCU {wcu}")
    out.append(("Consumed vs provisioned capacity units", fig))

    fig = go.Figure()
    fig.add_scatter(x=t, y=[row["p99_ms"] for row in rows], name="p99 ms", mode="lines+markers")
    out.append(("p99 latency over time (ms)", fig))

    fig = go.Figure()
    for op in ("reads", "writes"):
        count, values = _engine.histogram_quantiles(result["histograms"][op], DISTRIBUTION)
        if count:
            fig.add_scatter(x=[q * 100 for q in DISTRIBUTION], y=values, name=op, mode="lines+markers")
    fig.update_xaxes(title="percentile")
    fig.update_yaxes(title="ms", type="log")
    out.append(("Latency distribution", fig))
    for title, fig in out:
        fig.update_layout(title=title, height=360, margin={"t": 50, "b": 40})
    return out


def render(result: dict[str, Any]) -> str:
    f = figures(result)
    parts = []
    for index, (_title, fig) in enumerate(charts(result)):
        # plotly.js goes inline once, so the file works offline and alone.
        parts.append(fig.to_html(full_html=False, include_plotlyjs=index == 0, div_id=f"chart-{index}"))
    cfg = result["config"]
    rows = "".join(
        f"<tr><th>{html.escape(label)}</th><td>{value}</td></tr>"
        for label, value in (
            ("run", html.escape(result["run_id"])),
            ("started", html.escape(result["started_at"])),
            ("workers / duration", f"{cfg['threads']} / {result['duration_s']:.1f} s"),
            ("reads/s, p99", f"{f['reads_per_s']:,.1f}, {f['read_p99_ms']:.2f} ms"),
            ("writes/s, p99", f"{f['writes_per_s']:,.1f}, {f['write_p99_ms']:.2f} ms"),
            ("throttle rate", f"{f['throttle_rate']:.2%}"),
            ("errors", f"{f['errors']:,.0f}"),
        )
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>ddbload run {html.escape(result['run_id'])}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "th,td{padding:4px 12px;border-bottom:1px solid #ddd;text-align:left}</style></head><body>"
        f"<h1>ddbload run {html.escape(result['run_id'])}</h1><table>{rows}</table>" + "".join(parts) + "</body></html>"
    )
