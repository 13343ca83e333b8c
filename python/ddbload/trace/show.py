"""A trace's statistics shown: on the terminal (a calls-per-second chart drawn with plotext, rich tables)
and as a self-contained HTML page (plotly, inlined as in the run report)."""

from __future__ import annotations

import html
from datetime import datetime, timezone
from typing import Any

import plotext
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..report_html import plotly_inline
from .stats import TraceStats

# The terminal chart shows at most this many points: each the busiest second of its slice.
TERMINAL_POINTS = 240
GENERATOR = "<meta name='generator' content='ddbload trace stats'>"


def utc(second: int) -> str:
    return datetime.fromtimestamp(second, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def headline(stats: TraceStats, files: int) -> list[str]:
    span = stats.seconds()[0]
    if not span:
        return [f"{files} file(s): no DynamoDB data-plane calls"]
    busiest = stats.busiest
    assert busiest is not None
    lines = [
        f"{files} file(s): {stats.calls:,} calls from {utc(span[0])} to {utc(span[-1])} ({len(span):,} s)",
        f"average {stats.calls / len(span):,.1f} calls/s; busiest second {utc(busiest[0])} with {busiest[1]:,} calls",
    ]
    skipped = stats.skipped
    if skipped.management or skipped.other_services or skipped.not_events:
        lines.append(
            f"skipped: {skipped.management:,} management events, {skipped.other_services:,} other services' "
            f"events, {skipped.not_events:,} documents that are no event (digest files)"
        )
    return lines


def terminal_chart(stats: TraceStats, width: int) -> str:
    span, counts = stats.seconds()
    if not span:
        return ""
    step = max(1, -(-len(span) // TERMINAL_POINTS))
    x = [i * step for i in range(-(-len(span) // step))]
    y = [max(counts[i : i + step]) for i in x]
    plotext.clear_figure()
    plotext.plot(x, y, marker="braille")
    plotext.title("calls per second" + (f" (busiest of each {step} s)" if step > 1 else ""))
    plotext.xlabel(f"seconds from {utc(span[0])}")
    plotext.plotsize(max(40, min(width, 160)), 16)
    return str(plotext.build())


def operation_table(stats: TraceStats) -> Table:
    table = Table(title="Operations per table")
    for column, justify in (("table", "left"), ("operation", "left"), ("calls", "right"), ("share", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    total = stats.calls or 1
    for (name, operation), calls in sorted(stats.operations.items(), key=lambda item: (item[0][0], -item[1])):
        table.add_row(name, operation, f"{calls:,}", f"{calls / total:.1%}")
    return table


def key_table(stats: TraceStats, top: int) -> Table:
    table = Table(title=f"Top {top} keys per table (share of the table's keyed calls)")
    for column, justify in (("table", "left"), ("key", "left"), ("calls", "right"), ("share", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for name in sorted(stats.keys):
        for k in stats.top_keys(name, top):
            calls = f"{k.calls:,}" if k.exact else f"{k.lower:,}-{k.upper:,}"
            table.add_row(name, k.key, calls, f"{k.share:.2%}")
    return table


def show(console: Console, stats: TraceStats, files: int, top: int) -> None:
    for line in headline(stats, files):
        console.print(line, highlight=False)
    chart = terminal_chart(stats, console.width)
    if chart:
        console.print(Text.from_ansi(chart))
    console.print(operation_table(stats))
    if stats.keys:
        console.print(key_table(stats, top))
    for error, calls in stats.errors.most_common():
        console.print(f"errors in production: {calls:,} calls answered {error}", highlight=False)
    if stats.bad:
        console.print(f"bad records skipped (--skip-bad): {len(stats.bad):,}", highlight=False)
        for line in stats.bad[:5]:
            console.print(f"  {line}", highlight=False)


def page(stats: TraceStats, files: int, top: int) -> str:
    """The HTML page: the headline, calls per second over UTC time, the operation mix and the top keys."""
    import plotly.graph_objects as go

    span, counts = stats.seconds()
    clock = [datetime.fromtimestamp(s, timezone.utc).strftime("%Y-%m-%d %H:%M:%S") for s in span]
    rate = go.Figure(go.Scatter(x=clock, y=counts, mode="lines", name="calls/s"))
    rate.update_layout(title="Calls per second (UTC)", height=360, yaxis_title="calls/s")
    mix = go.Figure(
        [
            go.Bar(name=operation, x=[t for (t, o) in stats.operations if o == operation],
                   y=[c for (t, o), c in stats.operations.items() if o == operation])
            for operation in sorted({o for _, o in stats.operations})
        ]
    )  # fmt: skip
    mix.update_layout(title="Operations per table", barmode="stack", height=360)
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td><code>{html.escape(k.key)}</code></td>"
        f"<td>{k.calls:,}{'' if k.exact else f' ({k.lower:,}-{k.upper:,})'}</td><td>{k.share:.2%}</td></tr>"
        for name in sorted(stats.keys)
        for k in stats.top_keys(name, top)
    )
    charts = "".join(
        f"<div id='chart-{i}'></div><script>window.ddbloadCharts.push(['chart-{i}',{fig.to_json()}]);</script>"
        for i, fig in enumerate((rate, mix))
    )
    lines = "".join(f"<p>{html.escape(line)}</p>" for line in headline(stats, files))
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{GENERATOR}<title>ddbload trace stats</title>"
        "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}"
        "th,td{padding:4px 12px;border-bottom:1px solid #ddd;text-align:left}</style></head><body>"
        f"<h1>Trace statistics</h1>{lines}{plotly_inline()}{charts}<h2>Top keys</h2>"
        f"<table><tr><th>table</th><th>key</th><th>calls</th><th>share</th></tr>{rows}</table></body></html>"
    )


def is_trace_page(prefix: str) -> bool:
    return GENERATOR in prefix


def summary(stats: TraceStats, files: int, top: int) -> dict[str, Any]:
    """`trace stats --json` (schema/trace_stats.schema.json)."""
    span, counts = stats.seconds()
    busiest = stats.busiest
    return {
        "files": files,
        "calls": stats.calls,
        "first_second": span[0] if span else None,
        "calls_per_second": counts,
        "busiest": {"second": busiest[0], "calls": busiest[1]} if busiest else None,
        "operations": [
            {"table": t, "operation": o, "calls": c} for (t, o), c in sorted(stats.operations.items())
        ],
        "top_keys": {
            name: [{"key": k.key, "calls": k.calls, "lower": k.lower, "upper": k.upper, "share": k.share}
                   for k in stats.top_keys(name, top)]
            for name in sorted(stats.keys)
        },
        "errors": dict(stats.errors),
        "skipped": {"management": stats.skipped.management, "other_services": stats.skipped.other_services},
        "bad_records": stats.bad,
    }  # fmt: skip
