"""Benchmark of the offline endpoint's memory per stored item: `ddbload serve`, then the workshop's order
writes (PutItem only, as fast as 20 workers go) for a while; the server's resident memory grows by so much
per stored order, against the orders' DynamoDB size (DescribeTable's TableSizeBytes / ItemCount) in the
same run. The aim: at most 2x the data's size. Then the same with `serve --data-dir` (items on disk): its RSS
per order and write rate as ratios to the in-memory run's. With `--stream VIEW` the orders table has a stream
of that view type (NEW_AND_OLD_IMAGES, ...), whose records are kept in memory either way.
Usage: python bench/store_memory.py [--seconds 30] [--stream VIEW]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENV = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
TABLES = ["--products-table", "BenchProducts", "--orders-table", "BenchOrders"]


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def ddbload(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "ddbload", *args], check=True, capture_output=True, env=ENV)


def client_for(url: str):
    import boto3

    return boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                        aws_secret_access_key="x")  # fmt: skip


def described(url: str) -> dict:
    return client_for(url).describe_table(TableName="BenchOrders")["Table"]


def measure(seconds: int, data_dir: str | None, stream: str | None) -> dict:
    """One endpoint, seeded, then `seconds` of order writes: its RSS growth, the orders' size and the rate."""
    command = [sys.executable, "-m", "ddbload", "serve", "--port", "0"]
    if data_dir:
        command += ["--data-dir", data_dir]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=ENV)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split(" on ", 1)[1].split()[0]
        time.sleep(0.2)
        with tempfile.TemporaryDirectory() as tmp:
            ddbload("run", "--endpoint-url", url, "--duration", "0.5s", "--create-tables", "--seed-products", "1000",
                    *TABLES, "--progress", "never")  # fmt: skip
            ddbload("capacity", "set", "--on-demand", "--warm-read", "40000", "--warm-write", "40000",
                    "--table", "BenchProducts", "--table", "BenchOrders", "--endpoint-url", url,
                    "--backup-dir", tmp)  # fmt: skip
            if stream:
                spec = {"StreamEnabled": True, "StreamViewType": stream}
                client_for(url).update_table(TableName="BenchOrders", StreamSpecification=spec)
            before_table = described(url)
            before = rss_bytes(server.pid)
            out = Path(tmp) / "writes.json"
            ddbload("run", "--endpoint-url", url, "--threads", "20", "--duration", f"{seconds}s",
                    "--read-ratio", "0", *TABLES, "--progress", "never", "--output", str(out))  # fmt: skip
            result = json.loads(out.read_text())
        table = described(url)
        after = rss_bytes(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    items = table["ItemCount"] - before_table["ItemCount"]
    return {
        "items": items,
        "data": table["TableSizeBytes"] - before_table["TableSizeBytes"],
        "grown": after - before,
        "rate": result["summary"]["writes"]["ok"] / result["duration_s"],
        "on_disk": (Path(data_dir) / "ddbload.redb").stat().st_size if data_dir else 0,
    }


def report(name: str, m: dict) -> None:
    items = m["items"]
    print(f"{name}: {items:,} orders written at {m['rate']:,.0f} writes/s, "
          f"DynamoDB size {m['data'] / items:,.0f} bytes each ({m['data'] / 2**20:,.1f} MiB)")  # fmt: skip
    print(f"  server RSS grew by {m['grown'] / 2**20:,.1f} MiB: {m['grown'] / items:,.0f} bytes per order, "
          f"{m['grown'] / m['data']:.2f}x the orders' DynamoDB size")  # fmt: skip
    if m["on_disk"]:
        print(f"  data file: {m['on_disk'] / 2**20:,.1f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--stream", choices=["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
    args = parser.parse_args()
    memory = measure(args.seconds, None, args.stream)
    with tempfile.TemporaryDirectory() as data_dir:
        disk = measure(args.seconds, data_dir, args.stream)
    report("in memory", memory)
    report("--data-dir", disk)
    print(f"RSS per order in memory / DynamoDB size: {memory['grown'] / memory['data']:.2f}x (aim: at most 2x)")
    per_order = {name: m["grown"] / m["items"] for name, m in (("memory", memory), ("disk", disk))}
    print(f"RSS per order, --data-dir / in memory: {per_order['disk'] / per_order['memory']:.2f}")
    print(f"write rate, --data-dir / in memory: {disk['rate'] / memory['rate']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
