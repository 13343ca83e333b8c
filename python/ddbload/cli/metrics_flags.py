"""Watching a run: `--metrics-addr` / `--metrics-linger` (the Prometheus endpoint, started before the load) and
`--cloudwatch-metrics` (one-second custom metrics put to CloudWatch), each checked up front."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from .. import _engine
from ..cloudwatch_alarms import AlarmSpecError, WatchedAlarm, parse
from ..cloudwatch_metrics import CloudWatchPublisher
from ..prometheus import MetricsServer
from .common import Fail

DEFAULT_LINGER_S = 5.0
DEFAULT_NAMESPACE = "ddbload"


def add_metrics_flags(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--metrics-addr",
        metavar="HOST:PORT",
        help="serve the run's figures as Prometheus text at http://HOST:PORT/metrics while it runs "
        "(e.g. 127.0.0.1:9464; port 0 picks a free one)",
    )
    group.add_argument(
        "--metrics-linger",
        metavar="SECONDS",
        type=str,
        help=f"keep /metrics up this long after the run, for the last scrape (default: {DEFAULT_LINGER_S:g})",
    )
    group.add_argument(
        "--cloudwatch-metrics",
        metavar="NAMESPACE",
        nargs="?",
        const=DEFAULT_NAMESPACE,
        help="put each second's figures to CloudWatch as one-second custom metrics in NAMESPACE "
        f"(default namespace: {DEFAULT_NAMESPACE}), dimensions RunId, Table, Index, Operation",
    )
    group.add_argument(
        "--cloudwatch-alarm",
        metavar="FIGURE>VALUE",
        action="append",
        default=[],
        help="with --cloudwatch-metrics: a CloudWatch alarm on the run's metric for the run, e.g. 'throttled>0' "
        "(10-second periods; throttled, errors, reads_ok, writes_ok: sums; p99_ms: maximum); deleted after it "
        "(repeatable)",
    )


def cloudwatch_namespace(args: argparse.Namespace) -> str | None:
    """--cloudwatch-metrics' namespace (None: not asked); one that CloudWatch would refuse is bad input."""
    namespace: str | None = args.cloudwatch_metrics
    if namespace is not None and (not 0 < len(namespace) <= 255 or namespace.startswith(("AWS/", ":"))):
        raise Fail(f"--cloudwatch-metrics: {namespace!r} is not a custom namespace (1 to 255 characters, not AWS/...)")
    return namespace


def cloudwatch_alarms(args: argparse.Namespace, run_id: str) -> list[WatchedAlarm]:
    """--cloudwatch-alarm's alarms; bad input (or alarms without --cloudwatch-metrics) is one line."""
    if args.cloudwatch_alarm and cloudwatch_namespace(args) is None:
        first = args.cloudwatch_alarm[0]
        raise Fail(f"--cloudwatch-alarm: it watches --cloudwatch-metrics' metrics; give that too ({first})")
    try:
        return [parse(spec, run_id) for spec in args.cloudwatch_alarm]
    except AlarmSpecError as e:
        raise Fail(f"--cloudwatch-alarm: {e}") from None


def start_cloudwatch(args: argparse.Namespace, config: _engine.LoadConfig) -> CloudWatchPublisher | None:
    """The publisher for --cloudwatch-metrics (with its alarms created), at the run's endpoint (or
    CloudWatch in its region)."""
    namespace = cloudwatch_namespace(args)
    if namespace is None:
        return None
    run_id = config.run_id or ""
    return CloudWatchPublisher(
        namespace,
        run_id,
        region=config.region,
        profile=config.profile,
        endpoint_url=config.endpoint_url,
        alarms=cloudwatch_alarms(args, run_id),
    )


def host_and_port(text: str) -> tuple[str, int]:
    """'127.0.0.1:9464', '[::1]:9464' or ':9464' (every address); a bad one is a Fail naming the flag."""
    host, sep, port_text = text.rpartition(":")
    bad = Fail(f"--metrics-addr: {text!r} is not HOST:PORT (e.g. 127.0.0.1:9464)")
    if not sep or not port_text.isdigit() or int(port_text) > 65535:
        raise bad
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise bad
    return host or "0.0.0.0", int(port_text)


def linger_of(args: argparse.Namespace) -> float:
    if args.metrics_linger is None:
        return DEFAULT_LINGER_S
    if args.metrics_addr is None:
        raise Fail(
            f"--metrics-linger: it keeps --metrics-addr's endpoint up; give --metrics-addr too ({args.metrics_linger})"
        )
    try:
        seconds = float(args.metrics_linger)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise Fail(f"--metrics-linger: {args.metrics_linger!r} is not a number of seconds from 0 to 3600")
    return seconds


def start_metrics(args: argparse.Namespace) -> MetricsServer | None:
    """The endpoint, listening before anything is sent (a taken port is one line, exit 2), or None."""
    linger_of(args)
    if args.metrics_addr is None:
        return None
    host, port = host_and_port(args.metrics_addr)
    try:
        server = MetricsServer(host, port)
    except OSError as e:
        raise Fail(f"--metrics-addr: cannot listen on {args.metrics_addr}: {e.strerror or e}") from None
    shown = f"[{host}]" if ":" in host else host
    print(f"ddbload: Prometheus metrics at http://{shown}:{server.port}/metrics", file=sys.stderr)
    return server


def linger_then_stop(server: MetricsServer, args: argparse.Namespace, result: Any) -> None:
    """Final figures in, then up for --metrics-linger seconds (Ctrl-C ends the wait) so a scraper sees them."""
    if result is not None:
        server.metrics.finish(result.data)
    linger = linger_of(args)
    try:
        if linger > 0:
            print(f"ddbload: keeping /metrics up for {linger:g} s (--metrics-linger)", file=sys.stderr)
            time.sleep(linger)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
