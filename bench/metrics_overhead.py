"""Client CPU per operation with the run watched - `--metrics-addr` scraped every second and request IDs
kept (`--keep-request-ids 20`, the default) - against the same run with neither (`--keep-request-ids 0`).

Both runs are open-model runs at the same rate against one `ddbload serve`, alternated so that drift on a
shared machine touches both; the figure is the ddbload process's CPU time (user + system, from
getrusage of the finished child) divided by the operations it completed. Prints each pair, its ratio and
the median of the pairs' ratios. The busiest-keys counting has no switch: both runs do it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ENV = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ddbload(*args: str) -> list[str]:
    return [sys.executable, "-m", "ddbload", *args]


def start_server() -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        ddbload("serve", "--port", "0", "--threads", "1"), stdout=subprocess.PIPE, text=True, env=ENV
    )
    assert server.stdout is not None
    url = server.stdout.readline().split(" on ", 1)[1].split()[0]
    return server, url


def scrape_every_second(port: int, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1) as answer:
                answer.read()
        except OSError:
            pass
        stop.wait(1.0)


def one_run(url: str, rate: int, seconds: float, metrics: bool, out: Path) -> float:
    """CPU microseconds per completed operation of one run."""
    args = ["run", "--endpoint-url", url, "--rate", str(rate), "--duration", f"{seconds}s",
            "--progress", "never", "--output", str(out)]  # fmt: skip
    stop = threading.Event()
    scraper = None
    if not metrics:
        args += ["--keep-request-ids", "0"]
    else:
        port = free_port()
        args += ["--metrics-addr", f"127.0.0.1:{port}", "--metrics-linger", "0"]
        scraper = threading.Thread(target=scrape_every_second, args=(port, stop))
        scraper.start()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(ddbload(*args), check=True, env=ENV, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stop.set()
    if scraper is not None:
        scraper.join()
    summary = json.loads(out.read_text())["summary"]
    done = summary["reads"]["ok"] + summary["writes"]["ok"]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu / done * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    server, url = start_server()
    try:
        subprocess.run(
            ddbload("run", "--endpoint-url", url, "--create-tables", "--seed-products", "1000", "--duration", "1s",
                    "--progress", "never", "--no-save"),
            check=True, env=ENV, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        without, with_metrics = [], []
        with tempfile.TemporaryDirectory() as folder:
            for pair in range(args.pairs):
                without.append(one_run(url, args.rate, args.seconds, False, Path(folder) / "a.json"))
                with_metrics.append(one_run(url, args.rate, args.seconds, True, Path(folder) / "b.json"))
                a, b = without[-1], with_metrics[-1]
                print(f"pair {pair + 1}: unwatched {a:.1f} us/op, with --metrics-addr and request IDs {b:.1f} us/op")
                time.sleep(1)
        a, b = statistics.median(without), statistics.median(with_metrics)
        print(f"median CPU per operation: unwatched {a:.1f} us, watched (scraped each second, request IDs) {b:.1f} us")
        # Each pair ran back to back, so its ratio is the fairer figure on a machine that drifts.
        ratios = [w / o for w, o in zip(with_metrics, without)]
        print(f"ratio with/without per pair: {', '.join(f'{r:.3f}' for r in ratios)}")
        print(f"median of the pairs' ratios: {statistics.median(ratios):.3f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
