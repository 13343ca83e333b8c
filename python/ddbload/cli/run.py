"""`ddbload run`: the load test, its options, and the files and exit code it leaves."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any, Callable

from .. import _engine
from ..api import Progress, RunInterrupted, chained, run
from ..console import make_console, to_devnull
from ..csv_rows import check_csv_path, render_csv, write_csv
from ..live import LiveProgress
from ..output import OutputPathError, check_output_path, write_fallback
from ..result import Result
from ..summary import print_summary
from ..thresholds import Threshold, ThresholdError, broken, measured, parse, refuse_open_model_only
from ..workload_file import WORKSHOP, workload_json
from . import gameday
from .after import check_report_path, render_report, write_report
from .common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Fail,
    engine_failure,
    stop_on_sigterm,
)
from .gameday import add_gameday_flags
from .metrics_flags import (
    add_metrics_flags,
    cloudwatch_alarms,
    cloudwatch_namespace,
    linger_then_stop,
    start_cloudwatch,
    start_metrics,
)
from .options import GROUP_TITLES, add_connection_flags, add_engine_options, engine_kwargs
from .server_view import add_server_view_flags, wait_of, with_server_view

# Task indexes are three digits in order ids (the engine's MAX_TASK is 999).
MAX_RAY_TASKS = 1000

LOCAL_SEED_PRODUCTS = 1000
PLAIN_PROGRESS_EVERY_S = 10
# Where a run without --output keeps its result JSON, relative to the working directory.
RUNS_DIR = Path("ddbload-runs")

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


def add_commands(commands: Any) -> None:
    p = commands.add_parser(
        "run",
        help="run a load test (the default command)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    add_run_arguments(p)
    p.set_defaults(handler=cmd_run)


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    """The engine's options (from its table, cli/options.py), then the ones only the command line has."""
    # Added in --help's order: the load, then scaling out and AWS, then the tables and orders.
    add_engine_options({name: p.add_argument_group(GROUP_TITLES[name]) for name in ("load", "shape")})

    scale = p.add_argument_group("scale out (needs Ray: pip install 'ray>=2.9')")
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

    aws = p.add_argument_group(GROUP_TITLES["connection"])
    add_connection_flags(aws)
    aws.add_argument(
        "--local",
        action="store_true",
        help="rehearse offline: start ddbload's own endpoint (it throttles like DynamoDB) on a free loopback "
        "port, create the tables and seed 1000 products unless told otherwise",
    )
    add_engine_options({name: p.add_argument_group(GROUP_TITLES[name]) for name in ("tables", "orders")})
    p.add_argument_group("workload file").add_argument(
        "--table",
        action="append",
        metavar="NAME=TABLE",
        help="send the workload file's table NAME's operations to DynamoDB table TABLE (repeatable)",
    )

    out = p.add_argument_group("output")
    out.add_argument(
        "--output", metavar="FILE", help=f"write the result JSON here (default: {RUNS_DIR}/RUN_ID.json, see --no-save)"
    )
    out.add_argument(
        "--no-save", action="store_true", help=f"without --output: do not keep the result JSON in {RUNS_DIR}/"
    )
    out.add_argument("--report", metavar="FILE", help="write a self-contained HTML report with charts")
    out.add_argument("--csv", metavar="FILE", help="write the per-second rows as CSV")
    out.add_argument(
        "--fail-if",
        action="append",
        default=[],
        metavar="EXPR",
        help="exit 1 when true after the run, e.g. 'p99_ms>50', 'throttle_rate>0.01' or 'verdict!=held' (repeatable)",
    )
    out.add_argument(
        "--progress",
        choices=["auto", "always", "never"],
        default="auto",
        help="live progress on stderr: auto = a line a second on a terminal, every 10 s otherwise "
        "(CI, | tee); always = every second (default: auto)",
    )
    add_metrics_flags(out)
    add_server_view_flags(out)
    add_gameday_flags(p)


def config_from_args(args: argparse.Namespace) -> _engine.LoadConfig:
    """The run's LoadConfig; a bad value is a ConfigError whose text names the flag (`--threads`), not
    the keyword a Python caller would see (`threads`)."""
    return load_config(config_kwargs(args))


def load_config(kwargs: dict[str, Any]) -> _engine.LoadConfig:
    """A LoadConfig of engine keywords given as flags; its ConfigError names the flag."""
    try:
        return _engine.LoadConfig(**kwargs)
    except _engine.ConfigError as e:
        option, reason = getattr(e, "option", None), getattr(e, "reason", None)
        if option is None or reason is None:
            raise
        raise _engine.ConfigError(f"{option}: {reason}") from None


def config_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The LoadConfig keywords the run options give (a distributed run splits them into tasks)."""
    kwargs = engine_kwargs(args)
    if getattr(args, "timeline", None) is not None:
        kwargs["timeline"] = args.timeline
    if getattr(args, "replay", None) is not None:  # ddbload replay's spool (cli/replay.py)
        kwargs["_replay"] = args.replay
    if args.table:
        kwargs["workload"] = renamed_tables(kwargs.get("workload"), args.table)
    span = next((k for k in ("minutes", "duration") if k in kwargs), None)
    if "stages" in kwargs and span:
        raise _engine.ConfigError(f"--stages: the stages set the run's length; leave out --{span} ({args.stages})")
    return kwargs


def renamed_tables(workload: str | None, renames: list[str]) -> dict[str, Any]:
    """The workload file's JSON form with `--table NAME=TABLE` applied to its tables."""
    if workload is None or workload == WORKSHOP:
        raise Fail(f"--table {renames[0]}: renames a workload file's tables; give the file with --workload")
    document: dict[str, Any] = json.loads(workload_json(workload))
    for rename in renames:
        name, _, table = rename.partition("=")
        if not name or not table:
            raise Fail(f"--table: expected NAME=TABLE, got {rename!r}")
        if name not in document["tables"]:
            raise Fail(f"--table: {workload} has no table {name!r} (its tables: {', '.join(document['tables'])})")
        document["tables"][name]["table"] = table
    return document


def cmd_run(args: argparse.Namespace) -> int:
    try:
        return load_test(args)
    except KeyboardInterrupt:
        # A second Ctrl-C while the first one's partial result is being collected.
        print("ddbload: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def load_test(
    args: argparse.Namespace,
    amend: Callable[[Result], Result] | None = None,
    before: Callable[[argparse.Namespace], None] | None = None,
) -> int:
    """Checks everything first (bad input sends nothing), runs, then writes the files and the summary.
    A command built on it (replay) may add: `before`, a step once the endpoint is up and before the
    load (replay's --seed-keys), and `amend`, its own section of the result before it is written."""
    thresholds = parse_thresholds(args.fail_if)
    wait_of("--server-view-wait", args.server_view_wait)
    cloudwatch_alarms(args, "check")
    if cloudwatch_namespace(args) is not None and args.run_id is None:
        # The metrics carry the run's id as a dimension: known before the load.
        args.run_id = time.strftime("%Y%m%d-%H%M%S-", time.gmtime()) + secrets.token_hex(2)
    outputs = output_paths(args)
    keep = outputs[0] is None and not args.no_save
    if keep:
        check_runs_dir()
    ray_address = ray_address_of(args)
    if args.local:
        use_local_defaults(args)
    config = checked_config(args)
    check_thresholds_fit(thresholds, config)
    gameday.prepare(args, config)
    metrics, result = None, None
    try:
        metrics = start_metrics(args)
        result, code = run_here(args, config, ray_address, metrics.metrics if metrics else None, before)
        if result is None:
            return code
        if amend is not None:
            result = amend(result)
        # Files first: a closed stdout (`| head -1`) must not lose them.
        written, result_path = write_files(result, outputs, keep, thresholds)
        holds = result_holds(result, thresholds)
        if code == EXIT_OK and (written is None or not holds):
            code = EXIT_FAILED
        print_results(result, written or [], result_path)
        gameday.show(result)
        return code
    finally:
        if metrics is not None:
            linger_then_stop(metrics, args, result)


def run_here(
    args: argparse.Namespace,
    config: _engine.LoadConfig,
    ray_address: str | None,
    metrics: Progress | None,
    before: Callable[[argparse.Namespace], None] | None = None,
) -> tuple[Result | None, int]:
    """The run itself, with --local's endpoint and the live lines (ddbload.run carries out a timeline)."""
    emulator = None
    if args.local:
        emulator = start_local_endpoint(args)
        config = config_from_args(args)  # with the endpoint's URL
    if before is not None:
        try:
            before(args)
        except BaseException:
            if emulator is not None:
                emulator.stop()
            raise
    live = live_progress(args.progress, config.duration_s, args.workload not in (None, WORKSHOP))
    publisher = start_cloudwatch(args, config)
    stop_on_sigterm()
    try:
        result, code = measure(args, config, ray_address, chained(chained(live, metrics), publisher))
        if result is not None:
            # Before --local's endpoint stops: it holds the metrics.
            result = with_server_view(result, args, config.endpoint_url)
    finally:
        try:
            if live is not None:
                live.close()
            if publisher is not None:
                for line in publisher.close():
                    print(f"ddbload: {line}", file=sys.stderr)
        finally:
            if emulator is not None:
                emulator.stop()
    return result, code


def check_thresholds_fit(thresholds: list[Threshold], config: _engine.LoadConfig) -> None:
    if not config.open_model:
        try:
            refuse_open_model_only(thresholds)
        except ThresholdError as e:
            raise Fail(str(e)) from None


def write_files(
    result: Result, outputs: tuple[Path | None, Path | None, Path | None], keep: bool, thresholds: list[Threshold]
) -> tuple[list[str] | None, Path | None]:
    """The files asked for, and the kept result when no --output was given: the lines that name them
    (None when one had to fall back elsewhere) and the result file's path for the next-step command."""
    written = save_outputs(result, *outputs, thresholds)
    kept = keep_result(result) if keep else None
    if kept is not None and written is not None:
        written.insert(0, f"Result kept in {kept} (--no-save skips it)")
    return written, kept if keep else (outputs[0] if written is not None else None)


def check_runs_dir() -> None:
    """The default result folder must be a folder (or not exist yet): checked before anything is sent."""
    if RUNS_DIR.exists() and not RUNS_DIR.is_dir():
        raise Fail(f"--output: ./{RUNS_DIR} is not a folder; give --output FILE or --no-save")


def keep_result(result: Result) -> Path | None:
    """Keeps the result JSON in ./ddbload-runs/ (a run id names a run once, so nothing is replaced);
    a failure is said on stderr and costs the run nothing."""
    path = RUNS_DIR / f"{result.run_id}.json"
    try:
        RUNS_DIR.mkdir(exist_ok=True)
        return result.save(path)
    except (OSError, OutputPathError) as e:
        print(f"ddbload: could not keep the result in {path} ({why(e)}); give --output FILE", file=sys.stderr)
        return None


def why(error: OSError | OutputPathError) -> str:
    """A failed write's reason in a few words: the OS's own when it gave one."""
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error)


def parse_thresholds(texts: list[str]) -> list[Threshold]:
    try:
        return [parse(text) for text in texts]
    except ThresholdError as e:
        raise Fail(str(e)) from None


def output_paths(args: argparse.Namespace) -> tuple[Path | None, Path | None, Path | None]:
    """--output, --report and --csv, each checked before the run so that a bad path sends nothing."""
    paths = (
        checked_path("--output", args.output, check_output_path),
        checked_path("--report", args.report, check_report_path),
        checked_path("--csv", args.csv, check_csv_path),
    )
    seen: dict[Path, str] = {}
    for flag, path in zip(("--output", "--report", "--csv"), paths):
        if path is None:
            continue
        # ./X, X and a symlink to X are one file: the second write would replace the first.
        real = path.resolve()
        if real in seen:
            raise Fail(f"{flag}: {path} is the same file as {seen[real]}'s; give each output its own file")
        seen[real] = flag
    return paths


def checked_path(flag: str, text: str | None, check: Callable[[Path], None]) -> Path | None:
    if text is None:
        return None
    if not text:
        raise Fail(f"{flag}: the file name is empty")
    if text == "-":
        raise Fail(f"{flag}: '-' would be a file named '-'; give a file name (the summary goes to stdout)")
    if text.endswith(("/", os.sep)):
        raise Fail(f"{flag}: {text} names a folder; give a file name in it")
    path = Path(text)
    try:
        check(path)
    except OutputPathError as e:
        raise Fail(f"{flag}: {e}") from None
    return path


def ray_address_of(args: argparse.Namespace) -> str | None:
    """The Ray cluster to run on (None: this machine alone); misuse of --ray is bad input."""
    if args.ray_tasks is not None and args.ray is None:
        raise Fail(f"--ray-tasks: only with --ray (got --ray-tasks {args.ray_tasks} without it)")
    if args.ray is None:
        return None
    if args.ray_tasks is not None and not 1 <= args.ray_tasks <= MAX_RAY_TASKS:
        raise Fail(f"--ray-tasks must be between 1 and {MAX_RAY_TASKS}, got {args.ray_tasks}")
    if args.local:
        raise Fail(
            "--ray: --local's endpoint lives in this process, out of the tasks' reach; start a shared one "
            "(ddbload serve --host 0.0.0.0) and give its --endpoint-url"
        )
    if importlib.util.find_spec("ray") is None:
        python = sys.executable
        raise Fail(f"--ray {args.ray}: Ray is not installed for {python}; {python} -m pip install 'ray>=2.9'")
    if args.ray == "auto" and os.environ.get("RAY_ADDRESS"):
        return os.environ["RAY_ADDRESS"]
    return str(args.ray)


def use_local_defaults(args: argparse.Namespace) -> None:
    """--local: tables created and seeded unless told otherwise, at an endpoint started later."""
    if args.endpoint_url:
        raise Fail("--local: it starts its own endpoint; leave out --endpoint-url")
    args.create_tables = True
    if args.seed_products is None:
        args.seed_products = LOCAL_SEED_PRODUCTS
    args.endpoint_url = "http://127.0.0.1:1"  # replaced by the emulator's URL once it runs


def checked_config(args: argparse.Namespace) -> _engine.LoadConfig:
    try:
        return config_from_args(args)
    except _engine.ConfigError as e:
        raise Fail(str(e)) from None


def start_local_endpoint(args: argparse.Namespace) -> _engine.Emulator:
    """Starts --local's endpoint and points the run (`args.endpoint_url`) at it."""
    emulator = _engine.Emulator(region=args.region)  # the connection flags keep their parser defaults
    args.endpoint_url = emulator.url
    # The offline endpoint accepts any credentials; don't send real ones to it.
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ[key] = "local"
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    return emulator


def live_progress(mode: str, duration_s: float, named_operations: bool = False) -> LiveProgress | None:
    """--progress: None for never. `named_operations`: a workload file's run (each line ends with its
    operations' rates)."""
    if mode == "never":
        return None
    stderr = make_console(stderr=True)
    # Off a terminal (CI, `| tee`) a line every 10 s: enough to see it is alive, not a flood.
    every = 1 if mode == "always" or stderr.is_terminal else PLAIN_PROGRESS_EVERY_S
    return LiveProgress(stderr, duration_s, every=every, named_operations=named_operations)


def measure(
    args: argparse.Namespace, config: _engine.LoadConfig, ray_address: str | None, progress: Progress | None
) -> tuple[Result | None, int]:
    """The run's result (None when there is none) and exit code so far; Ctrl-C keeps what was measured.
    With --metrics-addr each second's event carries its latency histograms, for the endpoint's percentiles."""
    histograms = args.metrics_addr is not None
    try:
        if ray_address is None:
            result = run(config, progress=progress, histograms=histograms, backup_dir=args.backup_dir)
        else:
            result = run_on_ray(args, ray_address, progress)
    except RunInterrupted as e:
        if e.result is None:
            print("ddbload: interrupted before the load began; nothing was measured", file=sys.stderr)
        return e.result, EXIT_INTERRUPTED
    except _engine.DdbLoadError as e:
        return None, engine_failure(e)
    return result, EXIT_OK


def run_on_ray(args: argparse.Namespace, address: str, live: Progress | None) -> Result:
    from ..distributed.ray_run import ClusterUnreachable, DistributedError, run_distributed

    try:
        return run_distributed(config_kwargs(args), address=address, tasks=args.ray_tasks, progress=live)
    except ClusterUnreachable as e:
        raise Fail(str(e)) from None
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
            print(f"ddbload: could not write {path} ({why(e)}); the {kind} is in {spare}", file=sys.stderr)
    return None if fell_back else lines


def result_holds(result: Result, thresholds: list[Threshold]) -> bool:
    """False (each reason on stderr) when a --fail-if threshold broke or a Ray task was lost."""
    failures = broken(thresholds, measured(result.data)) if thresholds else []
    for line in failures:
        print(line, file=sys.stderr)
    lost = [p for p in result.data.get("parts", []) if p["status"] == "lost"]
    for part in lost:
        print(f"ddbload: task {part['task']} on {part['node']} was lost ({part.get('error', 'no result')}); "
              "the result covers the other tasks", file=sys.stderr)  # fmt: skip
    return not failures and not lost


def print_results(result: Result, written: list[str], result_path: Path | None) -> None:
    """The summary and the files written, on stdout (which the reader may have closed)."""
    try:
        print_summary(result, make_console(stderr=False), result_path)
        for line in written:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        to_devnull(sys.stdout)
    except OSError as e:
        # A full device (>/dev/full) or a similar fault: the files are written, the exit code stands.
        to_devnull(sys.stdout)
        print(f"ddbload: could not print the summary on stdout: {e.strerror}", file=sys.stderr)
