"""ddbload's engine against the workshop-style boto3 script and a hand-signed floor client, all driving a
null DynamoDB endpoint (nginx on loopback), in one run: ops/s, client CPU microseconds per operation, peak
RSS, p50/p99, ratios; ddbload with its fast path (the default) and with `--client sdk`.
Also: the engine at its best concurrency, p99 at about half the maximum rate, peak RSS of a 5-minute run
against a 30-second one, the open model (--rate at 80% of the closed-loop maximum for 30 s: schedule held,
scheduling lag p99, CPU per op against closed mode at its maximum and at the same throughput) and the
engine against DynamoDB Local.
Usage: python bench/null_endpoint.py [--seconds 20] [--quick] [--dynamodb-local URL] [--floor PATH]
(bench/run-null.sh installs nginx, builds ddbload and runs this)"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
ENV = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_EC2_METADATA_DISABLED": "true"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    conf = (HERE / "nginx.conf.template").read_text().replace("@PREFIX@", str(workdir)).replace("@PORT@", str(port))
    (workdir / "nginx.conf").write_text(conf)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen([nginx, "-p", str(workdir), "-c", str(workdir / "nginx.conf")], stderr=subprocess.PIPE)
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nginx did not start")


def measured(cmd: list[str]) -> tuple[str, float, float]:
    """Runs `cmd`; returns its stdout, CPU seconds (user + system) and peak RSS in MiB."""
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{cmd[:4]} failed with {os.waitstatus_to_exitcode(status)}")
        out.seek(0)
        return out.read(), usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def startup_cpu() -> float:
    """CPU an idle `python -m ddbload --version` costs: subtracted, so us/op counts requests only."""
    _, cpu, _ = measured([sys.executable, "-m", "ddbload", "--version"])
    return cpu


def engine(
    url: str, threads: int, seconds: float, baseline_cpu: float, workdir: Path, rate: int = 0, client: str = "fast"
) -> dict:
    out = workdir / f"engine-{threads}-{seconds}-{rate}-{client}.json"
    load = ["--rate", str(rate)] if rate else ["--threads", str(threads)]  # an open run has no workers
    _, cpu, rss = measured(
        [sys.executable, "-m", "ddbload", "run", "--endpoint-url", url, *load,
         "--duration", f"{seconds}s", "--products-table", "BenchProducts", "--orders-table", "BenchOrders",
         "--progress", "never", "--output", str(out), "--client", client]
    )  # fmt: skip
    result = json.loads(out.read_text())
    from ddbload.figures import figures

    f = figures(result)
    ops = result["summary"]["reads"]["ok"] + result["summary"]["writes"]["ok"]
    errors = sum(
        sum(op["errors"].values()) + op["conditional_check_failed"]
        for op in (result["summary"]["reads"], result["summary"]["writes"])
    )
    name = f"ddbload, --rate {rate:,}" if rate else f"ddbload, {threads} workers"
    return {
        "name": name if client == "fast" else f"{name}, --client {client}",
        "ops_per_s": ops / result["duration_s"],
        "ops": ops,
        "offered": f["offered"],
        "dropped": f["dropped"],
        "lag_p99_ms": f["lag_p99_ms"],
        "cpu_us_per_op": (cpu - baseline_cpu) * 1e6 / max(ops, 1),
        "rss_mib": rss,
        "p50_ms": f["p50_ms"],
        "p99_ms": f["p99_ms"],
        "errors": errors,
    }


def closed_at_rate(
    url: str, rate: float, seconds: float, baseline_cpu: float, workdir: Path, measured: dict[int, dict]
) -> dict:
    """Closed-loop CPU per op at `rate` ops/s: runs with one more worker each (from 3) until one reaches
    the rate, then interpolates between it and the run before. CPU per op falls as load rises in either
    model (fuller epoll wake-ups and writes), so this is the comparison that isolates the scheduler.
    `measured`: closed runs this bench already made, by worker count (not run again)."""

    def closed(workers: int) -> dict:
        return measured.get(workers) or engine(url, workers, seconds, baseline_cpu, workdir)

    below = closed(3)
    above = below
    for workers in range(4, 21):
        if above["ops_per_s"] >= rate:
            break
        below, above = above, closed(workers)
    span = above["ops_per_s"] - below["ops_per_s"]
    share = (rate - below["ops_per_s"]) / span if span > 0 else 1.0
    share = min(max(share, 0.0), 1.0)
    return {
        "between": (below, above),
        "cpu_us_per_op": below["cpu_us_per_op"] + share * (above["cpu_us_per_op"] - below["cpu_us_per_op"]),
    }


def reporting_client(name: str, cmd: list[str]) -> dict:
    """A client that prints one JSON line with ops, seconds, p50_ms, p99_ms and errors."""
    stdout, cpu, rss = measured(cmd)
    data = json.loads(stdout)
    return {
        "name": name,
        "ops_per_s": data["ops"] / data["seconds"],
        "cpu_us_per_op": cpu * 1e6 / max(data["ops"], 1),
        "rss_mib": rss,
        "p50_ms": data["p50_ms"],
        "p99_ms": data["p99_ms"],
        "errors": data["errors"],
    }


def boto3_baseline(url: str, seconds: float) -> dict:
    script = [sys.executable, str(HERE / "boto3_baseline.py"), url, str(seconds), "20", "0.8"]
    return reporting_client("boto3 script, 20 threads", script)


def floor(binary: str, url: str, seconds: float) -> dict:
    """bench/floor: the same GetItem/PutItem mix signed with aws-sigv4 over hyper, nothing more."""
    return reporting_client("floor (hand-signed), 20 tasks", [binary, url, str(seconds), "20", "0.8"])


def show(rows: list[dict]) -> None:
    print(f"{'run':<32} {'ops/s':>10} {'CPU us/op':>10} {'peak RSS MiB':>13} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for r in rows:
        print(
            f"{r['name']:<32} {r['ops_per_s']:>10,.0f} {r['cpu_us_per_op']:>10.1f} {r['rss_mib']:>13.1f} "
            f"{r['p50_ms']:>8.3f} {r['p99_ms']:>8.3f} {r['errors']:>7}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--quick", action="store_true", help="skip the 5-minute memory run")
    parser.add_argument("--dynamodb-local", help="also run the engine against DynamoDB Local at this URL")
    parser.add_argument("--floor", help="the floor client's binary (bench/floor; run-null.sh builds it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        nginx, url = start_nginx(workdir)
        try:
            base_cpu = startup_cpu()
            rows = [engine(url, 20, args.seconds, base_cpu, workdir)]
            sdk = engine(url, 20, args.seconds, base_cpu, workdir, client="sdk")
            bottom = floor(args.floor, url, args.seconds) if args.floor else None
            best = max(
                [rows[0]] + [engine(url, n, args.seconds, base_cpu, workdir) for n in (40, 80)],
                key=lambda r: r["ops_per_s"],
            )
            boto = boto3_baseline(url, args.seconds)
            # Closed loop: fewer workers, lower rate. Take the run nearest half the best rate.
            slower_workers = (4, 2, 1)
            slower = [engine(url, n, args.seconds, base_cpu, workdir) for n in slower_workers]
            half = min(slower, key=lambda r: abs(r["ops_per_s"] - best["ops_per_s"] / 2))
            rows += [sdk, *([bottom] if bottom else []), best, boto, half]
            # Open model at 80% of the closed-loop maximum, 30 s: does the schedule hold, and at what CPU?
            rate = int(best["ops_per_s"] * 0.8)
            scheduled = engine(url, 20, 30, base_cpu, workdir, rate=rate)
            rows.append(scheduled)
            measured = {20: rows[0], **dict(zip(slower_workers, slower))}
            matched = closed_at_rate(url, scheduled["ops_per_s"], args.seconds, base_cpu, workdir, measured)
            rows += list(matched["between"])
            memory = None
            if not args.quick:
                short = engine(url, 20, 30, base_cpu, workdir)
                long = engine(url, 20, 300, base_cpu, workdir)
                memory = (short["rss_mib"], long["rss_mib"])
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
        if args.dynamodb_local:
            local = engine(args.dynamodb_local, 20, args.seconds, base_cpu, workdir)
            local["name"] = "ddbload vs DynamoDB Local"
            rows.append(local)

    show(rows)
    engine20 = rows[0]
    print()
    print(f"throughput, ddbload 20 workers / boto3: {engine20['ops_per_s'] / boto['ops_per_s']:.1f}x (target >= 10x)")
    print(f"throughput, ddbload best / boto3:       {best['ops_per_s'] / boto['ops_per_s']:.1f}x")
    print(
        f"client CPU per op, boto3 / ddbload:     {boto['cpu_us_per_op'] / engine20['cpu_us_per_op']:.1f}x "
        f"(ddbload {engine20['cpu_us_per_op']:.1f} us, target <= 50 us)"
    )
    if bottom:
        for run in (engine20, sdk):
            print(
                f"client CPU per op, {run['name']} / floor: {run['cpu_us_per_op'] / bottom['cpu_us_per_op']:.2f}x "
                f"({run['cpu_us_per_op']:.1f} / {bottom['cpu_us_per_op']:.1f} us, target <= 2.0x, stretch 1.5x)"
            )
    print(
        f"p99 near half the best rate ({half['name']}, {half['ops_per_s']:,.0f} ops/s): {half['p99_ms']:.3f} ms "
        "(target < 1 ms)"
    )
    achieved = scheduled["ops"] / (rate * 30)
    print(
        f"open model at 80% of the best closed rate ({rate:,}/s for 30 s): completed {scheduled['ops']:,} of "
        f"{rate * 30:,} scheduled = {achieved:.4f} (target within 1%), offered {scheduled['offered']:,}, "
        f"dropped {scheduled['dropped']}"
    )
    print(f"scheduling lag p99 (send - intended start, slot free): {scheduled['lag_p99_ms']:.3f} ms (target < 1 ms)")
    cpu_ratio = scheduled["cpu_us_per_op"] / engine20["cpu_us_per_op"]
    print(
        f"client CPU per op, open / closed:        {cpu_ratio:.2f}x "
        f"({scheduled['cpu_us_per_op']:.1f} / {engine20['cpu_us_per_op']:.1f} us, target <= 1.10x)"
    )
    below, above = matched["between"]
    print(
        f"client CPU per op, open / closed at the same throughput: "
        f"{scheduled['cpu_us_per_op'] / matched['cpu_us_per_op']:.2f}x ({scheduled['cpu_us_per_op']:.1f} / "
        f"{matched['cpu_us_per_op']:.1f} us, closed interpolated between {below['name']} at "
        f"{below['ops_per_s']:,.0f}/s and {above['name']} at {above['ops_per_s']:,.0f}/s)"
    )
    if memory:
        ratio = memory[1] / memory[0]
        print(
            f"peak RSS, 5-minute / 30-second run: {memory[1]:.1f} / {memory[0]:.1f} MiB = {ratio:.2f}x (target <= 1.2x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
