"""Two installed builds of ddbload side by side against the nginx null endpoint, alternating (20 closed
workers, 10 s each, twice): client CPU per operation and its ratio, e.g. the distributed (zig,
manylinux2014) wheel against one linked against this machine's glibc.
Usage: python bench/wheel_builds.py PYTHON_A PYTHON_B   (each a python with a ddbload installed)"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import null_endpoint as bench


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    pythons = sys.argv[1:]
    cpu: dict[str, list[float]] = {p: [] for p in pythons}
    with tempfile.TemporaryDirectory() as folder:
        nginx, url = bench.start_nginx(Path(folder))
        try:
            for _ in range(2):
                for python in pythons:
                    bench.sys.executable = python
                    row = bench.engine(url, 20, 10, bench.startup_cpu(), Path(folder))
                    cpu[python].append(row["cpu_us_per_op"])
                    print(f"{python}: {row['ops_per_s']:,.0f} ops/s, {row['cpu_us_per_op']:.1f} us/op, "
                          f"p99 {row['p99_ms']:.3f} ms", flush=True)  # fmt: skip
        finally:
            nginx.terminate()
    a, b = (sum(v) / len(v) for v in cpu.values())
    print(f"CPU per operation, B / A: {b / a:.3f} ({b:.1f} / {a:.1f} us)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
