"""Benchmark of the offline endpoint: GetItem and PutItem operations per second per server core.

The endpoint runs on one thread pinned to CPU 0, the load generator (ddbload's engine) on CPU 1; the
figure that matters is operations per CPU-second the server spent, read from /proc.
Usage: python bench/emulator.py [--seconds 10]   (bench/run-emulator.sh builds and runs it)
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

TICKS = os.sysconf("SC_CLK_TCK")
TARGET_GETS_PER_CORE = 20_000


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def pinned(cpu: int, *args: str) -> list[str]:
    return ["taskset", "-c", str(cpu), *args] if os.cpu_count() and os.cpu_count() > 1 else list(args)


ENV = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}


def ddbload(*args: str) -> None:
    subprocess.run(pinned(1, sys.executable, "-m", "ddbload", *args), check=True, capture_output=True, env=ENV)


def prepare(url: str, workdir: Path) -> None:
    """Creates and seeds the tables, then lifts their warm throughput so capacity is not what is measured."""
    ddbload("run", "--endpoint-url", url, "--duration", "0.5s", "--create-tables", "--seed-products", "1000",
            "--products-table", "BenchProducts", "--orders-table", "BenchOrders", "--progress", "never")  # fmt: skip
    ddbload("capacity", "set", "--on-demand", "--warm-read", "40000", "--warm-write", "40000",
            "--table", "BenchProducts", "--table", "BenchOrders", "--endpoint-url", url,
            "--backup-dir", str(workdir))  # fmt: skip


def run_load(url: str, read_ratio: str, seconds: int, workdir: Path, server_pid: int) -> dict:
    out = workdir / f"load-{read_ratio}.json"
    before = cpu_seconds(server_pid)
    ddbload("run", "--endpoint-url", url, "--threads", "20", "--duration", f"{seconds}s", "--read-ratio", read_ratio,
            "--products-table", "BenchProducts", "--orders-table", "BenchOrders", "--progress", "never",
            "--output", str(out))  # fmt: skip
    server_cpu = cpu_seconds(server_pid) - before
    result = json.loads(out.read_text())
    op = "reads" if read_ratio == "1.0" else "writes"
    ops = result["summary"][op]["ok"]
    return {
        "op": "GetItem" if op == "reads" else "PutItem",
        "ops_per_s": ops / result["duration_s"],
        "server_cpu_s": server_cpu,
        "ops_per_core_s": ops / server_cpu if server_cpu else float("nan"),
        "p99_ms": result["summary"][op]["latency_ms"]["p99"],
        "duration_s": result["duration_s"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    server = subprocess.Popen(
        pinned(0, sys.executable, "-m", "ddbload", "serve", "--port", "0", "--threads", "1"),
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split(" on ", 1)[1].split()[0]
        time.sleep(0.2)
        with tempfile.TemporaryDirectory() as tmp:
            prepare(url, Path(tmp))
            rows = [run_load(url, ratio, args.seconds, Path(tmp), server.pid) for ratio in ("1.0", "0.0")]
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{'operation':<10} {'ops/s':>10} {'server CPU s':>13} {'ops per core-second':>20} {'p99 ms':>8}")
    for r in rows:
        print(f"{r['op']:<10} {r['ops_per_s']:>10,.0f} {r['server_cpu_s']:>13.2f} {r['ops_per_core_s']:>20,.0f} "
              f"{r['p99_ms']:>8.2f}")  # fmt: skip
    gets = rows[0]["ops_per_core_s"]
    print(f"GetItem per core vs the 20,000/s aim: {gets / TARGET_GETS_PER_CORE:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
