"""Commands that stay on this machine: `ddbload serve` (the offline endpoint) and `ddbload install-script`."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from .. import _engine, capacity, endpoint_faults
from ..capacity import Connection
from ..endpoints import redacted
from ..offline_copy import create_copies, offline_credentials, rehearsal_workload
from .common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Fail,
    engine_failure,
    print_error,
    stop_on_sigterm,
    workload_document,
)

MAX_SERVE_THREADS = 256
MAX_STATUS_MS = 600_000  # as the engine's Emulator allows for --create-, --update- and --delete-table-ms
WORKSHOP_SCRIPT = Path(__file__).parents[1] / "workshop" / "ddb_load_tester.py"
WORKSHOP_MARKER = "Installed by ddbload"


def add_commands(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the offline endpoint (throttles like DynamoDB) in the foreground")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on, 0 = any free one (default: 8000)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, loopback)")
    serve.add_argument("--threads", type=int, default=1, help=f"server threads, 1 to {MAX_SERVE_THREADS} (default: 1)")
    serve.add_argument("--region", default="us-east-1", help="region in ARNs (default: us-east-1)")
    serve.add_argument(
        "--data-dir", metavar="DIR",
        help="keep tables and their items on disk in DIR (created if missing) and find them there on the next "
        "start, as DynamoDB Local's -dbPath does (default: in memory, gone when the endpoint stops)",
    )  # fmt: skip
    serve.add_argument(
        "--fault", action="append", default=[], metavar="SPEC",
        help="for the whole run: e.g. 'table=Orders,error=InternalServerError,rate=0.05' or "
        "'table=Products,latency_ms=200' or 'table=Orders,error=ThrottlingException,reason="
        "TableWriteKeyRangeThroughputExceeded' (repeatable; also set at run time through the admin API)",
    )  # fmt: skip
    serve.add_argument("--fault-seed", type=int, default=0, help="which requests --fault hits (default 0)")
    serve.add_argument(
        "--create-table-ms", type=int, default=0, metavar="MS",
        help="how long a new table stays CREATING before it is ACTIVE, as in DynamoDB (reads and writes of it "
        f"are refused meanwhile; up to {MAX_STATUS_MS}); default 0: ACTIVE at once, as DynamoDB Local",
    )  # fmt: skip
    serve.add_argument(
        "--update-table-ms", type=int, default=0, metavar="MS",
        help="how long a change of capacity or billing mode keeps its table UPDATING, as in DynamoDB: the old "
        "figures serve until then and another UpdateTable or a DeleteTable is refused (ResourceInUseException; "
        f"up to {MAX_STATUS_MS}); default 0: in force at once, as DynamoDB Local",
    )  # fmt: skip
    serve.add_argument(
        "--delete-table-ms", type=int, default=0, metavar="MS",
        help="how long a deleted table stays DELETING before it is gone, as in DynamoDB (still listed and "
        "described, its name not free, reads and writes refused; up to "
        f"{MAX_STATUS_MS}); default 0: gone at once, as DynamoDB Local",
    )  # fmt: skip
    copy = serve.add_argument_group("a copy of production's tables (keys, indexes, capacity, auto scaling; no items)")
    copy.add_argument(
        "--copy-settings-from-aws", action="store_true",
        help="create the --table tables as they are in --region of your account, seeded by --workload",
    )  # fmt: skip
    copy.add_argument("--table", action="append", default=[], help="a table to copy (repeatable)")
    copy.add_argument("--workload", metavar="FILE", help="items and generators for the copied tables' seeding")
    copy.add_argument("--profile", help="AWS profile to read the settings with")
    copy.add_argument("--aws-endpoint-url", metavar="URL", help="read the settings from this endpoint instead of AWS")
    serve.set_defaults(handler=cmd_serve)

    install = commands.add_parser("install-script", help="copy the workshop's ddb_load_tester.py into a folder")
    install.add_argument("directory", help="folder to put ddb_load_tester.py in (created if missing)")
    install.set_defaults(handler=cmd_install_script)


def _check_serve(args: argparse.Namespace) -> None:
    if not 0 <= args.port <= 65535:
        raise Fail(f"--port must be between 0 and 65535, got {args.port}")
    if not 1 <= args.threads <= MAX_SERVE_THREADS:
        raise Fail(f"--threads must be between 1 and {MAX_SERVE_THREADS}, got {args.threads}")
    for option in ("create_table_ms", "update_table_ms", "delete_table_ms"):
        value = getattr(args, option)
        if not 0 <= value <= MAX_STATUS_MS:
            raise Fail(f"--{option.replace('_', '-')} must be between 0 and {MAX_STATUS_MS}, got {value}")


def cmd_serve(args: argparse.Namespace) -> int:
    _check_serve(args)
    faults = [_fault_spec(text) for text in args.fault]
    copying = _copy_request(args)
    try:
        emulator = _engine.Emulator(
            host=args.host, port=args.port, threads=args.threads, region=args.region, data_dir=args.data_dir
        )
    except ValueError as e:
        raise Fail(f"--data-dir: {e}") from None
    except OSError as e:
        raise Fail(f"--port: {e}") from None
    for warning in emulator.warnings:
        print(f"ddbload: warning: --data-dir: {warning}", file=sys.stderr, flush=True)
    stop_on_sigterm()
    failed = _prepare(args, emulator, copying, faults)
    if failed is not None:
        return failed
    # After --copy-settings-from-aws has made and seeded its tables: they are ACTIVE.
    emulator.create_table_ms = args.create_table_ms
    emulator.update_table_ms = args.update_table_ms
    emulator.delete_table_ms = args.delete_table_ms
    print(f"ddbload offline endpoint on {emulator.url} (Ctrl-C stops it)", flush=True)
    if args.data_dir:
        print(f"  tables are kept in {args.data_dir}", flush=True)
    if copying is None:
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


def _prepare(
    args: argparse.Namespace,
    emulator: _engine.Emulator,
    copying: tuple[Connection, dict[str, Any] | None] | None,
    faults: list[dict[str, Any]],
) -> int | None:
    """The copied tables and the faults set before the endpoint is announced; an exit code if that failed
    (the endpoint is stopped then)."""
    try:
        if copying is not None:
            _copy_tables(args, emulator, *copying)
        for spec in faults:
            endpoint_faults.inject(emulator.url, spec, args.fault_seed)
    except (_engine.DdbLoadError, TimeoutError, endpoint_faults.FaultError, KeyboardInterrupt) as e:
        emulator.stop()
        if isinstance(e, _engine.DdbLoadError):
            return engine_failure(e)
        if isinstance(e, KeyboardInterrupt):
            return EXIT_INTERRUPTED
        print_error(f"{'--fault' if isinstance(e, endpoint_faults.FaultError) else '--copy-settings-from-aws'}: {e}")
        return EXIT_FAILED
    return None


def _fault_spec(text: str) -> dict[str, Any]:
    """--fault 'table=Orders,error=InternalServerError,rate=0.05' as a fault spec, checked."""
    spec: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise Fail(f"--fault: expected KEY=VALUE pairs such as table=Orders,rate=0.05, got {text!r}")
        spec[key.strip()] = _fault_value(key.strip(), value.strip())
    problem = endpoint_faults.check_spec(spec)
    if problem:
        raise Fail(f"--fault {text!r}: {problem}")
    return spec


def _fault_value(key: str, value: str) -> Any:
    try:
        if key == "latency_ms":
            return int(value)
        if key == "rate":
            return float(value)
    except ValueError:
        raise Fail(f"--fault: {key}={value!r} is not a number") from None
    if key == "pause":
        if value.lower() not in ("true", "false"):
            raise Fail(f"--fault: pause={value!r} must be true or false")
        return value.lower() == "true"
    return value


def _copy_request(args: argparse.Namespace) -> tuple[Connection, dict[str, Any] | None] | None:
    """Where production's settings are read and the workload that seeds the copies (checked before the
    endpoint starts); None without --copy-settings-from-aws."""
    if not args.copy_settings_from_aws:
        if args.table or args.workload or args.aws_endpoint_url or args.profile:
            raise Fail("--table/--workload/--profile/--aws-endpoint-url go with --copy-settings-from-aws")
        return None
    if not args.table:
        raise Fail("--copy-settings-from-aws: name the tables to copy with --table T (repeatable)")
    workload = None
    if args.workload:
        workload = workload_document(args.workload, "the workshop's tables are made with `run --create-tables`")
    return Connection(region=args.region, profile=args.profile, endpoint_url=args.aws_endpoint_url), workload


def _copy_tables(
    args: argparse.Namespace, emulator: _engine.Emulator, source: Connection, workload: dict[str, Any] | None
) -> None:
    """The --table tables created on `emulator` with production's keys, indexes and settings, seeded."""
    print(f"reading {', '.join(args.table)} at {redacted(source.endpoint_url) or 'AWS ' + args.region} ...",
          file=sys.stderr, flush=True)  # fmt: skip
    shapes = [json.loads(_engine.sample_table(table=t, sample=0, **source.kwargs())) for t in args.table]
    settings = capacity.describe(source, args.table)
    target = Connection(region=args.region, endpoint_url=emulator.url)
    with offline_credentials():
        config = _engine.LoadConfig(
            workload=rehearsal_workload(shapes, workload), endpoint_url=emulator.url, region=args.region,
            create_tables=True, rate=1.0, duration="1s", _hold_start=True,
        )  # fmt: skip
        notes = create_copies(config, settings, target)
    for note in notes:
        print(f"note: {note}", file=sys.stderr, flush=True)
    for t in settings:
        figures = "on-demand" if t["billing_mode"] == "PAY_PER_REQUEST" else (
            f"{t['read_capacity_units']}/{t['write_capacity_units']}")  # fmt: skip
        print(f"copied {t['name']}: {figures}, {len(t['indexes'])} global index(es)", file=sys.stderr, flush=True)


def cmd_install_script(args: argparse.Namespace) -> int:
    folder = Path(args.directory).expanduser()
    target = folder / WORKSHOP_SCRIPT.name
    if folder.exists() and not folder.is_dir():
        raise Fail(f"install-script: {folder} is not a folder")
    if target.exists() and WORKSHOP_MARKER not in target.read_text(encoding="utf-8", errors="replace"):
        raise Fail(f"install-script: {target} exists and was not installed by ddbload; refusing to overwrite it")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(WORKSHOP_SCRIPT, target)
    target.chmod(0o755)
    print(f"Installed {target}\nRun it with: python {target} --threads 20 --minutes 5")
    return EXIT_OK
