"""Client CPU per operation of a workload file against the workshop of the same shape, on the null endpoint.

Both are closed-loop runs of 20 workers against nginx answering `{}` (bench/nginx.conf.template): the
workshop (80% GetItem of a product, 20% conditional PutItem of an order) and a file with the same mix on
the same kind of items (GetItem by one of the table's keys, conditional PutItem of a new order-shaped
item: customer, 1-5 lines of product/quantity/price, a total, a status, a TTL). The runs alternate so
drift on a shared machine touches both; the figure is the process's CPU (user + system, from wait4)
less an idle `ddbload --version`, over completed operations. Prints each pair, its ratio and the median.

Run (with the wheel installed and nginx on PATH; --baseline-python adds an earlier build's workshop to
each pair, e.g. a virtualenv with the wheel of the commit before a change):
    python bench/workload_overhead.py [--pairs 3] [--seconds 8] [--baseline-python OTHER/bin/python]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from null_endpoint import measured, start_nginx, startup_cpu

ORDERS_FILE = """\
tables:
  products:
    table: BenchProducts
    partition_key: {name: id, type: S}
    keys: [{id: p1}, {id: p2}, {id: p3}, {id: p4}]
  orders:
    table: BenchOrders
    partition_key: {name: id, type: S}
    key_prefix: "order-"
    item:
      customer: {string: {length: 12}}
      status: {const: PLACED}
      total: {decimal: {min: "1.00", max: "2500.00"}}
      lines: {list: {length: [1, 5], of: {map: {product_id: {choice: [p1, p2, p3, p4]},
              quantity: {int: {min: 1, max: 5}}, unit_price: {decimal: {min: "1.00", max: "500.00"}}}}}}
      created_at: {now: {}}
      expires_at: {now: {plus_seconds: 86400}}
operations:
  - {name: get_product, weight: 80, get: {table: products}}
  - {name: put_order, weight: 20, put: {table: orders, condition: "attribute_not_exists(#pk)", names: {"#pk": id}}}
"""


def run(
    url: str, workdir: Path, seconds: float, baseline: float, workload: Path | None, python: str = sys.executable
) -> float:
    out = workdir / "result.json"
    tables = ["--products-table", "BenchProducts", "--orders-table", "BenchOrders"]
    shape = ["--workload", str(workload)] if workload else tables
    _, cpu, _ = measured(
        [python, "-m", "ddbload", "run", "--endpoint-url", url, "--threads", "20",
         "--duration", f"{seconds}s", "--progress", "never", "--output", str(out), *shape]
    )  # fmt: skip
    summary = json.loads(out.read_text())["summary"]
    ops = summary["reads"]["ok"] + summary["writes"]["ok"]
    return (cpu - baseline) * 1e6 / max(ops, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument(
        "--baseline-python",
        metavar="PYTHON",
        help="a Python with an earlier ddbload installed: its workshop runs in each pair too, as the baseline",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        workload = workdir / "orders.yaml"
        workload.write_text(ORDERS_FILE)
        nginx, url = start_nginx(workdir)
        try:
            baseline = startup_cpu()
            ratios, against_baseline = [], []
            for pair in range(1, args.pairs + 1):
                line = f"pair {pair}:"
                if args.baseline_python:
                    earlier = run(url, workdir, args.seconds, baseline, None, args.baseline_python)
                    line += f" earlier workshop {earlier:.1f} us/op,"
                workshop = run(url, workdir, args.seconds, baseline, None)
                file = run(url, workdir, args.seconds, baseline, workload)
                ratios.append(file / workshop)
                line += f" workshop {workshop:.1f} us/op, file {file:.1f} us/op, file/workshop {ratios[-1]:.3f}"
                if args.baseline_python:
                    against_baseline.append(workshop / earlier)
                    line += f", workshop/earlier {against_baseline[-1]:.3f}"
                print(line)
        finally:
            nginx.terminate()
            nginx.wait()
    print(f"median file/workshop client CPU per operation: {statistics.median(ratios):.3f} (target <= 1.10)")
    if against_baseline:
        median = statistics.median(against_baseline)
        print(f"median workshop/earlier client CPU per operation: {median:.3f} (target <= 1.05)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
