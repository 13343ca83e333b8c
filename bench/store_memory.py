"""Benchmark of the offline endpoint's memory per stored item: `ddbload serve`, then the workshop's order
writes (PutItem only, as fast as 20 workers go) for a while; the server's resident memory grows by so much
per stored order, against the orders' DynamoDB size (DescribeTable's TableSizeBytes / ItemCount) in the
same run. The aim: at most 2x the data's size.
Usage: python bench/store_memory.py [--seconds 30]
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


def described(url: str) -> dict:
    import boto3

    client = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")  # fmt: skip
    return client.describe_table(TableName="BenchOrders")["Table"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, "-m", "ddbload", "serve", "--port", "0"], stdout=subprocess.PIPE,
                              text=True, env=ENV)  # fmt: skip
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
            before_table = described(url)
            before_items, before_size = before_table["ItemCount"], before_table["TableSizeBytes"]
            before = rss_bytes(server.pid)
            out = Path(tmp) / "writes.json"
            ddbload("run", "--endpoint-url", url, "--threads", "20", "--duration", f"{args.seconds}s",
                    "--read-ratio", "0", *TABLES, "--progress", "never", "--output", str(out))  # fmt: skip
            result = json.loads(out.read_text())
        table = described(url)
        after = rss_bytes(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    items = table["ItemCount"] - before_items
    data = table["TableSizeBytes"] - before_size
    grown = after - before
    print(f"orders written: {items:,} in {result['duration_s']:.1f} s "
          f"({result['summary']['writes']['ok'] / result['duration_s']:,.0f} writes/s)")  # fmt: skip
    print(f"their DynamoDB size: {data / items:,.0f} bytes each ({data / 2**20:,.1f} MiB)")
    print(f"server RSS grew by {grown / 2**20:,.1f} MiB: {grown / items:,.0f} bytes per order")
    print(f"RSS per order / DynamoDB size per order: {grown / data:.2f}x (aim: at most 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
