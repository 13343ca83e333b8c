"""The command line: `ddbload run ...` (also `python -m ddbload` and the workshop's ddb_load_tester.py)."""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any, Callable, NoReturn

from . import _engine
from .admin_cli import add_admin_commands, cmd_capacity, cmd_cleanup
from .after_cli import add_after_commands, check_report_path, cmd_after, render_report, write_report
from .api import RunInterrupted, run
from .console import make_console
from .csv_rows import check_csv_path, render_csv, write_csv
from .figures import figures
from .live import LiveProgress
from .output import OutputPathError, check_output_path, write_fallback
from .result import Result
from .summary import print_summary
from .thresholds import Threshold, ThresholdError, broken, parse

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
# Task indexes are three digits in order ids (the engine's MAX_TASK is 999).
MAX_RAY_TASKS = 1000

LOCAL_SEED_PRODUCTS = 1000
PLAIN_PROGRESS_EVERY_S = 10
MAX_SERVE_THREADS = 256
WORKSHOP_SCRIPT = Path(__file__).parent / "workshop" / "ddb_load_tester.py"
WORKSHOP_MARKER = "Installed by ddbload"

EPILOG = """\
examples:
  python ddb_load_tester.py --threads 20 --minutes 5
      the workshop run: 20 workers for 5 minutes against tables in us-east-1
  python ddb_load_tester.py --local --table-capacity 2/2 --minutes 1
      offline: ddbload's own endpoint, tables at RCU 2 / WCU 2 - see what under-capacity looks like
  ddbload run --endpoint-url http://127.0.0.1:8000 --create-tables --seed-products 1000 --minutes 0.5
      a rehearsal against DynamoDB Local or `ddbload serve`

exit codes: 0 ran, 1 a --fail-if threshold broke or setup failed after starting,
            2 bad input (nothing sent, nothing written), 130 interrupted
"""

# Errors that mean the input (flags, tables, endpoint, credentials) was wrong: nothing was sent.
BAD_INPUT_ERRORS = (
    _engine.ConfigError,
    _engine.TableError,
    _engine.EndpointError,
    _engine.CredentialsError,
    _engine.DataError,
)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the option and value, and exit code 2."""

    def error(self, message: str) -> NoReturn:
        fail(message)


def fail(message: str) -> NoReturn:
    print(f"ddbload: error: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="ddbload",
        description="Load-test DynamoDB the way a peak sales event will: product lookups and order "
        "creations at the same time, with throughput, latency percentiles, throttles and capacity.",
    )
    parser.add_argument("--version", action="version", version=f"ddbload {_engine.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)

    run_parser = commands.add_parser(
        "run",
        help="run a load test (the default command)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    add_run_arguments(run_parser)

    add_admin_commands(commands, OneLineParser)
    add_after_commands(commands)

    serve = commands.add_parser("serve", help="run the offline endpoint (throttles like DynamoDB) in the foreground")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on, 0 = any free one (default: 8000)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, loopback)")
    serve.add_argument("--threads", type=int, default=1, help=f"server threads, 1 to {MAX_SERVE_THREADS} (default: 1)")
    serve.add_argument("--region", default="us-east-1", help="region in ARNs (default: us-east-1)")

    install = commands.add_parser("install-script", help="copy the workshop's ddb_load_tester.py into a folder")
    install.add_argument("directory", help="folder to put ddb_load_tester.py in (created if missing)")
    return parser


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    load = p.add_argument_group("load")
    load.add_argument("--threads", type=int, default=20, help="concurrent workers (default: 20)")
    span = load.add_mutually_exclusive_group()
    span.add_argument("--minutes", type=float, help="how long to run, fractions allowed (default: 1)")
    span.add_argument("--duration", help="how long to run, e.g. 90s, 5m, 1h30m (instead of --minutes)")
    load.add_argument(
        "--read-ratio",
        type=float,
        default=0.8,
        help="share of operations that are product reads (default: 0.8)",
    )
    load.add_argument(
        "--read-op",
        choices=["get", "batch-get", "query"],
        default="get",
        help="how products are read (default: get)",
    )
    load.add_argument("--batch-size", type=int, default=10, help="keys per BatchGetItem (default: 10)")
    load.add_argument("--consistent-reads", action="store_true", help="strongly consistent reads (default: eventual)")
    load.add_argument(
        "--write-op",
        choices=["put", "transact"],
        default="put",
        help="put: PutItem of the order; transact: order + stock decrement in one transaction (default: put)",
    )
    load.add_argument(
        "--max-attempts",
        type=int,
        default=3,
        help="attempts per operation, backoff with jitter between (default: 3)",
    )
    load.add_argument(
        "--client",
        choices=["fast", "sdk"],
        default="fast",
        help="fast: ddbload signs and sends GetItem/PutItem/BatchGetItem/TransactWriteItems itself; "
        "sdk: every call through the AWS SDK for Rust (default: fast)",
    )
    load.add_argument("--seed", type=int, help="random seed, to repeat a run exactly (default: random, recorded)")
    shape = p.add_argument_group("load shape (open model: arrivals on a schedule, whatever the answers)")
    shape.add_argument("--rate", type=float, help="operations per second, split by --read-ratio (instead of workers)")
    shape.add_argument(
        "--stages",
        metavar="DUR:RATE,...",
        help="ramps and holds, e.g. 2m:1000,30s:8000,5m:8000,1m:1000 (sets the length)",
    )
    shape.add_argument("--start-rate", type=float, help="the rate the first stage ramps from (default: 0)")
    shape.add_argument(
        "--max-in-flight",
        type=int,
        help="most requests in flight; later arrivals wait (up to 100 per slot), beyond that they are dropped "
        "(default: 100; raise it when rate x latency nears it)",
    )
    shape.add_argument(
        "--key-distribution",
        metavar="DIST",
        help="uniform, zipf[:THETA] or hot:KEYS:SHARE (hot:1:0.3: one deal takes 30%% of picks) (default: uniform)",
    )
    load.add_argument("--run-id", help="id stored on every generated order (default: time-based)")

    scale = p.add_argument_group("scale out (pip install 'ddbload[ray]')")
    scale.add_argument(
        "--ray",
        nargs="?",
        const="auto",
        metavar="ADDRESS",
        help="run on a Ray cluster: auto (this machine's cluster, or RAY_ADDRESS) or HOST:PORT",
    )
    scale.add_argument(
        "--ray-tasks",
        type=int,
        metavar="K",
        help="tasks to split the workers or the schedule into (default: one per alive node)",
    )

    aws = p.add_argument_group("AWS")
    aws.add_argument("--region", default="us-east-1", help="AWS region (default: us-east-1)")
    aws.add_argument("--profile", help="AWS profile from ~/.aws/config (default: standard credential chain)")
    aws.add_argument("--endpoint-url", help="send requests here instead, e.g. DynamoDB Local http://127.0.0.1:8000")
    aws.add_argument(
        "--local",
        action="store_true",
        help="rehearse offline: start ddbload's own endpoint (it throttles like DynamoDB) on a free loopback "
        "port, create the tables and seed 1000 products unless told otherwise",
    )

    tables = p.add_argument_group("tables")
    tables.add_argument("--products-table", default="Products", help="products table (default: Products)")
    tables.add_argument("--orders-table", default="Orders", help="orders table (default: Orders)")
    tables.add_argument(
        "--create-tables", action="store_true", help="create missing tables (on-demand) instead of failing"
    )
    tables.add_argument(
        "--seed-products",
        type=int,
        default=None,
        help="write N sample products before the run (default: 0; 1000 with --local)",
    )
    tables.add_argument(
        "--table-capacity",
        default="on-demand",
        help="capacity the tables this run creates get after seeding: on-demand or RCU/WCU such as 2/2 "
        "(default: on-demand)",
    )
    tables.add_argument(
        "--sample-products",
        type=int,
        default=10000,
        help="product keys to read from the table (default: 10000)",
    )

    orders = p.add_argument_group("orders (money is exact decimal)")
    orders.add_argument("--price-min", default="1.00", help="lowest generated unit price (default: 1.00)")
    orders.add_argument("--price-max", default="500.00", help="highest generated unit price (default: 500.00)")
    orders.add_argument("--max-quantity", type=int, default=5, help="most units per order line (default: 5)")
    orders.add_argument("--max-lines", type=int, default=5, help="most lines per order (default: 5)")
    orders.add_argument(
        "--ttl-hours",
        type=int,
        default=24,
        help="orders expire after this many hours, 0 = never (default: 24)",
    )

    out = p.add_argument_group("output")
    out.add_argument("--output", metavar="FILE", help="write the result JSON here")
    out.add_argument("--report", metavar="FILE", help="write a self-contained HTML report with charts")
    out.add_argument("--csv", metavar="FILE", help="write the per-second rows as CSV")
    out.add_argument(
        "--fail-if",
        action="append",
        default=[],
        metavar="EXPR",
        help="exit 1 when true after the run, e.g. 'p99_ms>50' or 'throttle_rate>0.01' (repeatable)",
    )
    out.add_argument(
        "--progress",
        choices=["auto", "always", "never"],
        default="auto",
        help="live progress on stderr: auto = a line a second on a terminal, every 10 s otherwise "
        "(CI, | tee); always = every second (default: auto)",
    )


def config_from_args(args: argparse.Namespace) -> _engine.LoadConfig:
    """The run's LoadConfig; a bad value is a ConfigError whose text names the flag (`--threads`), not
    the keyword a Python caller would see (`threads`)."""
    try:
        return _engine.LoadConfig(**config_kwargs(args))
    except _engine.ConfigError as e:
        option, reason = getattr(e, "option", None), getattr(e, "reason", None)
        if option is None or reason is None:
            raise
        raise _engine.ConfigError(f"{option}: {reason}") from None


def config_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The LoadConfig keywords the run options give (a distributed run splits them into tasks)."""
    span: dict[str, Any] = {}
    if args.minutes is not None:
        span["minutes"] = args.minutes
    elif args.duration is not None:
        span["duration"] = args.duration
    if args.stages is not None and span:
        raise _engine.ConfigError(
            f"--stages: the stages set the run's length; leave out --{next(iter(span))} ({args.stages})"
        )
    return dict(
        threads=args.threads,
        region=args.region,
        profile=args.profile,
        endpoint_url=args.endpoint_url,
        products_table=args.products_table,
        orders_table=args.orders_table,
        create_tables=args.create_tables,
        seed_products=args.seed_products or 0,
        table_capacity=args.table_capacity,
        read_ratio=args.read_ratio,
        read_op=args.read_op,
        batch_size=args.batch_size,
        consistent_reads=args.consistent_reads,
        write_op=args.write_op,
        max_attempts=args.max_attempts,
        client=args.client,
        seed=args.seed,
        run_id=args.run_id,
        price_min=args.price_min,
        price_max=args.price_max,
        max_quantity=args.max_quantity,
        max_lines=args.max_lines,
        ttl_hours=args.ttl_hours,
        sample_products=args.sample_products,
        **{k: v for k, v in shape_options(args).items() if v is not None},
        **span,
    )


def shape_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "rate": args.rate,
        "stages": args.stages,
        "start_rate": args.start_rate,
        "max_in_flight": args.max_in_flight,
        "key_distribution": args.key_distribution,
    }


def cmd_run(args: argparse.Namespace) -> int:
    output = Path(args.output) if args.output is not None else None
    report = Path(args.report) if args.report is not None else None
    csv_path = Path(args.csv) if args.csv is not None else None
    try:
        thresholds = [parse(text) for text in args.fail_if]
    except ThresholdError as e:
        fail(str(e))
    paths = (("--output", output, check_output_path), ("--report", report, check_report_path),
             ("--csv", csv_path, check_csv_path))  # fmt: skip
    for flag, path, check in paths:
        if path is not None and not getattr(args, flag[2:]):
            fail(f"{flag}: the file name is empty")
        if path is not None:
            try:
                check(path)
            except OutputPathError as e:
                fail(f"{flag}: {e}")
    ray_address = ray_address_of(args)
    if args.local:
        if args.endpoint_url:
            fail("--local: it starts its own endpoint; leave out --endpoint-url")
        args.create_tables = True
        if args.seed_products is None:
            args.seed_products = LOCAL_SEED_PRODUCTS
        args.endpoint_url = "http://127.0.0.1:1"  # replaced by the emulator's URL once it runs
    try:
        config = config_from_args(args)
    except _engine.ConfigError as e:
        fail(str(e))
    emulator = None
    if args.local:
        emulator = _engine.Emulator(region=args.region)
        args.endpoint_url = emulator.url
        # The offline endpoint accepts any credentials; don't send real ones to it.
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            os.environ[key] = "local"
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.pop("AWS_PROFILE", None)
        config = config_from_args(args)

    stderr = make_console(stderr=True)
    # Off a terminal (CI, `| tee`) a line every 10 s: enough to see it is alive, not a flood.
    every = 1 if args.progress == "always" or stderr.is_terminal else PLAIN_PROGRESS_EVERY_S
    live = LiveProgress(stderr, config.duration_s, every=every) if args.progress != "never" else None
    signal.signal(signal.SIGTERM, _interrupt)
    code = EXIT_OK
    try:
        result = run(config, progress=live) if ray_address is None else run_on_ray(args, ray_address, live)
    except RunInterrupted as e:
        if e.result is None:
            print("ddbload: interrupted before the load began; nothing was measured", file=sys.stderr)
            return EXIT_INTERRUPTED
        result, code = e.result, EXIT_INTERRUPTED
    except BAD_INPUT_ERRORS as e:
        fail(str(e))
    except _engine.DdbLoadError as e:
        print(f"ddbload: error: {e}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if live is not None:
            live.close()
        if emulator is not None:
            emulator.stop()

    # Files first: a closed stdout (`| head -1`) must not lose them.
    written = save_outputs(result, output, report, csv_path, thresholds)
    if written is None and code == EXIT_OK:
        code = EXIT_FAILED
    failures = broken(thresholds, figures(result.data)) if thresholds else []
    for line in failures:
        print(line, file=sys.stderr)
    if failures and code == EXIT_OK:
        code = EXIT_FAILED
    lost = [p for p in result.data.get("parts", []) if p["status"] == "lost"]
    for part in lost:
        print(f"ddbload: task {part['task']} on {part['node']} was lost ({part.get('error', 'no result')}); "
              "the result covers the other tasks", file=sys.stderr)  # fmt: skip
    if lost and code == EXIT_OK:
        code = EXIT_FAILED
    try:
        print_summary(result, make_console(stderr=False))
        for line in written or []:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_to_devnull()
    return code


def ray_address_of(args: argparse.Namespace) -> str | None:
    """The Ray cluster to run on (None: this machine alone); misuse of --ray is bad input."""
    if args.ray_tasks is not None and args.ray is None:
        fail(f"--ray-tasks: only with --ray (got --ray-tasks {args.ray_tasks} without it)")
    if args.ray is None:
        return None
    if args.ray_tasks is not None and not 1 <= args.ray_tasks <= MAX_RAY_TASKS:
        fail(f"--ray-tasks must be between 1 and {MAX_RAY_TASKS}, got {args.ray_tasks}")
    if args.local:
        fail(
            "--ray: --local's endpoint lives in this process, out of the tasks' reach; start a shared one "
            "(ddbload serve --host 0.0.0.0) and give its --endpoint-url"
        )
    if importlib.util.find_spec("ray") is None:
        fail(f"--ray {args.ray}: Ray is not installed here; pip install 'ddbload[ray]'")
    if args.ray == "auto" and os.environ.get("RAY_ADDRESS"):
        return os.environ["RAY_ADDRESS"]
    return str(args.ray)


def run_on_ray(args: argparse.Namespace, address: str, live: LiveProgress | None) -> Result:
    from .distributed.ray_run import ClusterUnreachable, DistributedError, run_distributed

    try:
        return run_distributed(config_kwargs(args), address=address, tasks=args.ray_tasks, progress=live)
    except ClusterUnreachable as e:
        fail(str(e))
    except DistributedError as e:
        raise _engine.DdbLoadError(str(e)) from None


def save_outputs(
    result: Result,
    output: Path | None,
    report: Path | None,
    csv_path: Path | None = None,
    thresholds: list[Threshold] | None = None,
) -> list[str] | None:
    """Writes the result and report files; a path that fails after the run gets a temporary file
    instead (named on stderr). Returns the lines to print, or None when a fallback was needed."""
    lines: list[str] = []
    fell_back = False
    targets: list[tuple[str, Path | None, Callable[[Path], object], Callable[[], str], str]] = [
        ("result", output, result.save, result.to_json, ".json"),
        (
            "report",
            report,
            lambda p: write_report(result.data, p, thresholds),
            lambda: render_report(result.data, thresholds),
            ".html",
        ),
        ("CSV", csv_path, lambda p: write_csv(result.data, p), lambda: render_csv(result.data), ".csv"),
    ]
    for kind, path, write, text, suffix in targets:
        if path is None:
            continue
        try:
            write(path)
            lines.append(f"{kind[0].upper()}{kind[1:]} written to {path}")
        except (OSError, OutputPathError) as e:
            fell_back = True
            spare = write_fallback(f"ddbload-{kind.lower()}-{result.run_id}", suffix, text())
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            print(f"ddbload: could not write {path} ({reason}); the {kind} is in {spare}", file=sys.stderr)
    return None if fell_back else lines


def _stdout_to_devnull() -> None:
    """stdout was closed by the reader: stop writing to it (and keep Python from complaining at exit)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def cmd_serve(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        fail(f"--port must be between 0 and 65535, got {args.port}")
    if not 1 <= args.threads <= MAX_SERVE_THREADS:
        fail(f"--threads must be between 1 and {MAX_SERVE_THREADS}, got {args.threads}")
    try:
        emulator = _engine.Emulator(host=args.host, port=args.port, threads=args.threads, region=args.region)
    except OSError as e:
        fail(f"--port: {e}")
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"ddbload offline endpoint on {emulator.url} (Ctrl-C stops it)", flush=True)
    print(f"  try: ddbload run --endpoint-url {emulator.url} --create-tables --seed-products 1000", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    print("stopped", flush=True)
    return EXIT_OK


def cmd_install_script(args: argparse.Namespace) -> int:
    folder = Path(args.directory).expanduser()
    target = folder / WORKSHOP_SCRIPT.name
    if folder.exists() and not folder.is_dir():
        fail(f"install-script: {folder} is not a folder")
    if target.exists() and WORKSHOP_MARKER not in target.read_text(encoding="utf-8", errors="replace"):
        fail(f"install-script: {target} exists and was not installed by ddbload; refusing to overwrite it")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(WORKSHOP_SCRIPT, target)
    target.chmod(0o755)
    print(f"Installed {target}\nRun it with: python {target} --threads 20 --minutes 5")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `ddbload --threads 20` means `ddbload run --threads 20`.
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "run")
    args = build_parser().parse_args(argv)
    if args.command == "install-script":
        return cmd_install_script(args)
    if args.command == "serve":
        return cmd_serve(args)
    if args.command in ("compare", "advise", "support-case", "report"):
        return cmd_after(args, fail)
    if args.command in ("capacity", "cleanup"):
        try:
            return cmd_capacity(args, fail) if args.command == "capacity" else cmd_cleanup(args, fail)
        except BAD_INPUT_ERRORS as e:
            fail(str(e))
        except _engine.DdbLoadError as e:
            print(f"ddbload: error: {e}", file=sys.stderr)
            return EXIT_FAILED
    if args.command != "run":
        build_parser().print_help()
        return EXIT_BAD_INPUT
    try:
        return cmd_run(args)
    except KeyboardInterrupt:
        # A second Ctrl-C while the first one's partial result is being collected.
        print("ddbload: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
