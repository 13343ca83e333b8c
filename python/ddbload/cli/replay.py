"""`ddbload replay TRACE...`: production's calls sent again, to the same keys, on the trace's timeline
compressed by --speed (open model: each call at its time, whatever the answers)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from .. import _engine
from ..api import run
from ..console import make_console
from ..result import Result
from ..trace.read import BadRecord
from ..trace.replay_plan import (
    SEED_RATE,
    KeySeeding,
    PreparedReplay,
    ReplayOptions,
    TableShape,
    prepare,
    spool_folder,
)
from ..workload_init import index_spec, item_generators
from .common import Fail, connection_of, workload_document
from .run import add_run_arguments, config_kwargs, load_config, load_test, output_paths
from .trace import trace_files

# Items sampled from a rehearsal table to draft its items' other attributes (--items-from-table).
ITEMS_SAMPLED = 50

EPILOG = """\
examples:
  ddbload replay logs/ --speed 2 --tables-map Orders=Orders-rehearsal --endpoint-url http://127.0.0.1:8000
      last peak's calls at twice their speed against a rehearsal table
  ddbload replay trace.csv --local --workload shop.yaml --speed 1.5
      offline: the tables are created from the workload file (CloudTrail does not log key types)

what is replayed: GetItem, PutItem, UpdateItem and DeleteItem, each on its key at its time;
TransactWriteItems, TransactGetItems, BatchGetItem, and BatchWriteItem of one table, with each member on its
key; a Scan, of the table or an index (one page, with its logged Limit and segments); a Query of the table
when its record holds its partition key's value; PartiQL as its classic equivalent (a SELECT by key a
GetItem, by partition a Query, else a Scan; UPDATE of an existing item and DELETE by key; INSERT, whose key
CloudTrail redacts, as a PutItem of a new key). What cannot be sent faithfully (a Query of an index, a
BatchWriteItem mixing puts and deletes, a batch naming a key twice...) is counted and left out, with the
reason. CloudTrail logs keys but no
other attribute values, conditions' values or item sizes: writes carry the workload file's generated
attributes for that table, or --items-from-table's, or the key alone; a transaction's ConditionCheck always
holds.

exit codes: 0 ran, 1 a --fail-if threshold broke, 2 bad input or a bad trace (nothing sent), 130 interrupted
"""


def add_commands(commands: Any) -> None:
    p = commands.add_parser(
        "replay",
        help="replay production traffic (CloudTrail data events, or a CSV) at N times its speed",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    p.add_argument(
        "traces", nargs="+", metavar="TRACE",
        help="CloudTrail files as delivered to S3 (.json.gz), JSON lines, a CSV time,operation,table,key, "
        "or folders of them",
    )  # fmt: skip
    trace = p.add_argument_group("replay")
    trace.add_argument("--speed", default="1", metavar="X", help="the trace's timeline compressed by X (default: 1)")
    trace.add_argument(
        "--from", dest="since", metavar="TIME", help="leave out calls before TIME (ISO 8601 or Unix seconds)"
    )
    trace.add_argument("--to", dest="until", metavar="TIME", help="leave out calls at or after TIME")
    trace.add_argument(
        "--tables-map", action="append", default=[], metavar="PROD=REHEARSAL",
        help="send table PROD's calls to table REHEARSAL (repeatable); with it, a call on a table not "
        "mapped is a bad record",
    )  # fmt: skip
    trace.add_argument(
        "--items-from-table", action="store_true",
        help=f"writes carry attributes generated to the shape of {ITEMS_SAMPLED} items sampled from the "
        "rehearsal table",
    )  # fmt: skip
    trace.add_argument(
        "--hash-keys",
        action="store_true",
        help="replace every key by a keyed hash (consistent within the replay) before anything is stored or sent",
    )
    trace.add_argument(
        "--scale-keys",
        type=int,
        default=1,
        metavar="K",
        help="each partition key becomes K keys (more customers, not hotter ones); default 1",
    )
    trace.add_argument(
        "--loop", action="store_true", help="start the trace again when it ends, for --minutes or --duration"
    )
    trace.add_argument(
        "--seed-keys",
        action="store_true",
        help="before the replay, put an item at each key the trace reads, updates or deletes before putting it",
    )
    trace.add_argument("--skip-bad", action="store_true", help="count bad records and go on instead of stopping")
    add_run_arguments(p)
    p.set_defaults(handler=cmd_replay)


def cmd_replay(args: argparse.Namespace) -> int:
    speed = _speed(args.speed)
    options = ReplayOptions(
        tables_map=_tables_map(args.tables_map),
        start=_time("--from", args.since),
        end=_time("--to", args.until),
        hash_keys=args.hash_keys,
        scale_keys=args.scale_keys,
        skip_bad=args.skip_bad,
        seed=args.seed or 0,
        seed_keys=args.seed_keys,
    )
    _refuse_run_only_flags(args)
    if options.scale_keys < 1:
        raise Fail(f"--scale-keys: {options.scale_keys} must be at least 1")
    if options.start is not None and options.end is not None and options.end <= options.start:
        raise Fail(f"--to: {args.until} is not after --from {args.since}")
    output_paths(args)  # a bad path is found before the trace is read
    files = trace_files(args.traces)
    shapes = _Shapes(args)
    with spool_folder() as folder:
        prepared = _read(files, options, shapes, Path(folder), args.progress)
        if prepared.calls == 0:
            raise Fail(f"{', '.join(args.traces)}: no call to replay{_why_none(prepared)}")
        args.workload = prepared.workload
        seconds = prepared.span_s / float(speed)
        if not args.loop:
            args.minutes = seconds / 60
        replay = {"spool": str(prepared.spool), "speed": float(speed), "per_second": prepared.per_second}
        args.replay = json.dumps({**replay, "loop": args.loop})
        for line in _notes(prepared, shapes):
            print(f"ddbload: {line}", file=sys.stderr)
        seeding = prepared.seeding if prepared.seeding is not None and prepared.seeding.keys else None
        return load_test(
            args,
            amend=lambda result: _with_replay(result, prepared, speed, args, files),
            before=None if seeding is None else lambda run_args: _seed(run_args, seeding),
        )


def _seed(args: argparse.Namespace, seeding: KeySeeding) -> None:
    """--seed-keys: a run of its own that puts the keys, at the replay's endpoint, before the replay."""
    kwargs = config_kwargs(args)
    for name in ("timeline", "duration"):
        kwargs.pop(name, None)
    replay = {"spool": str(seeding.spool), "speed": 1.0, "per_second": seeding.per_second, "loop": False}
    kwargs.update(workload=seeding.workload, minutes=len(seeding.per_second) / 60, _replay=json.dumps(replay))
    print(f"ddbload: --seed-keys: putting {seeding.keys:,} items at the keys the trace reads or changes first "
          f"({SEED_RATE:,} a second)", file=sys.stderr)  # fmt: skip
    try:
        result = run(load_config(kwargs))
    except _engine.DdbLoadError as e:
        raise Fail(f"--seed-keys: {e}") from None
    written = result.data["summary"]["writes"]["ok"]
    args.seeded_keys = written
    if written < seeding.keys:
        errors = result.data["summary"]["writes"]["errors"]
        why = ", ".join(f"{code} {n:,}" for code, n in errors.items()) or "not answered in time"
        print(f"ddbload: --seed-keys: {seeding.keys - written:,} of {seeding.keys:,} items not written ({why}); "
              "reads of those keys will be not_found", file=sys.stderr)  # fmt: skip


def _speed(text: str) -> Decimal:
    try:
        speed = Decimal(text)
    except ArithmeticError:
        raise Fail(f"--speed: {text!r} is not a number") from None
    if not speed.is_finite() or not 0 < speed <= 1000:
        raise Fail(f"--speed: {text} must be more than 0 and at most 1000")
    return speed


def _tables_map(entries: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for entry in (part for text in entries for part in text.split(",")):
        source, _, target = entry.partition("=")
        if not source or not target:
            raise Fail(f"--tables-map: expected PROD=REHEARSAL, got {entry!r}")
        mapping[source] = target
    return mapping


def _time(flag: str, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(Decimal(text))
    except ArithmeticError:
        pass
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
    except ValueError:
        raise Fail(f"{flag}: {text!r} is not an ISO 8601 time (2025-11-28T10:00:00Z) or Unix seconds") from None


def _refuse_run_only_flags(args: argparse.Namespace) -> None:
    if args.table:
        raise Fail(f"--table {args.table[0]}: a replay names its tables with --tables-map PROD=REHEARSAL")
    span = args.minutes if args.minutes is not None else args.duration
    if args.loop and span is None:
        raise Fail("--loop: give the run's length with --minutes or --duration")
    if not args.loop and span is not None:
        flag = "--minutes" if args.minutes is not None else "--duration"
        raise Fail(f"{flag}: the trace sets the replay's length; leave out {flag}, or add --loop to repeat it")


class _Shapes:
    """Each rehearsal table's shape: from --workload's table of that name, else read from the table
    itself (its key schema, and with --items-from-table a sample of its items)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.given: dict[str, dict[str, Any]] = {}
        if args.workload is not None:
            document = workload_document(args.workload, "the workshop preset has none of the trace's tables")
            self.given = {spec.get("table", alias): spec for alias, spec in document["tables"].items()}

    def __call__(self, table: str) -> TableShape:
        spec = self.given.get(table)
        if spec is not None:
            return TableShape(table, spec["partition_key"], spec.get("sort_key"), spec.get("item", {}),
                              spec.get("billing"), spec.get("indexes", []))  # fmt: skip
        if self.args.local:
            raise Fail(
                f"--workload: --local creates table {table} but CloudTrail does not log its key types; "
                "give a workload file with the table (partition_key, sort_key)"
            )
        sample = ITEMS_SAMPLED if self.args.items_from_table else 0
        try:
            found = json.loads(_engine.sample_table(table=table, sample=sample, **connection_of(self.args).kwargs()))
        except _engine.DdbLoadError as e:
            raise Fail(
                f"{table}: its key schema could not be read ({e}); give --workload FILE with the table"
            ) from None
        indexes = [index_spec(index) for index in found.get("indexes", [])]
        return TableShape(
            table, found["partition_key"], found.get("sort_key"), item_generators(found), found["billing"], indexes
        )


def _read(files: list[Path], options: ReplayOptions, shapes: _Shapes, folder: Path, mode: str) -> PreparedReplay:
    console = make_console(stderr=True)
    shown = mode == "always" or (mode == "auto" and sys.stderr.isatty())
    with Progress(
        TextColumn("reading the trace"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
        console=console, disable=not shown, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("reading", total=sum(f.stat().st_size for f in files))
        try:
            return prepare(files, options, shapes, folder, lambda n: bar.update(task, completed=n))
        except BadRecord as e:
            raise Fail(f"{e} (--skip-bad counts bad records and goes on)") from None


def _why_none(prepared: PreparedReplay) -> str:
    parts = []
    if prepared.outside_window:
        parts.append(f"{prepared.outside_window} outside --from/--to")
    if prepared.not_replayed:
        parts.append(", ".join(f"{n} {op}" for op, n in sorted(prepared.not_replayed.items())) + " not replayed")
    if prepared.bad_count:
        parts.append(f"{prepared.bad_count} bad records")
    return f" ({'; '.join(parts)})" if parts else ""


def _notes(prepared: PreparedReplay, shapes: _Shapes) -> list[str]:
    """What the replay leaves out or makes up, said before it starts."""
    lines = []
    if prepared.not_replayed:
        left = ", ".join(f"{n:,} {op}" for op, n in sorted(prepared.not_replayed.items()))
        lines.append(f"not replayed: {left}")
    if prepared.bad_count:
        lines.append(f"{prepared.bad_count:,} bad records skipped; the first: {prepared.bad[0]}")
    bare = sorted(prepared.written - {n for n, s in shapes.given.items() if s.get("item")})
    if bare and not shapes.args.items_from_table:
        lines.append(f"writes to {', '.join(bare)} carry the key alone: CloudTrail logs no other attribute or "
                     "item size (give --workload with the table's item, or --items-from-table)")  # fmt: skip
    return lines


def _with_replay(
    result: Result, prepared: PreparedReplay, speed: Decimal, args: argparse.Namespace, files: list[Path]
) -> Result:
    """The result with what was replayed: the trace's figures beside the run's."""
    data: Any = result.data
    data["replay"] = {
        "traces": [str(f) for f in files],
        "speed": str(speed),
        "first_second": prepared.first_second,
        "span_s": prepared.span_s,
        "calls": prepared.calls,
        "per_second": prepared.per_second,
        "operations": dict(sorted(prepared.operations.items())),
        "not_replayed": dict(sorted(prepared.not_replayed.items())),
        "outside_window": prepared.outside_window,
        "bad_records": prepared.bad_count,
        "loop": args.loop,
        "scale_keys": args.scale_keys,
        "hash_keys": args.hash_keys,
        "seeded_keys": getattr(args, "seeded_keys", 0),
    }
    return Result(data)
