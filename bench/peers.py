"""Benchmark of ddbload's endpoint against the other local DynamoDBs: the same GetItem-only and
PutItem-only loads, sent by ddbload's engine, to ddbload's endpoint, Amazon's DynamoDB Local, dynalite and
moto's server, in rounds that alternate between them; with `nginx` among the peers, also nginx answering
every request with a constant `{}` (bench/nginx.conf.template, one process): no parsing, no store, the
floor of an HTTP/1.1 answer over loopback with this client, so ddbload's figure reads as a share of it.

Each server runs pinned to CPU 0 and the load to CPU 1. Two loads per operation: one fixed offered rate
(open model), the same for every server, for the latency p99; then as fast as 20 workers go, for the
operations per CPU-second the server process spent at saturation (from /proc/PID/stat). ddbload's ratio
to each peer follows each figure. ddbload's tables get their warm throughput lifted (as bench/emulator.py
does) so its capacity model is not what is measured; the peers have none.
Usage: python bench/peers.py [--rate 250] [--seconds 8] [--rounds 2] [--peers local,dynalite,moto,nginx]
(dynalite is installed from npm into ~/.cache/ddbload/bench-peers; DynamoDB Local as the tests fetch it;
moto from the test extra; nginx is Debian's nginx-light, as bench/run-null.sh installs it.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("DDBLOAD_CACHE", Path.home() / ".cache" / "ddbload"))
TICKS = os.sysconf("SC_CLK_TCK")
ENV = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
TABLES = ["--products-table", "BenchProducts", "--orders-table", "BenchOrders"]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def pinned(cpu: int, args: list[str]) -> list[str]:
    return ["taskset", "-c", str(cpu), *args] if (os.cpu_count() or 1) > 1 and shutil.which("taskset") else args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening on {port}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listened on {port} within {seconds} s")


@contextmanager
def server(command: list[str], port: int, cwd: Path | None = None) -> Iterator[tuple[str, int]]:
    process = subprocess.Popen(
        pinned(0, command), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def ddbload_server() -> list[str]:
    return [sys.executable, "-m", "ddbload", "serve", "--threads", "1", "--port"]


def dynamodb_local() -> tuple[list[str], Path]:
    subprocess.run(["bash", str(ROOT / "scripts" / "dynamodb-local.sh"), "fetch"], check=True)
    jars = sorted(CACHE.glob("dynamodb-local-*/DynamoDBLocal.jar"))
    if not jars:
        raise RuntimeError(
            "DynamoDB Local is not in ~/.cache/ddbload: run the tests once (scripts/test.sh) to fetch it"
        )
    home = jars[-1].parent
    return ["java", "-Xmx1g", "-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar", "-inMemory",
            "-port"], home  # fmt: skip


def dynalite() -> list[str]:
    home = CACHE / "bench-peers"
    binary = home / "node_modules" / ".bin" / "dynalite"
    if not binary.exists():
        home.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--prefix", str(home), "dynalite@3"], check=True)
    return [str(binary), "--port"]


def moto() -> list[str]:
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p"]


def nginx_floor(workdir: Path) -> list[str]:
    """nginx serving the null endpoint's constant answers from one process, so /proc/PID/stat is all of it."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is not installed: apt-get install nginx-light (bench/run-null.sh does)")
    template = (ROOT / "bench" / "nginx.conf.template").read_text().replace("@PREFIX@", str(workdir))
    (workdir / "nginx.conf.template").write_text("master_process off;\n" + template)
    # The port is the command's last argument, as for the other servers.
    script = 'sed "s/@PORT@/$1/" "$0/nginx.conf.template" > "$0/nginx.conf" && exec "$2" -p "$0" -c "$0/nginx.conf"'
    return ["bash", "-c", script.replace('"$2"', nginx), str(workdir)]


FLOOR = "nginx constant"


def ddbload(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(pinned(1, [sys.executable, "-m", "ddbload", *args]), capture_output=True, text=True, env=ENV)


def prepare(name: str, url: str, workdir: Path) -> None:
    if name == FLOOR:
        return  # it answers every request with the same bytes: there is nothing to create
    made = ddbload("run", "--endpoint-url", url, "--duration", "0.5s", "--create-tables", "--seed-products", "1000",
                   *TABLES, "--progress", "never")  # fmt: skip
    if made.returncode:
        raise RuntimeError(f"{name}: could not create and seed the tables: {made.stderr.strip()[-500:]}")
    if name == "ddbload":
        ddbload("capacity", "set", "--on-demand", "--warm-read", "40000", "--warm-write", "40000",
                "--table", "BenchProducts", "--table", "BenchOrders", "--endpoint-url", url,
                "--backup-dir", str(workdir))  # fmt: skip


def load(url: str, pid: int, read_ratio: str, rate: int | None, seconds: int, out: Path) -> dict:
    """One load: at `rate` operations a second (open model), or as fast as 20 workers go (rate None)."""
    pace = ["--rate", str(rate)] if rate else ["--threads", "20"]
    before = cpu_seconds(pid)
    ran = ddbload("run", "--endpoint-url", url, *pace, "--duration", f"{seconds}s", "--read-ratio", read_ratio,
                  *TABLES, "--progress", "never", "--output", str(out))  # fmt: skip
    server_cpu = cpu_seconds(pid) - before
    if not out.exists():
        raise RuntimeError(f"the load against {url} wrote no result: {ran.stderr.strip()[-500:]}")
    result = json.loads(out.read_text())
    summary = result["summary"]["reads" if read_ratio == "1.0" else "writes"]
    return {
        "ok": summary["ok"],
        "errors": sum(summary["errors"].values()) + summary["throttled_attempts"] + summary["gave_up"],
        "ops_per_s": summary["ok"] / result["duration_s"],
        "server_cpu_s": server_cpu,
        "ops_per_cpu_s": summary["ok"] / server_cpu if server_cpu else float("nan"),
        "p99_ms": summary["latency_ms"]["p99"],
    }


def server_commands(
    peers: list[str], parser: argparse.ArgumentParser, workdir: Path
) -> dict[str, tuple[list[str], Path | None]]:
    """Each server's command (its port appended) and working directory, ddbload's first."""
    commands: dict[str, tuple[list[str], Path | None]] = {"ddbload": (ddbload_server(), None)}
    for peer in peers:
        if peer == "local":
            commands["DynamoDB Local"] = dynamodb_local()
        elif peer == "dynalite":
            commands["dynalite"] = (dynalite(), None)
        elif peer == "moto":
            commands["moto"] = (moto(), None)
        elif peer == "nginx":
            commands[FLOOR] = (nginx_floor(workdir), None)
        elif peer:
            parser.error(f"--peers: unknown peer {peer!r} (local, dynalite, moto, nginx)")
    return commands


def report(runs: dict[tuple[str, str, str], list[dict]], servers: list[str], args: argparse.Namespace) -> None:
    """Medians of the rounds: p99 at the offered rate, operations per server CPU-second at saturation."""
    median = statistics.median
    print(f"{args.rounds} alternating rounds of {args.seconds} s per load; medians of the rounds")
    print(f"{'operation':<9} {'server':<15} {'p99 ms at ' + str(args.rate) + '/s':>17} {'ddbload lower by':>17} "
          f"{'saturated ops/s':>16} {'ops per CPU-s':>14} {'ddbload ratio':>14} {'errors':>7}")  # fmt: skip
    for op in ("GetItem", "PutItem"):
        our_p99 = median(r["p99_ms"] for r in runs[("ddbload", op, "rate")])
        our_efficiency = median(r["ops_per_cpu_s"] for r in runs[("ddbload", op, "saturated")])
        for name in servers:
            paced, saturated = runs[(name, op, "rate")], runs[(name, op, "saturated")]
            p99 = median(r["p99_ms"] for r in paced)
            efficiency = median(r["ops_per_cpu_s"] for r in saturated)
            lower = "" if name == "ddbload" else f"{p99 / our_p99:.1f}x"
            ratio = "" if name == "ddbload" else f"{our_efficiency / efficiency:.1f}x"
            errors = sum(r["errors"] for r in paced + saturated)
            print(f"{op:<9} {name:<15} {p99:>17.2f} {lower:>17} {median(r['ops_per_s'] for r in saturated):>16,.0f} "
                  f"{efficiency:>14,.0f} {ratio:>14} {errors:>7}")  # fmt: skip
    if FLOOR in servers:
        print(floor_line(runs, servers))


def floor_line(runs: dict[tuple[str, str, str], list[dict]], servers: list[str]) -> str:
    """ddbload's operations per CPU-second as a share of nginx's constant answer, and what 25x each peer's
    would need of it."""
    efficiency = {
        (name, op): statistics.median(r["ops_per_cpu_s"] for r in runs[(name, op, "saturated")])
        for name in servers
        for op in ("GetItem", "PutItem")
    }
    parts = []
    for op in ("GetItem", "PutItem"):
        floor = efficiency[(FLOOR, op)]
        needs = [
            f"25x {name}'s is {25 * efficiency[(name, op)] / floor:.0%}"
            for name in servers
            if name not in ("ddbload", FLOOR)
        ]
        parts.append(f"{op} {efficiency[('ddbload', op)] / floor:.0%}" + (f" ({', '.join(needs)})" if needs else ""))
    return "ddbload's ops per CPU-s as a share of nginx answering a constant: " + "; ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rate", type=int, default=250, help="offered operations per second, the same for every server"
    )
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--peers", default="local,dynalite,moto")
    args = parser.parse_args()
    runs: dict[tuple[str, str, str], list[dict]] = {}
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        commands = server_commands(args.peers.split(","), parser, Path(tmp))
        started = {}
        for name, (command, cwd) in commands.items():
            port = free_port()
            url, pid = stack.enter_context(server([*command, str(port)], port, cwd))
            prepare(name, url, Path(tmp))
            started[name] = (url, pid)
        for round_number in range(args.rounds):
            for op, ratio in (("GetItem", "1.0"), ("PutItem", "0.0")):
                for phase, rate in (("rate", args.rate), ("saturated", None)):
                    for name, (url, pid) in started.items():
                        out = Path(tmp) / f"{name}-{op}-{phase}-{round_number}.json".replace(" ", "_")
                        measured = load(url, pid, ratio, rate, args.seconds, out)
                        runs.setdefault((name, op, phase), []).append(measured)
    report(runs, list(started), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
