"""Peak RSS of `ddbload replay` against the length of its trace, and its scheduling lag.

Writes two CloudTrail-shaped traces (JSON lines) at the same rate, one `--ratio` times longer than the
other, and replays each in full at `--speed 1` against one `ddbload serve` (the replay in a process of
its own, the endpoint in another). Prints each replay's trace size, calls, peak RSS (getrusage of the
finished child), scheduling lag p99, dropped arrivals, and the ratio of the two peaks: memory that does
not grow with the trace's length gives a ratio near 1. The baseline is `ddbload run` of the same
workload at the same rate for the shorter trace's length (arrivals from a schedule, keys drawn): its
lag and drops say what this machine can send at that rate, replay or not.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENV = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
# Provisioned far above the rate and keys spread evenly: nothing is throttled, so retries do not hold the
# slots and what is measured is the client. The baseline reads the seeded products and puts new orders,
# three to one, as the traces do.
WORKLOAD = """\
version: 1
tables:
  Products: {partition_key: {name: product_id, type: S}, key_prefix: p, items: 10000,
             billing: {read: 40000, write: 40000}}
  Orders: {partition_key: {name: order_id, type: S}, items: 1, item: {note: {string: {length: 200}}},
           billing: {read: 40000, write: 40000}}
operations:
  - {name: read, weight: 3, get: {table: Products}}
  - {name: order, weight: 1, put: {table: Orders, key: new}}
"""


def ddbload(*args: str) -> list[str]:
    return [sys.executable, "-m", "ddbload", *args]


def write_trace(path: Path, seconds: int, rate: int) -> int:
    """`rate` calls each second for `seconds`: three reads of a product (10,000, evenly) for one order put."""
    rng = random.Random(seconds)
    start = 1_764_000_000
    with path.open("w") as out:
        for second in range(seconds):
            when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + second))
            for n in range(rate):
                if n % 4 == 3:
                    op, table, key = "PutItem", "Orders", {"order_id": f"o-{second}-{n}"}
                else:
                    op, table, key = "GetItem", "Products", {"product_id": f"p{rng.randrange(10_000)}"}
                record = {"eventSource": "dynamodb.amazonaws.com", "eventName": op, "eventTime": when,
                          "requestParameters": {"tableName": table, "key": key}}  # fmt: skip
                out.write(json.dumps(record) + "\n")
    return path.stat().st_size


def start_server() -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(ddbload("serve", "--port", "0"), stdout=subprocess.PIPE, text=True, env=ENV)
    assert server.stdout is not None
    return server, server.stdout.readline().split(" on ", 1)[1].split()[0]


def measured(command: str, *args: str, url: str, workload: Path, out: Path) -> tuple[int, dict]:
    """Peak RSS (KiB) of `ddbload COMMAND ARGS` against `url` with `workload`, and its result."""
    proc = subprocess.Popen(
        ddbload(command, *args, "--endpoint-url", url, "--workload", str(workload), "--create-tables",
                "--output", str(out), "--progress", "never"),
        env=ENV, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        sys.exit(f"ddbload {command} {' '.join(args)} failed ({status})")
    return usage.ru_maxrss, json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=20_000, help="calls a second in the traces (default 20000)")
    parser.add_argument("--seconds", type=int, default=30, help="the shorter trace's length (default 30)")
    parser.add_argument("--ratio", type=int, default=4, help="the longer trace is this many times longer")
    parser.add_argument(
        "--seed-keys", action="store_true",
        help="replay with --seed-keys (its keys sorted on disk: every order a new key, so the longer trace "
        "has ratio times the distinct keys)",
    )  # fmt: skip
    args = parser.parse_args()
    seeding = ("--seed-keys",) if args.seed_keys else ()
    with tempfile.TemporaryDirectory(prefix="ddbload-replay-bench-") as folder:
        base = Path(folder)
        (base / "shop.yaml").write_text(WORKLOAD)
        server, url = start_server()
        peaks = []
        try:
            rate, span = ("--rate", str(args.rate)), ("--duration", f"{args.seconds}s")
            rss, result = measured("run", *rate, *span, url=url, workload=base / "shop.yaml", out=base / "b.json")
            summary = result["summary"]
            print(
                f"baseline: run --rate {args.rate} for {args.seconds} s: peak RSS {rss / 1024:.0f} MiB; offered "
                f"{summary['offered']:,}; scheduling lag p99 {summary['scheduling_lag_ms']['p99']:.2f} ms; "
                f"dropped {summary.get('dropped', 0):,}",
                flush=True,
            )
            for seconds in (args.seconds, args.seconds * args.ratio):
                trace = base / f"trace-{seconds}.jsonl"
                size = write_trace(trace, seconds, args.rate)
                rss, result = measured(
                    "replay", str(trace), *seeding, url=url, workload=base / "shop.yaml", out=base / "r.json"
                )
                trace.unlink()
                summary = result["summary"]
                lag = summary.get("scheduling_lag_ms", {}).get("p99", float("nan"))
                print(
                    f"trace {seconds} s, {size / 1e9:.2f} GB, {result['replay']['calls']:,} calls: peak RSS "
                    f"{rss / 1024:.0f} MiB; offered {summary['offered']:,} of {result['replay']['calls']:,}; "
                    f"scheduling lag p99 {lag:.2f} ms; dropped {summary.get('dropped', 0):,}"
                    + (f"; seeded {result['replay']['seeded_keys']:,} keys" if args.seed_keys else ""),
                    flush=True,
                )
                peaks.append(rss)
        finally:
            server.terminate()
            server.wait(timeout=10)
        print(f"peak RSS, {args.ratio}x longer trace / shorter: {peaks[1] / peaks[0]:.2f}")


if __name__ == "__main__":
    main()
