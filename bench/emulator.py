"""Benchmark of the offline endpoint over HTTP: GetItem and PutItem operations per second per server
core, with the server on 1 thread and on 2 threads.

With 1 server thread the endpoint is pinned to CPU 0 and the load generator (ddbload's engine) to CPU
1; with 2 threads the endpoint may use both. The figure that matters is operations per CPU-second the
server spent, read from /proc: it must hold (within 10%) when the server has more threads. On a 2-core
machine the load generator, not the endpoint, caps throughput; crates/ddbload-emulator/examples/
dispatch_scaling.rs measures the store's own scaling without it.
Usage: python bench/emulator.py [--seconds 10]   (bench/run-emulator.sh builds and runs both)
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


def measure(server_threads: int, seconds: int) -> list[dict]:
    command = [sys.executable, "-m", "ddbload", "serve", "--port", "0", "--threads", str(server_threads)]
    server = subprocess.Popen(
        pinned(0, *command) if server_threads == 1 else command, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split(" on ", 1)[1].split()[0]
        time.sleep(0.2)
        with tempfile.TemporaryDirectory() as tmp:
            prepare(url, Path(tmp))
            return [run_load(url, ratio, seconds, Path(tmp), server.pid) for ratio in ("1.0", "0.0")]
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    rows = {threads: measure(threads, args.seconds) for threads in (1, 2)}
    print(
        f"{'operation':<10} {'threads':>7} {'ops/s':>10} {'server CPU s':>13} {'ops per core-second':>20} {'p99 ms':>8}"
    )
    for threads, measured in rows.items():
        for r in measured:
            print(f"{r['op']:<10} {threads:>7} {r['ops_per_s']:>10,.0f} {r['server_cpu_s']:>13.2f} "
                  f"{r['ops_per_core_s']:>20,.0f} {r['p99_ms']:>8.2f}")  # fmt: skip
    for i, op in enumerate(("GetItem", "PutItem")):
        one, two = rows[1][i], rows[2][i]
        print(f"{op}: per core-second at 2 threads / 1 thread = {two['ops_per_core_s'] / one['ops_per_core_s']:.2f}, "
              f"throughput {two['ops_per_s'] / one['ops_per_s']:.2f}x")  # fmt: skip
    gets = rows[1][0]["ops_per_core_s"]
    print(f"GetItem per core vs the 20,000/s aim: {gets / TARGET_GETS_PER_CORE:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
